"""The platforms' own documented examples (contracts/documented/, each citing its page and the day
it was copied): the source's parser and error reading accept every documented shape, the documented
pages validate against the same schema the sandbox's pages are held to, and the sandbox sends every
field a documented example has.

Only Meta's pages print complete example bodies. LinkedIn's Lead Sync page and Google Ads'
reference give field lists, not example bodies, so their contracts (contracts/*.schema.json) are
built from those field lists and no verbatim fixture exists for them here.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import requests

from leadsync.ingestion.ad_platforms.common import RecordContext
from leadsync.ingestion.ad_platforms.meta import helpers as meta
from leadsync.ingestion.sandboxes import meta as meta_sandbox

CONTRACTS = Path(__file__).parent / "contracts"
DOCUMENTED = CONTRACTS / "documented"
CTX = RecordContext("meta_ads", "meta_lead_ads", "paid")


def fixture(name: str) -> dict:
    return json.loads((DOCUMENTED / f"{name}.json").read_text())


def response(status: int, body: dict, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = json.dumps(body).encode()
    r.headers.update(headers or {})
    return r


@pytest.mark.parametrize("path", sorted(DOCUMENTED.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_cites_its_page_and_the_day_it_was_copied(path):
    doc = json.loads(path.read_text())
    assert doc["source"].startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["retrieved"])
    assert doc["edits"]


META_PAGES = ["meta_leads_by_form", "meta_leads_store_locator"]


@pytest.mark.parametrize("name", META_PAGES)
def test_meta_parser_reads_every_documented_lead(name):
    doc = fixture(name)
    rows, bad = meta.parse_leads(CTX, "<FORM_ID>", doc["body"]["data"])
    assert bad == [] and len(rows) == len(doc["body"]["data"])
    (row,) = rows
    assert (row["email"], row["full_name"]) == ("joe@example.com", "Joe Example")
    assert row["received_at"].isoformat() == "2018-02-28T08:49:14+00:00"
    assert (row["ad_id"], row["form_id"]) == ("<AD_ID>", "<FORM_ID>")
    custom = json.loads(row["custom_fields"])
    assert custom["car_make"] == "Honda"
    if name == "meta_leads_store_locator":
        assert custom["selected_dealer"] == "99213450"  # the store number, as documented


@pytest.mark.parametrize("name", META_PAGES)
def test_documented_meta_pages_validate_against_the_sandbox_contract(name):
    """The same schema test_contracts holds the sandbox to; `required` narrowed to the fields the
    documented request asked for (the docs asked for fewer than leadsync does)."""
    doc = fixture(name)
    contract = copy.deepcopy(json.loads((CONTRACTS / "meta_leads.schema.json").read_text()))
    lead = contract["properties"]["data"]["items"]
    lead["required"] = [f for f in lead["required"] if f in doc["requested_fields"]]
    jsonschema.validate(doc["body"], contract)


def test_the_documented_last_page_ends_the_paging():
    """The documented page has cursors but no `next`: leadsync's paginator stops there."""
    paginator = meta.MetaCursorPaginator()
    body = fixture("meta_leads_by_form")["body"]
    paginator.update_state(response(200, body), body["data"])
    assert not paginator.has_next_page


def test_documented_error_body_reads_as_an_expired_token():
    doc = fixture("meta_error_oauth")
    verdict = meta.classify(response(doc["status"], doc["body"]))
    assert verdict.action == "reauth" and "Message describing the error" in verdict.reason


def documented_buc() -> dict:
    text = fixture("meta_buc_header")["value_as_documented"]
    text = re.sub(r"//[^\n]*", "", text).replace("],\n...\n}", "]\n}")
    return json.loads(text)


def test_documented_buc_header_paces_leadsync():
    doc = fixture("meta_buc_header")
    headers = {doc["header"]: json.dumps(documented_buc())}
    r = response(200, {"data": []}, headers)
    entries = meta.usage_entries(r)
    assert {e["type"] for e in entries} == {"{rate-limit-type}", "ads_management", "pages"}
    # a bucket at 100% call_count with 19 minutes to regain access: leadsync waits those 19 minutes
    assert meta.regain_access_seconds(r) == 19 * 60
    assert meta.pace(r) == 19 * 60


def test_sandbox_usage_header_has_every_documented_field(monkeypatch):
    """Meta documents `ads_api_access_tier` for the ads_insights and ads_management types only;
    every other field of a documented entry must be in the sandbox's leadgen entries."""
    documented = {k for entries in documented_buc().values() for e in entries for k in e}
    documented.discard("ads_api_access_tier")
    with meta_sandbox.start_meta_sandbox(port=0) as sb:
        form = next(iter(meta_sandbox.FORMS))
        r = requests.get(
            f"{sb.url}/{form}/leads", params={"access_token": meta_sandbox.VALID_TOKEN}, timeout=5
        )
    (entry,) = meta.usage_entries(r)
    assert entry["type"] == "leadgen"
    assert documented <= set(entry), documented - set(entry)


def test_linkedin_sandbox_answers_a_retired_version_with_the_live_apis_body():
    """LinkedIn prints no 426 body; the one integrations quote from the live API is the fixture.
    The sandbox answers with exactly its keys and message form, and leadsync reads it as a plain
    sentence naming the version and what to change."""
    from leadsync.ingestion.ad_platforms.linkedin import helpers as li_helpers
    from leadsync.ingestion.sandboxes import linkedin as li_sandbox

    observed = fixture("linkedin_426_nonexistent_version")
    with li_sandbox.start_linkedin_sandbox(port=0) as sb:
        token = requests.post(
            sb.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": li_sandbox.REFRESH_TOKEN,
                "client_id": li_sandbox.CLIENT_ID,
                "client_secret": li_sandbox.CLIENT_SECRET,
            },
            timeout=5,
        ).json()["access_token"]
        answer = requests.get(
            f"{sb.url}/rest/leadFormResponses",
            headers={
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": "202409",
                "X-Restli-Protocol-Version": "2.0.0",
            },
            timeout=5,
        )
    assert answer.status_code == observed["status"]
    assert answer.json() == observed["body"]  # 202409 is the very version the thread reported
    verdict = li_helpers.classify(answer)
    assert verdict.action == "fail"
    assert verdict.reason.startswith(
        "LinkedIn does not serve API version 202409 (HTTP 426 NONEXISTENT_VERSION"
    )
    assert "remove `linkedin_version`" in verdict.reason


def test_linkedin_sandbox_quota_answer_is_the_live_apis_429_and_stops_the_source():
    from leadsync.ingestion.ad_platforms.linkedin import helpers as li_helpers
    from leadsync.ingestion.sandboxes import linkedin as li_sandbox

    observed = fixture("linkedin_429_throttle")
    with li_sandbox.start_linkedin_sandbox(port=0) as sb:
        sb.inject_error("rate_limit")
        token = requests.post(
            sb.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": li_sandbox.REFRESH_TOKEN,
                "client_id": li_sandbox.CLIENT_ID,
                "client_secret": li_sandbox.CLIENT_SECRET,
            },
            timeout=5,
        ).json()["access_token"]
        answer = requests.get(
            f"{sb.url}/rest/leadFormResponses",
            headers={
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": "202607",
                "X-Restli-Protocol-Version": "2.0.0",
            },
            timeout=5,
        )
    assert (answer.status_code, answer.json()) == (observed["status"], observed["body"])
    assert "Retry-After" not in answer.headers
    verdict = li_helpers.classify(answer)
    assert verdict.action == "stop" and "Resource level throttle limit" in verdict.reason
