"""Google Ads lead form source against the Google Ads sandbox (searchStream, OAuth) over loopback."""

from __future__ import annotations

import json

import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.raw_tables import GOOGLE_ADS_LEADS
from leadsync.ingestion.sandboxes import google_ads as g
from leadsync.ingestion.sandboxes.people import seeded_time

ENVS = {
    "GOOGLE_ADS_DEVELOPER_TOKEN": g.DEVELOPER_TOKEN,
    "GOOGLE_ADS_CLIENT_ID": g.CLIENT_ID,
    "GOOGLE_ADS_CLIENT_SECRET": g.CLIENT_SECRET,
    "GOOGLE_ADS_REFRESH_TOKEN": g.REFRESH_TOKEN,
}


@pytest.fixture
def sandbox():
    sb = g.start_google_ads_sandbox(port=0)
    yield sb
    sb.stop()


@pytest.fixture
def config(sandbox, make_config, monkeypatch):
    for k, v in ENVS.items():
        monkeypatch.setenv(k, v)
    return make_config(
        {
            "name": "google_ads",
            "type": "google_ads_lead_forms",
            "customer_id": "123-456-7890",
            "login_customer_id": g.LOGIN_CUSTOMER_ID,
            "base_url": sandbox.url,
            "token_url": sandbox.token_url,
        }
    )


def lead_queries(sandbox):
    return [r for r in sandbox.request_log if b"FROM lead_form_submission_data" in r.body]


def test_full_load_maps_fields_and_attribution(sandbox, config, sql):
    result = run_source(config, "google_ads")

    assert result.rows_by_table[GOOGLE_ADS_LEADS] == 10
    req = lead_queries(sandbox)[0]
    assert req.headers["developer-token"] == g.DEVELOPER_TOKEN
    assert req.headers["login-customer-id"] == g.LOGIN_CUSTOMER_ID
    sub = sandbox.submissions[0]
    fields = {f["fieldType"]: f["fieldValue"] for f in sub["leadFormSubmissionFields"]}
    row = sql(
        config,
        f"select email, full_name, campaign_id, campaign_name, ad_group_id, custom_fields, "
        f"received_at from raw.{GOOGLE_ADS_LEADS} where source_record_id = '{sub['id']}'",
    )[0]
    campaign = sub["campaign"].rsplit("/", 1)[1]
    assert row[:4] == (fields["WORK_EMAIL"], fields["FULL_NAME"], campaign, g.CAMPAIGNS[campaign])
    custom = json.loads(row[5])
    assert custom["gclid"] == sub["gclid"] and custom["What is your timeline?"] == "This quarter"
    assert row[6] == seeded_time(0)  # sent as account-local New York time, stored in UTC


def test_incremental_run_bounds_the_query_and_adds_only_new(sandbox, config, sql):
    run_source(config, "google_ads")
    newest_local = max(s["submissionDateTime"] for s in sandbox.submissions)[:19]  # offset dropped
    sandbox.add_leads(2)

    result = run_source(config, "google_ads")

    assert result.rows_by_table[GOOGLE_ADS_LEADS] == 2
    query = json.loads(lead_queries(sandbox)[-1].body)["query"]
    assert f"submission_date_time >= '{newest_local}'" in query
    assert sql(config, f"select count(*), count(distinct source_record_id) from raw.{GOOGLE_ADS_LEADS}")[
        0
    ] == (12, 12)


def test_resource_exhausted_is_retried_after_retry_delay(sandbox, config, sql, fast_backoff):
    sandbox.inject_error("rate_limit", after=1, retry_delay=45)
    run_source(config, "google_ads")
    assert [r.status for r in lead_queries(sandbox)] == [429, 200]
    assert fast_backoff == [0.01]
    assert sql(config, f"select count(*) from raw.{GOOGLE_ADS_LEADS}")[0][0] == 10


def test_unavailable_is_retried(sandbox, config, sql):
    sandbox.inject_error("transient", times=2)
    run_source(config, "google_ads")
    assert sql(config, f"select count(*) from raw.{GOOGLE_ADS_LEADS}")[0][0] == 10


def test_expired_access_token_refreshes(sandbox, config, sql):
    run_source(config, "google_ads")
    sandbox.expire_token()
    sandbox.inject_error("expired_token", after=1)
    sandbox.add_leads(1)
    run_source(config, "google_ads")
    assert sql(config, f"select count(*) from raw.{GOOGLE_ADS_LEADS}")[0][0] == 11


def test_revoked_refresh_token_fails_clearly_and_loads_nothing(sandbox, config, sql, failed_run):
    sandbox.revoke_refresh_token()
    message = failed_run(config, "google_ads")
    assert "google_ads" in message and "GOOGLE_ADS_REFRESH_TOKEN" in message
    assert sql(config, f"select count(*) from raw.{GOOGLE_ADS_LEADS}") == []


def test_new_custom_question_between_runs(sandbox, config, custom_fields):
    run_source(config, "google_ads")
    [sub] = sandbox.add_leads(1, custom_answers={"Team size?": "25"})
    run_source(config, "google_ads")
    assert custom_fields(config, GOOGLE_ADS_LEADS, sub["id"])["Team size?"] == "25"
