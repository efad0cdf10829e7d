"""The period's records, the base every figure is counted from (as a CTE, so it runs anywhere).

Definitions are the marts', never the report's own: a record is a new lead when
fct_lead_touches.is_new_lead says so (first-touch attribution), a lead reached a stage when
dim_leads.stages_reached lists it (the one definition fct_source_quality and fct_source_summary
read too), hours to first contact are dim_leads.hours_to_first_contact. Every date is when the
record happened: fct_lead_touches.touched_at (the record's own submit / scan / creation time,
else its load time), as fct_source_quality groups weeks; received_at (when leadsync loaded it)
only for marts that predate touched_at.
"""

from __future__ import annotations

import datetime as dt

from leadsync.reporting.figures import NO_CHANNEL
from leadsync.reporting.warehouse import Marts, ReportError

REQUIRED_MARTS: dict[str, tuple[str, ...]] = {
    "fct_lead_touches": (
        "touch_id",
        "lead_id",
        "source_name",
        "received_at",
        "channel",
        "is_valid",
        "invalid_reason",
        "is_new_lead",
        "lead_origin",
    ),
    "dim_leads": ("lead_id", "is_mql", "disqualification_reason", "stages_reached", "hours_to_first_contact"),
    "fct_lead_funnel": ("lead_id", "stage", "entered_at", "evidence"),
}


def check_required(marts: Marts) -> None:
    problems = []
    for name, needed in REQUIRED_MARTS.items():
        if name not in marts.columns:
            problems.append(f"marts.{name} is missing")
            continue
        missing = [c for c in needed if c not in marts.columns[name]]
        if missing:
            problems.append(f"marts.{name} lacks {', '.join(missing)}")
    if problems:
        raise ReportError(
            "The marts are not built yet, or were built by an older leadsync ("
            + "; ".join(problems)
            + "). Run `leadsync transform` (or `leadsync sync`), then `leadsync report`."
        )


def time_basis(marts: Marts) -> str:
    """touched_at when the touches mart has it (it should), else received_at."""
    return "touched_at" if "touched_at" in marts.columns.get("fct_lead_touches", set()) else "received_at"


def happened_sql(basis: str) -> str:
    """When a touch (alias t) happened, as a timestamp in UTC wall time (sessions run in UTC)."""
    if basis == "touched_at":
        return "coalesce(cast(t.touched_at as timestamp), cast(t.received_at as timestamp))"
    return "cast(t.received_at as timestamp)"


def data_span(marts: Marts, basis: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day any record happened."""
    happened = happened_sql(basis)
    first, last = marts.rows(
        f"select cast(min({happened}) as date), cast(max({happened}) as date) "
        f"from {marts.table('fct_lead_touches')} t"
    )[0]
    return _date(first), _date(last)


def _date(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def reached_column(stage: str) -> str:
    return f'"reached_{stage}"'


def period_touches_cte(marts: Marts, basis: str, stages: tuple[str, ...]) -> str:
    """CTEs `reached` (lead, stage: dim_leads.stages_reached unnested), `lead_reached` (per lead, a
    0/1 flag per stage in `stages`) and `period_touches` (one row per record in the period, with
    its lead's flags). Takes two parameters: the period's first and last day."""
    touch_cols = marts.columns["fct_lead_touches"]
    is_test = "coalesce(t.is_test, false)" if "is_test" in touch_cols else "false"
    flags = "".join(
        f", max(case when stage = '{s}' then 1 else 0 end) as {reached_column(s)}" for s in stages
    )
    carried = "".join(f", coalesce(r.{reached_column(s)}, 0) as {reached_column(s)}" for s in stages)
    happened = happened_sql(basis)
    return f"""
    reached as (
        select lead_id, unnest(stages_reached) as stage from {marts.table("dim_leads")}
    ),
    lead_reached as (
        select lead_id{flags}
        from reached group by lead_id
    ),
    period_touches as (
        select t.touch_id, t.lead_id, t.source_name,
               coalesce(nullif(trim(t.channel), ''), '{NO_CHANNEL}') as channel,
               coalesce(t.lead_origin, 'unknown') as origin,
               {happened} as happened_at,
               coalesce(t.is_valid, false) as is_valid,
               t.invalid_reason,
               coalesce(t.is_new_lead, false) as is_first_touch,
               {is_test} as is_test,
               coalesce(l.is_mql, false) as is_mql,
               l.hours_to_first_contact as hours_to_contact,
               l.disqualification_reason{carried}
        from {marts.table("fct_lead_touches")} t
        left join {marts.table("dim_leads")} l on l.lead_id = t.lead_id
        {"left join lead_reached r on r.lead_id = t.lead_id" if stages else ""}
        where cast({happened} as date) between ? and ?
    )"""
