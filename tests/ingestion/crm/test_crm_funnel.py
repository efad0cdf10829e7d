"""CRM evidence through a real dbt build: stages at the CRM's own times, deletes leave the funnel."""

from __future__ import annotations

from datetime import UTC

import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.orchestration.use_cases.transform import transform

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)


def _funnel(query, config, source, record_id):
    return dict(
        query(
            config,
            f"""
        select f.stage, f.entered_at from marts.fct_lead_funnel f
        join marts.fct_lead_touches t on t.lead_id = f.lead_id
        where t.source_name = '{source}' and t.source_record_id = '{record_id}'""",
        )
    )


def test_crm_history_becomes_funnel_stages_and_a_deleted_record_leaves(
    hubspot, salesforce, crm_config, query
):
    config = crm_config()
    run_source(config, "hubspot_crm")
    run_source(config, "salesforce_crm")
    transform(config, publish_copy=False)

    # HubSpot contact 1005 (depth 4): attempted, connected, SQL, opportunity, then a deal
    rec = hubspot.records["contacts"]["1005"]
    stages = _funnel(query, config, "hubspot_crm", "1005")
    at = {v: t for v, t in rec.history["hs_lead_status"]}
    assert stages["contacted"] == at["ATTEMPTED_TO_CONTACT"].astimezone(UTC).replace(tzinfo=None)
    assert stages["responded"] == at["CONNECTED"].astimezone(UTC).replace(tzinfo=None)
    assert {"qualified", "opportunity"} <= set(stages) and ({"won", "lost"} & set(stages))

    # Salesforce: a converted lead reaches qualified at its Status change, its opportunity through the contact role
    lead = next(row for row in salesforce.rows["Lead"].values() if row["IsConverted"])
    sf_stages = _funnel(query, config, "salesforce_crm", lead["Id"])
    history = {
        h["NewValue"]: h["CreatedDate"]
        for h in salesforce.rows["LeadHistory"].values()
        if h["LeadId"] == lead["Id"]
    }
    assert sf_stages["qualified"].strftime("%Y-%m-%dT%H:%M:%S") == history["Closed - Converted"][:19]
    assert "opportunity" in sf_stages and ({"won", "lost"} & set(sf_stages))
    assert "contacted" in sf_stages  # the calls

    # deleting the HubSpot contact (an incremental run, no --full-refresh) takes its touch out
    # of the incremental touch table, identity and the marts, and its CRM evidence out of the funnel
    touch = "select count(*) from {} where source_name = 'hubspot_crm' and source_record_id = '1005'"
    assert query(config, touch.format("intermediate.int_lead_touches_normalized")) == [(1,)]
    hubspot.archive("contacts", "1005")
    run_source(config, "hubspot_crm")
    transform(config, publish_copy=False)
    for table in ("intermediate.int_lead_touches_normalized", "marts.fct_lead_touches"):
        assert query(config, touch.format(table)) == [(0,)], table
    assert _funnel(query, config, "hubspot_crm", "1005") == {}
    assert query(
        config,
        "select tombstone_reason from staging.stg_hubspot__tombstones where source_record_id = '1005'",
    ) == [("deleted",)]
    # a Salesforce lead deleted in the CRM (IsDeleted, seen through queryAll) leaves the same way
    victim = next(row for row in salesforce.rows["Lead"].values() if not row["IsConverted"])
    salesforce.delete("Lead", victim["Id"])
    run_source(config, "salesforce_crm")
    transform(config, publish_copy=False)
    gone = f"select count(*) from marts.fct_lead_touches where source_name = 'salesforce_crm' and source_record_id = '{victim['Id']}'"
    assert query(config, gone) == [(0,)]
