"""HubSpot source against the HubSpot sandbox over loopback HTTP, loaded with run_source."""

from __future__ import annotations

import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.raw_tables import HUBSPOT_CONTACTS, HUBSPOT_EVENTS
from leadsync.ingestion.sandboxes.hubspot import SEARCH_CAP

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)


def searches(sandbox):
    return [r for r in sandbox.request_log if r.path == "/crm/v3/objects/contacts/search"]


def test_full_load_then_incremental_asks_only_the_delta(hubspot, crm_config, query):
    config = crm_config()
    first = run_source(config, "hubspot_crm")
    assert first.rows_by_table[HUBSPOT_CONTACTS] == 40
    assert query(config, f"select count(distinct source_record_id) from raw.{HUBSPOT_CONTACTS}") == [(40,)]
    last = max(r.properties["lastmodifieddate"] for r in hubspot.records["contacts"].values())
    hubspot.request_log.clear()
    changed = hubspot.update("contacts", "1003", hs_lead_status="CONNECTED")
    second = run_source(config, "hubspot_crm")
    assert second.rows_by_table[HUBSPOT_CONTACTS] == 1
    body = searches(hubspot)[0].json()
    (flt,) = body["filterGroups"][0]["filters"]
    assert flt["operator"] == "GTE" and int(flt["value"]) == int(
        __import__("datetime").datetime.fromisoformat(last).timestamp() * 1000
    )
    assert (
        changed.id
        in query(
            config, f"select source_record_id from raw.{HUBSPOT_CONTACTS} order by _dlt_load_id desc limit 1"
        )[0]
    )


def test_history_becomes_status_events_with_hubspot_timestamps(hubspot, crm_config, query):
    config = crm_config()
    run_source(config, "hubspot_crm")
    rec = hubspot.records["contacts"]["1005"]
    want = sorted((v, t) for v, t in rec.history["lifecyclestage"])
    got = query(
        config,
        f"select value, occurred_at from raw.{HUBSPOT_EVENTS} where object_id = '1005' "
        "and field = 'lifecyclestage' order by value, occurred_at",
    )
    assert [(v, t) for v, t in got] == want


@pytest.mark.parametrize("spacing_ms", [1, 0])
def test_crossing_the_10000_cap_and_ties_load_every_contact_once(hubspot, crm_config, spacing_ms, query):
    hubspot.add_bulk(SEARCH_CAP + 700, spacing_ms=spacing_ms)
    config = crm_config({"page_size": 200})
    run_source(config, "hubspot_crm")
    total = 40 + SEARCH_CAP + 700
    assert query(
        config, f"select count(*), count(distinct source_record_id) from raw.{HUBSPOT_CONTACTS}"
    ) == [(total, total)]
    assert all(r.status == 200 for r in searches(hubspot))
    assert all(int(r.json().get("after") or 0) < SEARCH_CAP for r in searches(hubspot))


def test_archive_and_merge_are_evidence_and_long_property_lists_are_chunked(hubspot, crm_config, query):
    config = crm_config(
        {"custom_properties": [f"custom_property_with_a_long_name_{i:03d}" for i in range(120)]}
    )
    run_source(config, "hubspot_crm")
    hubspot.archive("contacts", "1002")
    hubspot.merge("1004", "1006")
    run_source(config, "hubspot_crm")
    kinds = dict(
        query(
            config,
            f"select object_id, event_kind from raw.{HUBSPOT_EVENTS} "
            "where event_kind in ('deleted', 'merged')",
        )
    )
    assert kinds == {"1002": "deleted", "1006": "merged"}
    assert query(
        config, f"select related_record_id from raw.{HUBSPOT_EVENTS} where event_kind = 'merged'"
    ) == [("1004",)]
    lists = [r for r in hubspot.request_log if r.method == "GET" and r.path == "/crm/v3/objects/contacts"]
    assert len(lists) > 2 and all(r.status == 200 for r in hubspot.request_log)


def test_secondly_limit_waits_and_daily_limit_stops_with_position_kept(
    hubspot, crm_config, fast_backoff, query
):
    config = crm_config({"page_size": 10})
    hubspot.inject_error("secondly", after=2)
    run_source(config, "hubspot_crm")
    assert query(
        config, f"select count(distinct source_record_id), count(*) from raw.{HUBSPOT_CONTACTS}"
    ) == [(40, 40)]
    assert fast_backoff  # it waited
    for _ in range(5):
        hubspot.update("contacts", "1001", firstname="Changed")
    hubspot.inject_error("daily", after=1)
    with pytest.raises(Exception, match="DAILY"):
        run_source(config, "hubspot_crm")
    assert query(config, f"select count(*) from raw.{HUBSPOT_CONTACTS}") == [(40,)]
    run_source(config, "hubspot_crm")
    assert query(config, f"select count(*) from raw.{HUBSPOT_CONTACTS}") == [(41,)]


def test_expired_token_fails_clearly_and_leaves_the_warehouse_untouched(hubspot, crm_config, query):
    config = crm_config()
    hubspot.expire_token()
    with pytest.raises(Exception, match="T_HS_TOKEN"):
        run_source(config, "hubspot_crm")
    assert query(config, f"select count(*) from raw.{HUBSPOT_CONTACTS}") == []


def test_probe_names_the_api_version(hubspot, crm_config, query):
    from leadsync.ingestion.crm.hubspot import probe

    config = crm_config()
    result = probe(config, config.source("hubspot_crm"))
    assert result.status == "ok" and result.api_version == "CRM v3"
    hubspot.expire_token()
    assert probe(config, config.source("hubspot_crm")).status == "failed"


def test_engagements_become_contact_attempts_incrementally(hubspot, crm_config, query):
    config = crm_config()
    run_source(config, "hubspot_crm")
    calls = hubspot.records["calls"]
    assert calls, "the sandbox seeds a call where a rep set ATTEMPTED_TO_CONTACT"
    got = query(
        config,
        f"select object_id, person_record_id, field, value, occurred_at from raw.{HUBSPOT_EVENTS} "
        "where event_kind = 'activity' and object_type = 'call' order by object_id",
    )
    want = sorted(
        (c.id, c.associations[0], "call", c.properties["hs_call_direction"], c.history["hs_timestamp"][0][1])
        for c in calls.values()
    )
    assert [(o, p, f, v, t) for o, p, f, v, t in got] == want

    hubspot.request_log.clear()
    email = hubspot.add_engagement("emails", ["1003"], hubspot.tick(), hs_email_direction="INCOMING_EMAIL")
    run_source(config, "hubspot_crm")
    searched = [r for r in hubspot.request_log if r.path == "/crm/v3/objects/emails/search"]
    assert searched, "the emails are searched"
    new = query(
        config,
        f"select object_id, person_record_id, value from raw.{HUBSPOT_EVENTS} "
        "where event_kind = 'activity' and object_type = 'email'",
    )
    assert new == [(email.id, "1003", "INCOMING_EMAIL")]
    # the calls were not read again: their cursor asked only for changes since the last run
    call_search = next(r for r in hubspot.request_log if r.path == "/crm/v3/objects/calls/search")
    assert call_search.json()["filterGroups"][0]["filters"][0]["operator"] == "GTE"
    assert query(config, f"select count(*) from raw.{HUBSPOT_EVENTS} where object_type = 'call'") == [
        (len(calls),)
    ]
