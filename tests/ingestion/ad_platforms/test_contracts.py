"""Sandbox and source held to one schema per endpoint (tests/ingestion/ad_platforms/contracts/).

What the sandboxes send must validate against the documented shape; a documented field the
sandbox lacks (a `required` in the schema) is a failure here, not a comment.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.sandboxes import google_ads as g
from leadsync.ingestion.sandboxes import linkedin as li
from leadsync.ingestion.sandboxes import meta as m

CONTRACTS = Path(__file__).parent / "contracts"


def schema(name: str) -> dict:
    return json.loads((CONTRACTS / f"{name}.schema.json").read_text())


def test_meta_sandbox_lead_pages_validate(make_config, monkeypatch):
    monkeypatch.setenv("META_TOKEN", m.VALID_TOKEN)
    with m.start_meta_sandbox(port=0) as sb:
        sb.add_leads(1, is_test=True)
        config = make_config(
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "page_id": m.PAGE_ID,
                "access_token_env": "META_TOKEN",
                "base_url": sb.url,
            }
        )
        run_source(config, "meta_ads")
        form = next(iter(m.FORMS))
        import requests

        fields = "id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,field_data,is_organic,platform,partner_name,custom_disclaimer_responses"
        page = requests.get(
            f"{sb.url}/{form}/leads",
            params={"fields": fields, "limit": 5, "access_token": m.VALID_TOKEN},
            timeout=5,
        ).json()
    jsonschema.validate(page, schema("meta_leads"))
    assert page["data"] and "next" in page["paging"]


def test_linkedin_sandbox_responses_validate(make_config, monkeypatch):
    for k, v in {
        "LI_ID": li.CLIENT_ID,
        "LI_SECRET": li.CLIENT_SECRET,
        "LI_REFRESH": li.REFRESH_TOKEN,
    }.items():
        monkeypatch.setenv(k, v)
    import requests

    from leadsync.ingestion.ad_platforms.linkedin import helpers, settings

    with li.start_linkedin_sandbox(port=0) as sb:
        token = requests.post(
            sb.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": li.REFRESH_TOKEN,
                "client_id": li.CLIENT_ID,
                "client_secret": li.CLIENT_SECRET,
            },
            timeout=5,
        ).json()["access_token"]
        from datetime import UTC, datetime

        query = helpers.responses_query(li.ACCOUNT_ID, None, datetime.now(UTC))
        page = requests.get(
            f"{sb.url}/{settings.RESPONSES_PATH}?{query}&start=0&count=5",
            headers={
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": "202607",
                "X-Restli-Protocol-Version": "2.0.0",
            },
            timeout=5,
        ).json()
    jsonschema.validate(page, schema("linkedin_lead_form_responses"))


def test_google_ads_sandbox_stream_validates_with_cost_on_the_last_batch(make_config, monkeypatch):
    envs = {
        "GOOGLE_ADS_DEVELOPER_TOKEN": g.DEVELOPER_TOKEN,
        "GOOGLE_ADS_CLIENT_ID": g.CLIENT_ID,
        "GOOGLE_ADS_CLIENT_SECRET": g.CLIENT_SECRET,
        "GOOGLE_ADS_REFRESH_TOKEN": g.REFRESH_TOKEN,
    }
    for k, v in envs.items():
        monkeypatch.setenv(k, v)
    from leadsync.ingestion.ad_platforms.google_ads import GoogleAdsClient, settings

    with g.start_google_ads_sandbox(port=0) as sb:
        config = make_config(
            {
                "name": "google_ads",
                "type": "google_ads_lead_forms",
                "customer_id": g.CUSTOMER_ID,
                "login_customer_id": g.LOGIN_CUSTOMER_ID,
                "base_url": sb.url,
                "token_url": sb.token_url,
            }
        )
        client = GoogleAdsClient(config, config.source("google_ads"))
        batches = client.rest.post(client.path, json={"query": settings.LEADS_QUERY.format(where="")}).json()
    contract = schema("google_ads_search_stream")
    jsonschema.validate(batches, contract)
    submission = {**contract["$defs"]["submission"], "$schema": contract["$schema"]}
    for batch in batches:
        for row in batch.get("results", []):
            jsonschema.validate(row["leadFormSubmissionData"], submission)
    assert "queryResourceConsumption" in batches[-1]


@pytest.mark.parametrize("name", ["meta_leads", "linkedin_lead_form_responses", "google_ads_search_stream"])
def test_contracts_are_valid_schemas_and_cite_a_source(name):
    contract = schema(name)
    jsonschema.Draft202012Validator.check_schema(contract)
    assert "https://" in contract["description"]
