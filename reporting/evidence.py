"""Where each stage came from: CRM evidence, the activity CSV, a form's own status, leadsync's
ICP score, or implied by a later stage.

fct_lead_funnel has one row per lead and stage with evidence, the earliest piece of it; its
`evidence` text starts with the kind ("activity: call", "hubspot: lifecyclestage ...",
"source status: ...", "first touch", "icp score"). A stage in dim_leads.stages_reached without
such a row was implied by a later stage (seeds/funnel_stages.csv reached_by_later_stage).
"""

from __future__ import annotations

import datetime as dt

from leadsync.reporting.figures import StageEvidence
from leadsync.reporting.touches import period_touches_cte
from leadsync.reporting.warehouse import Marts

IMPLIED = "implied by a later stage"
# Shown for a warehouse built before fct_lead_funnel carried the column (run `leadsync transform`).
MISSING_SOURCE_NOTE = (
    "marts.fct_lead_funnel has no evidence_source_name column (int_lead_stage_events has it), "
    "so this table names the kind of evidence, not the configured source it came from."
)


def stage_evidence(
    marts: Marts, basis: str, stages: tuple[str, ...], start: dt.date, end: dt.date
) -> tuple[list[StageEvidence], str | None]:
    """Per stage and kind of evidence, the period's new leads that reached the stage on it."""
    funnel_cols = marts.columns["fct_lead_funnel"]
    kind = (
        "split_part(f.evidence, ':', 1) || coalesce(' (' || f.evidence_source_name || ')', '')"
        if "evidence_source_name" in funnel_cols
        else "split_part(f.evidence, ':', 1)"
    )
    in_list = ", ".join(f"'{s}'" for s in stages)
    rows = marts.rows(
        f"""
        with {period_touches_cte(marts, basis, ())},
        new_leads as (select distinct lead_id from period_touches where is_first_touch),
        reached_here as (
            select r.lead_id, r.stage from reached r
            inner join new_leads n on n.lead_id = r.lead_id
            where r.stage in ({in_list})
        ),
        evidenced as (
            select h.stage, coalesce({kind}, '{IMPLIED}') as kind, h.lead_id
            from reached_here h
            left join {marts.table("fct_lead_funnel")} f on f.lead_id = h.lead_id and f.stage = h.stage
        )
        select stage, kind, count(distinct lead_id) from evidenced group by 1, 2""",
        [start, end],
    )
    order = {s: i for i, s in enumerate(stages)}
    found = sorted(
        (StageEvidence(s, k, int(n)) for s, k, n in rows), key=lambda e: (order[e.stage], -e.leads, e.kind)
    )
    return found, None if "evidence_source_name" in funnel_cols else MISSING_SOURCE_NOTE


def has_sales_evidence(marts: Marts, sales: tuple[str, ...]) -> bool:
    """Whether any lead, in any period, has evidence of a sales stage (activity or a CRM is loaded)."""
    in_list = ", ".join(f"'{s}'" for s in sales)
    found = marts.rows(f"select count(*) from {marts.table('fct_lead_funnel')} where stage in ({in_list})")
    return bool(found[0][0])
