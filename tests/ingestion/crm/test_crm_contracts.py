"""Contract fixtures from the CRMs' own documentation (tests/ingestion/crm/contracts/, each citing
its page): leadsync's parsers accept the documented bodies, and the sandboxes answer in the same
shape (every key path the documentation shows, the sandbox sends too)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from leadsync.ingestion.ad_platforms.common import RecordContext
from leadsync.ingestion.crm.common import parse_crm_time
from leadsync.ingestion.crm.hubspot import helpers as hs
from leadsync.ingestion.crm.salesforce import helpers as sf
from leadsync.ingestion.crm.salesforce import settings as sf_settings
from leadsync.ingestion.sandboxes import hubspot as hs_sandbox
from leadsync.ingestion.sandboxes import salesforce as sf_sandbox

CONTRACTS = Path(__file__).parent / "contracts"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HS = RecordContext("hubspot_crm", "hubspot", "inbound")
SF = RecordContext("salesforce_crm", "salesforce", "inbound")
# the record's own fields depend on what was asked for, not on the endpoint's shape
FIELD_BAGS = frozenset({"properties", "propertiesWithHistory", "records"})


def documented(name: str) -> dict[str, Any]:
    fixture = json.loads((CONTRACTS / f"{name}.json").read_text())
    assert fixture["source"].startswith("https://"), "a contract fixture cites its documentation page"
    return fixture


def answer(fixture: dict[str, Any]) -> requests.Response:
    """The documented body as the requests.Response leadsync's classifiers read."""
    response = requests.Response()
    response.status_code = fixture["status"]
    response._content = json.dumps(fixture["body"]).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def shape(body: Any, prefix: str = "") -> set[str]:
    """Key paths of a JSON body (lists by their first item; field bags by their name only)."""
    if isinstance(body, list):
        return shape(body[0], prefix + "[]") if body else {prefix + "[]"}
    if not isinstance(body, dict):
        return set()
    paths = set()
    for key, value in body.items():
        path = f"{prefix}.{key}" if prefix else key
        paths.add(path)
        if key not in FIELD_BAGS:
            paths |= shape(value, path)
    return paths


def assert_same_shape(doc: Any, sandbox: Any) -> None:
    missing = shape(doc) - shape(sandbox)
    assert not missing, f"the sandbox lacks documented keys: {sorted(missing)}"


# -- the parsers accept the documented bodies -------------------------------------------------------
def test_parsers_accept_the_documented_hubspot_bodies():
    search = documented("hubspot_search")["body"]
    rows, events, bad = hs.read_contact_page(HS, search["results"], NOW)
    assert (
        bad == []
        and [r["source_record_id"] for r in rows] == ["512"]
        and rows[0]["email"] == "bcooper@biglytics.net"
    )

    (record,) = documented("hubspot_batch_read_history")["body"]["results"]
    history = hs.history_events(HS, record, NOW)
    assert sorted((e["value"], e["occurred_at"]) for e in history) == [
        ("lead", parse_crm_time("2019-10-30T03:30:17.883Z")),
        ("salesqualifiedlead", parse_crm_time("2019-12-07T16:50:06.678Z")),
    ]

    assert hs.association_targets(documented("hubspot_associations_batch_read")["body"]) == {"1001": ["512"]}

    (archived,) = documented("hubspot_archived_list")["body"]["results"]
    event = hs.archived_event(HS, "contact", archived, NOW)
    assert event["event_kind"] == "deleted" and event["occurred_at"] == parse_crm_time(archived["archivedAt"])

    verdict = hs.classify(answer(documented("hubspot_429_daily")))
    assert verdict.action == "fail" and "DAILY" in verdict.reason


def test_parsers_accept_the_documented_salesforce_bodies():
    body = documented("salesforce_query")["body"]
    rows, events, bad = sf.read_page(SF, "Lead", body["records"], NOW)
    assert bad == [] and [r["source_record_id"] for r in rows] == ["00QD000000IRFmaMAH"]
    assert [e["event_kind"] for e in events] == ["created"]

    verdict = sf.classify(answer(documented("salesforce_request_limit_exceeded")))
    assert verdict.action == "fail" and "TotalRequests" in verdict.reason


# -- the sandboxes answer in the documented shapes ----------------------------------------------
@pytest.fixture
def hubspot_http(hubspot):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {hs_sandbox.VALID_TOKEN}"
    return http


def test_hubspot_sandbox_answers_in_the_documented_shapes(hubspot, hubspot_http):
    url = hubspot.url
    search = hubspot_http.post(
        f"{url}/crm/v3/objects/contacts/search", json={"limit": 1, "properties": ["email"]}, timeout=5
    )
    assert_same_shape(documented("hubspot_search")["body"], search.json())

    history = hubspot_http.post(
        f"{url}/crm/v3/objects/contacts/batch/read",
        json={"inputs": [{"id": "1005"}], "properties": [], "propertiesWithHistory": ["lifecyclestage"]},
        timeout=5,
    ).json()
    assert_same_shape(documented("hubspot_batch_read_history")["body"], history)
    doc_entry = documented("hubspot_batch_read_history")["body"]["results"][0]["propertiesWithHistory"][
        "lifecyclestage"
    ][0]
    assert set(doc_entry) <= set(history["results"][0]["propertiesWithHistory"]["lifecyclestage"][0])

    deal = next(iter(hubspot.records["deals"]))
    associations = hubspot_http.post(
        f"{url}/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]}, timeout=5
    ).json()
    assert_same_shape(documented("hubspot_associations_batch_read")["body"], associations)

    hubspot.archive("contacts", "1001")
    hubspot.archive("contacts", "1002")
    archived = hubspot_http.get(
        f"{url}/crm/v3/objects/contacts",
        params={"archived": "true", "limit": 1, "properties": "email"},
        timeout=5,
    ).json()
    assert_same_shape(documented("hubspot_archived_list")["body"], archived)

    hubspot.inject_error("daily")
    limited = hubspot_http.post(f"{url}/crm/v3/objects/contacts/search", json={"limit": 1}, timeout=5)
    assert limited.status_code == 429
    assert_same_shape(documented("hubspot_429_daily")["body"], limited.json())


def test_salesforce_sandbox_answers_in_the_documented_shapes(salesforce):
    token = requests.post(
        f"{salesforce.login_url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": sf_sandbox.CLIENT_ID,
            "client_secret": sf_sandbox.CLIENT_SECRET,
            "refresh_token": sf_sandbox.REFRESH_TOKEN,
        },
        timeout=5,
    ).json()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token['access_token']}"
    data_url = f"{token['instance_url']}/services/data/v65.0"
    _, fields, modified = next(o for o in sf_settings.OBJECTS if o[0] == "Lead")
    text = sf.soql("Lead", fields, modified, None)

    page = http.get(f"{data_url}/queryAll", params={"q": text}, timeout=5).json()
    assert_same_shape(documented("salesforce_query")["body"], page)
    doc_record = documented("salesforce_query")["body"]["records"][0]
    assert set(doc_record["attributes"]) <= set(page["records"][0]["attributes"])

    job = http.post(f"{data_url}/jobs/query", json={"operation": "queryAll", "query": text}, timeout=5).json()
    assert_same_shape(documented("salesforce_bulk_query_job")["body"], job)

    salesforce.inject_error("request_limit")
    refused = http.get(f"{data_url}/queryAll", params={"q": text}, timeout=5)
    assert refused.status_code == 403
    assert_same_shape(documented("salesforce_request_limit_exceeded")["body"], refused.json())
