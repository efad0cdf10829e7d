"""Salesforce source against the Salesforce sandbox over loopback HTTP, loaded with run_source."""

from __future__ import annotations

import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.raw_tables import SALESFORCE_EVENTS, SALESFORCE_PEOPLE


def queries(sandbox):
    return [r.query.get("q", "") for r in sandbox.request_log if r.path.endswith("/queryAll")]


def test_full_load_uses_instance_url_and_pages_then_incremental_asks_only_the_delta(
    salesforce, crm_config, query
):
    config = crm_config()
    run_source(config, "salesforce_crm")
    people = len(salesforce.rows["Lead"]) + len(salesforce.rows["Contact"])
    assert query(config, f"select count(*) from raw.{SALESFORCE_PEOPLE}") == [(people,)]
    assert any("/queryAll/01g" in r.path for r in salesforce.request_log)  # nextRecordsUrl followed
    lead_id = next(iter(salesforce.rows["Lead"]))
    salesforce.request_log.clear()
    salesforce.update("Lead", lead_id, Title="CRO")
    run_source(config, "salesforce_crm")
    lead_q = next(q for q in queries(salesforce) if " FROM Lead " in q)
    assert "SystemModstamp >= " in lead_q and lead_q.endswith("ORDER BY SystemModstamp, Id")
    assert query(config, f"select count(*) from raw.{SALESFORCE_PEOPLE}") == [(people + 1,)]


def test_same_timestamp_ties_are_neither_skipped_nor_doubled(salesforce, crm_config, query):
    config = crm_config()
    run_source(config, "salesforce_crm")
    stamp = salesforce.tick()
    ids = [
        salesforce.insert(
            "Lead", at=stamp, LastName=f"Tie{i}", Company="Tie Co", Status="Open - Not Contacted"
        )["Id"]
        for i in range(3)
    ]
    run_source(config, "salesforce_crm")
    more = salesforce.insert(
        "Lead", at=stamp, LastName="Tie3", Company="Tie Co", Status="Open - Not Contacted"
    )["Id"]
    run_source(config, "salesforce_crm")
    got = query(
        config,
        f"select source_record_id, count(*) from raw.{SALESFORCE_PEOPLE} where last_name like 'Tie%' group by 1",
    )
    assert dict(got) == {i: 1 for i in [*ids, more]}


def test_delete_and_merge_arrive_through_queryall(salesforce, crm_config, query):
    config = crm_config()
    run_source(config, "salesforce_crm")
    a, b, c = list(salesforce.rows["Lead"])[:3]
    salesforce.delete("Lead", a)
    salesforce.delete("Lead", b, master=c)
    run_source(config, "salesforce_crm")
    got = dict(
        query(
            config,
            f"select object_id, event_kind from raw.{SALESFORCE_EVENTS} where event_kind in ('deleted','merged')",
        )
    )
    assert got == {a: "deleted", b: "merged"}


def test_bulk_api_backfill_above_the_threshold(salesforce, crm_config, query):
    salesforce.add_bulk_leads(120)
    config = crm_config(salesforce_extra={"bulk_threshold": 50})
    run_source(config, "salesforce_crm")
    assert any(r.path.endswith("/jobs/query") for r in salesforce.request_log)
    assert query(
        config, f"select count(*) from raw.{SALESFORCE_PEOPLE} where custom_fields like '%\"Lead\"%'"
    ) == [(len(salesforce.rows["Lead"]),)]
    salesforce.request_log.clear()
    run_source(config, "salesforce_crm")  # the cursor the bulk load left: REST, nothing new
    assert not any(r.path.endswith("/jobs/query") for r in salesforce.request_log)
    assert query(
        config, f"select count(*) from raw.{SALESFORCE_PEOPLE} where custom_fields like '%\"Lead\"%'"
    ) == [(len(salesforce.rows["Lead"]),)]


def test_request_limit_stops_with_position_kept_then_resumes(salesforce, crm_config, query):
    config = crm_config()
    salesforce.inject_error("request_limit", after=3)
    with pytest.raises(Exception, match="REQUEST_LIMIT|request limit"):
        run_source(config, "salesforce_crm")
    assert query(config, f"select count(*) from raw.{SALESFORCE_PEOPLE}") == []
    run_source(config, "salesforce_crm")
    people = len(salesforce.rows["Lead"]) + len(salesforce.rows["Contact"])
    assert query(
        config, f"select count(*), count(distinct source_record_id) from raw.{SALESFORCE_PEOPLE}"
    ) == [(people, people)]


def test_expired_session_reauthenticates_and_revoked_refresh_token_fails_clearly(
    salesforce, crm_config, query
):
    config = crm_config()
    salesforce.inject_error("expired_session", after=2)
    run_source(config, "salesforce_crm")  # one refresh, then on
    salesforce.revoke_refresh_token()
    salesforce.expire_sessions()
    salesforce.rows["Lead"][next(iter(salesforce.rows["Lead"]))]["SystemModstamp"] = (
        "2027-01-01T00:00:00.000+0000"
    )
    before = query(config, f"select count(*) from raw.{SALESFORCE_PEOPLE}")
    with pytest.raises(Exception, match="T_SF_REFRESH"):
        run_source(config, "salesforce_crm")
    assert query(config, f"select count(*) from raw.{SALESFORCE_PEOPLE}") == before


def test_jwt_bearer_flow_and_probe_name_the_version(salesforce, crm_config, query):
    from leadsync.ingestion.crm.salesforce import probe
    from leadsync.ingestion.sandboxes.salesforce import USERNAME

    config = crm_config(
        salesforce_extra={
            "auth": "jwt_bearer",
            "username": USERNAME,
            "private_key_env": "T_SF_KEY",
            "client_secret_env": None,
            "refresh_token_env": None,
        }
    )
    run_source(config, "salesforce_crm")
    assert query(config, f"select count(*) > 0 from raw.{SALESFORCE_PEOPLE}") == [(True,)]
    result = probe(config, config.source("salesforce_crm"))
    assert (result.status, result.api_version) == ("ok", "Salesforce API v65.0")
    old = crm_config(salesforce_extra={"api_version": "29.0"})
    assert probe(old, old.source("salesforce_crm")).status == "failed"
    soon = crm_config(salesforce_extra={"api_version": "40.0"})
    assert probe(soon, soon.source("salesforce_crm")).status == "warning"
