"""Spend per source for the period, and the roll-ups' spend and costs.

A monthly spend mart (a `month` column) is summed over the months the period touches (a period
covering part of a month counts that month's whole spend: spend is booked monthly). A per-source
total without months (fct_source_summary.spend) only matches a report over the whole history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from leadsync.reporting.figures import GroupFigures
from leadsync.reporting.warehouse import Marts

SOURCE_COLUMNS = ("lead_source_name", "source_name")
AMOUNT_COLUMNS = ("spend", "spend_amount", "total_spend")
MONTH_COLUMNS = ("month", "month_start", "spend_month")


def _find(columns: set[str], candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def spend_by_source(
    marts: Marts, start: dt.date, end: dt.date, *, whole_history: bool
) -> tuple[dict[str, float] | None, str | None, str | None]:
    """(spend per lead source, currency, note) from whichever spend mart exists."""
    monthly, totals = [], []
    for name in sorted(marts.columns):
        cols = marts.columns[name]
        src, amount = _find(cols, SOURCE_COLUMNS), _find(cols, AMOUNT_COLUMNS)
        if src and amount:
            month = _find(cols, MONTH_COLUMNS)
            (monthly if month else totals).append((name, src, amount, month, _find(cols, ("currency",))))
    params: list[Any] = []
    if monthly:
        name, src, amount, month, currency = monthly[0]
        # 'YYYY-MM' compares as text whether the column is a date or a 'YYYY-MM' string
        where = f"substr(cast({month} as varchar), 1, 7) between ? and ?"
        params = [f"{start:%Y-%m}", f"{end:%Y-%m}"]
    elif totals and whole_history:
        name, src, amount, month, currency = totals[0]
        where = "true"
    elif totals:
        return (
            None,
            None,
            (
                "Spend is only known as a total over all time, so cost per lead is "
                "shown on the report over all data (no period), not on this one."
            ),
        )
    else:
        return None, None, None
    rows = marts.rows(
        f"""
        select {src}, sum(cast({amount} as double precision)),
               string_agg(distinct upper({currency or "cast(null as varchar)"}), ', ')
        from {marts.table(name)}
        where {where} and {amount} is not null
        group by 1""",
        params,
    )
    currencies = {r[2] for r in rows if r[2]}
    return {r[0]: float(r[1]) for r in rows}, currencies.pop() if len(currencies) == 1 else None, None


def with_spend(groups: list[GroupFigures], spend: dict[str, float] | None) -> list[GroupFigures]:
    """Sources get their own spend; each origin and the total get the spend of their sources
    that have spend, with costs over those sources' leads only (a cost over a mix of paid and
    unknown-cost leads would look cheaper than it is). Channels get none: spend is not booked per
    channel."""
    if spend is None:
        return groups
    sources = [replace(g, spend=spend.get(g.name)) for g in groups if g.level == "source"]
    out = []
    for g in groups:
        if g.level == "source":
            g = next(s for s in sources if s.name == g.name)
        elif g.level in ("origin", "overall"):
            paid = [
                s for s in sources if s.spend is not None and (g.level == "overall" or s.origin == g.name)
            ]
            if paid:
                g = replace(
                    g,
                    spend=sum(s.spend or 0.0 for s in paid),
                    priced_sources=tuple(s.name for s in paid),
                    priced_new_leads=sum(s.new_leads for s in paid),
                    priced_qualified=sum(s.stage_counts.get("qualified", 0) for s in paid),
                )
        out.append(g)
    return out
