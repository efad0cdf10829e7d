"""Why leads were disqualified and why records were invalid: the most common reasons."""

from __future__ import annotations

import datetime as dt

from leadsync.reporting.touches import period_touches_cte
from leadsync.reporting.warehouse import Marts

TOP_REASONS = 8


def disqualification_reasons(marts: Marts, basis: str, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """Per reason, the period's new leads disqualified for it (dim_leads.disqualification_reason)."""
    return _top(
        marts,
        basis,
        start,
        end,
        "disqualification_reason",
        "is_first_touch and disqualification_reason is not null and disqualification_reason <> ''",
    )


def invalid_reasons(marts: Marts, basis: str, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """Per reason, the period's records the touches mart marks invalid."""
    return _top(
        marts, basis, start, end, "coalesce(nullif(invalid_reason, ''), 'no reason given')", "not is_valid"
    )


def _top(
    marts: Marts, basis: str, start: dt.date, end: dt.date, reason: str, where: str
) -> list[tuple[str, int]]:
    rows = marts.rows(
        f"""
        with {period_touches_cte(marts, basis, ())}
        select {reason}, count(*) from period_touches where {where}
        group by 1""",
        [start, end],
    )
    # ranked here, not in SQL: text order (collation) differs between DuckDB and PostgreSQL
    return sorted(((r[0], int(r[1])) for r in rows), key=lambda r: (-r[1], r[0]))[:TOP_REASONS]
