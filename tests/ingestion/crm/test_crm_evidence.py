"""CRM evidence through real dbt builds: stage maps from the config, evidence about unknown
people quarantined with a reason, merges as tombstones plus certain links for identity."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from leadsync.ingestion.config import ConfigError, LeadsyncConfig, parse_config
from leadsync.ingestion.pipeline import run_source
from leadsync.orchestration.use_cases.transform import transform

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)


def touch_id(source: str, record_id: str) -> str:
    return hashlib.md5(f"{source}|{record_id}".encode()).hexdigest()


def test_stage_map_entries_reach_dbt_as_data_and_unknown_stages_are_refused(tmp_path):
    source = {
        "name": "sf",
        "type": "salesforce",
        "stage_map": [{"field": "Status", "value": "x'); drop table t; --", "stage": "responded"}],
    }
    config = parse_config({"sources": [source]}, base_dir=tmp_path)
    assert config.dbt_vars()["leadsync_crm_stage_map"] == [
        {
            "source_name": "sf",
            "crm": "salesforce",
            "field": "Status",
            "value": "x'); drop table t; --",
            "stage": "responded",
        }
    ]
    assert LeadsyncConfig().dbt_vars()["leadsync_crm_stage_map"] == []
    bad = {**source, "stage_map": [{"field": "Status", "value": "Called", "stage": "talked"}]}
    with pytest.raises(ConfigError, match="talked"):
        parse_config({"sources": [bad]}, base_dir=tmp_path)


def test_stage_map_config_quarantine_and_merges(hubspot, salesforce, crm_config, query):
    # a deal whose only contact was never loaded: its evidence reaches no lead
    at = hubspot.tick()
    hubspot.add_deal(
        ["999999"], [("appointmentscheduled", at), ("closedlost", at + timedelta(days=2))], name="Orphan deal"
    )
    # a HubSpot email the person sent: a response, at the email's own hs_timestamp
    reply = hubspot.add_engagement("emails", ["1003"], hubspot.tick(), hs_email_direction="INCOMING_EMAIL")
    config = crm_config(
        salesforce_extra={
            "stage_map": [
                # the team's own meaning of an existing value, and a value the seed does not know
                {"field": "Status", "value": "Working - Contacted", "stage": "responded"},
                {"field": "Status", "value": "Open - Not Contacted", "stage": "mql"},
            ]
        }
    )
    run_source(config, "hubspot_crm")
    run_source(config, "salesforce_crm")
    transform(config, publish_copy=False)

    stages = dict(
        query(
            config,
            "select stage_value, any_value(stage) from intermediate.int_crm_evidence "
            "where source_name = 'salesforce_crm' and field = 'Status' group by stage_value",
        )
    )
    assert stages["Working - Contacted"] == "responded"  # the config overrides the seed's contacted
    assert stages["Open - Not Contacted"] == "mql"  # and extends it
    assert stages["Closed - Converted"] == "qualified"  # the seed still applies elsewhere
    # HubSpot keeps the seed's mapping: stage maps are per source
    assert query(
        config,
        "select distinct stage from intermediate.int_crm_evidence "
        "where source_name = 'hubspot_crm' and stage_value = 'ATTEMPTED_TO_CONTACT'",
    ) == [("contacted",)]

    assert query(
        config,
        "select stage, occurred_at from intermediate.int_crm_evidence "
        f"where object_type = 'email' and object_id = '{reply.id}'",
    ) == [("responded", reply.history["hs_timestamp"][0][1])]
    calls = query(
        config, "select distinct stage from intermediate.int_crm_evidence where object_type = 'call'"
    )
    assert calls == [("contacted",)]

    # the orphan deal's two stages are quarantined with their reason; the sandboxes' own people
    # (the demo's) leave nothing behind
    rejected = query(
        config,
        "select reason from marts.quarantine where rejected_by = 'transform' "
        "and source_name in ('hubspot_crm', 'salesforce_crm')",
    )
    assert len(rejected) == 2 and all("person 999999 is no touch leadsync knows" in r for (r,) in rejected)

    # merge contact 1004 into 1003 after both were loaded: on the next incremental run 1004's
    # touch leaves, its tombstone says merged, and identity is offered the certain link
    assert query(config, "select count(*) from marts.fct_lead_touches where source_record_id = '1004'") == [
        (1,)
    ]
    hubspot.merge("1003", "1004")
    run_source(config, "hubspot_crm")
    transform(config, publish_copy=False)
    assert query(
        config,
        "select tombstone_reason, survivor_record_id from staging.stg_hubspot__tombstones where source_record_id = '1004'",
    ) == [("merged", "1003")]
    assert query(config, "select count(*) from marts.fct_lead_touches where source_record_id = '1004'") == [
        (0,)
    ]
    links = query(config, "select a_touch_id, b_touch_id, match_rule from intermediate.int_crm_certain_links")
    assert (touch_id("hubspot_crm", "1004"), touch_id("hubspot_crm", "1003"), "crm_merge") in links
    # converted Salesforce leads: contact -> lead
    converted = [r for r in salesforce.rows["Lead"].values() if r["IsConverted"]]
    assert converted and all(
        (
            touch_id("salesforce_crm", r["ConvertedContactId"]),
            touch_id("salesforce_crm", r["Id"]),
            "crm_conversion",
        )
        in links
        for r in converted
    )


def test_the_example_crm_config_parses(tmp_path):
    from pathlib import Path

    from leadsync.ingestion.config import load_config

    example = Path(__file__).resolve().parents[3] / "examples" / "crm" / "leadsync.yaml"
    config = load_config(example)
    entries = config.dbt_vars()["leadsync_crm_stage_map"]
    assert {e["source_name"] for e in entries} == {"hubspot_crm", "salesforce_crm"}
    assert {
        "source_name": "salesforce_crm",
        "crm": "salesforce",
        "field": "Status",
        "value": "Called twice",
        "stage": "contacted",
    } in entries
