"""LinkedIn Lead Gen source against the LinkedIn sandbox (Rest.li 2.0, OAuth refresh) over loopback."""

from __future__ import annotations

import json

import pytest

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.raw_tables import LINKEDIN_LEADS
from leadsync.ingestion.sandboxes import linkedin as li

ENVS = {
    "LEADSYNC_TEST_LI_ID": li.CLIENT_ID,
    "LEADSYNC_TEST_LI_SECRET": li.CLIENT_SECRET,
    "LEADSYNC_TEST_LI_REFRESH": li.REFRESH_TOKEN,
}


@pytest.fixture
def sandbox():
    sb = li.start_linkedin_sandbox(port=0)
    yield sb
    sb.stop()


@pytest.fixture
def config(sandbox, make_config, monkeypatch):
    for k, v in ENVS.items():
        monkeypatch.setenv(k, v)
    return make_config(
        {
            "name": "linkedin_ads",
            "type": "linkedin_lead_gen",
            "sponsored_account_ids": [li.ACCOUNT_ID],
            "client_id_env": "LEADSYNC_TEST_LI_ID",
            "client_secret_env": "LEADSYNC_TEST_LI_SECRET",
            "refresh_token_env": "LEADSYNC_TEST_LI_REFRESH",
            "base_url": sandbox.url,
            "token_url": sandbox.token_url,
            "page_size": 5,
        }
    )


def response_requests(sandbox):
    return [r for r in sandbox.request_log if r.path == "/rest/leadFormResponses"]


def test_full_load_resolves_answers_through_the_form(sandbox, config, sql):
    result = run_source(config, "linkedin_ads")

    assert result.rows_by_table[LINKEDIN_LEADS] == 14
    first = sandbox.responses[0]
    req = response_requests(sandbox)[0]
    assert (
        req.headers["x-restli-protocol-version"] == "2.0.0" and req.headers["linkedin-version"] == "202607"
    )  # newest in versions.toml
    assert f"owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A{li.ACCOUNT_ID})" in req.raw_query
    email = next(
        a["answerDetails"]["textQuestionAnswer"]["answer"]
        for a in first["formResponse"]["answers"]
        if a["questionId"] == 3
    )
    row = sql(
        config,
        f"select email, campaign_id, form_id, custom_fields, consent from raw.{LINKEDIN_LEADS} "
        f"where source_record_id = '{first['id']}'",
    )[0]
    assert row[0] == email and row[1] == "330002" and row[2] == str(li.FORM_ID) and row[4] == "yes"
    assert json.loads(row[3])["teamSize"] in {"1-10", "11-50", "51+"}


def test_incremental_run_asks_from_the_last_submission_and_adds_only_new(sandbox, config, sql):
    run_source(config, "linkedin_ads")
    last_ms = max(r["submittedAt"] for r in sandbox.responses)
    before = len(sandbox.request_log)
    sandbox.add_leads(2)
    sandbox.add_leads(1, is_test=True)

    result = run_source(config, "linkedin_ads")

    assert result.rows_by_table[LINKEDIN_LEADS] == 3
    [req] = [r for r in sandbox.request_log[before:] if r.path == "/rest/leadFormResponses"]
    assert f"submittedAtTimeRange=(start:{last_ms}," in req.raw_query
    assert sql(
        config,
        f"select count(*), count(distinct source_record_id), count(*) filter (where is_test) "
        f"from raw.{LINKEDIN_LEADS}",
    )[0] == (17, 17, 1)


def test_daily_quota_429_stops_cleanly_keeps_position_and_says_when_it_resumes(
    sandbox, config, sql, failed_run
):
    run_source(config, "linkedin_ads")
    sandbox.add_leads(3)
    sandbox.inject_error("rate_limit")  # the day's quota is used up

    message = failed_run(config, "linkedin_ads")

    limited = [r for r in response_requests(sandbox) if r.status == 429]
    assert len(limited) == 1  # no minutes of backoff against a daily quota: one 429, then stop
    assert "daily API quota" in message and "resets at" in message and "00:00 UTC" in message
    assert "nothing lost" in message
    assert sql(config, f"select count(*) from raw.{LINKEDIN_LEADS}")[0][0] == 14  # position kept
    run_source(config, "linkedin_ads")  # after the reset: exactly the three new ones
    assert sql(config, f"select count(*), count(distinct source_record_id) from raw.{LINKEDIN_LEADS}")[0] == (
        17,
        17,
    )


def test_retired_pinned_version_stops_with_one_plain_sentence(sandbox, make_config, config, failed_run):
    src = config.source("linkedin_ads").model_dump()
    pinned = make_config({**src, "linkedin_version": "202410"})
    message = failed_run(pinned, "linkedin_ads")
    assert (
        "LinkedIn retired API version 202410 on October 15, 2025; remove `linkedin_version` to use 202607"
        in message
    )
    assert not response_requests(sandbox)  # stopped before calling the platform


def test_sandbox_refuses_a_retired_version_like_linkedin(sandbox):
    import requests

    token = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": li.REFRESH_TOKEN,
            "client_id": li.CLIENT_ID,
            "client_secret": li.CLIENT_SECRET,
        },
        timeout=5,
    ).json()["access_token"]
    reply = requests.get(
        f"{sandbox.url}/rest/leadForms/{li.FORM_ID}",
        headers={
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": "202410",
            "X-Restli-Protocol-Version": "2.0.0",
        },
        timeout=5,
    )
    assert reply.status_code == 426
    assert reply.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20241001 is not active",
    }


def test_transient_503_is_retried(sandbox, config, sql):
    sandbox.inject_error("transient", after=1, times=2)
    run_source(config, "linkedin_ads")
    assert sql(config, f"select count(distinct source_record_id) from raw.{LINKEDIN_LEADS}")[0][0] == 14


def test_expired_access_token_is_refreshed_mid_run(sandbox, config, sql):
    sandbox.inject_error("expired_token", after=2)
    run_source(config, "linkedin_ads")
    assert sandbox.tokens_issued == 2
    assert sql(config, f"select count(*) from raw.{LINKEDIN_LEADS}")[0][0] == 14


def test_revoked_refresh_token_fails_clearly_and_loads_nothing(sandbox, config, sql, failed_run):
    sandbox.revoke_refresh_token()
    message = failed_run(config, "linkedin_ads")
    assert "linkedin_ads" in message and "LEADSYNC_TEST_LI_REFRESH" in message
    assert sql(config, f"select count(*) from raw.{LINKEDIN_LEADS}") == []


def test_new_custom_question_between_runs_lands_in_custom_fields(sandbox, config, custom_fields):
    run_source(config, "linkedin_ads")
    qid = sandbox.add_question("budget", "What is your budget?")
    [lead] = sandbox.add_leads(1, custom_answers={qid: "50k"})

    run_source(config, "linkedin_ads")

    assert custom_fields(config, LINKEDIN_LEADS, lead["id"])["budget"] == "50k"
