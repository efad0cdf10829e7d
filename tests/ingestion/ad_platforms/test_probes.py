"""Each ad platform's probe (what `leadsync check` calls) against healthy and broken sandboxes."""

from __future__ import annotations

from datetime import date

import pytest

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.sandboxes import google_ads as g
from leadsync.ingestion.sandboxes import linkedin as li
from leadsync.ingestion.sandboxes import meta as m
from leadsync.ingestion.source_types import SOURCE_TYPES

GOOGLE_ENVS = {
    "GOOGLE_ADS_DEVELOPER_TOKEN": g.DEVELOPER_TOKEN,
    "GOOGLE_ADS_CLIENT_ID": g.CLIENT_ID,
    "GOOGLE_ADS_CLIENT_SECRET": g.CLIENT_SECRET,
    "GOOGLE_ADS_REFRESH_TOKEN": g.REFRESH_TOKEN,
}
LI_ENVS = {"LI_ID": li.CLIENT_ID, "LI_SECRET": li.CLIENT_SECRET, "LI_REFRESH": li.REFRESH_TOKEN}


TODAY = date(2026, 12, 2)  # the calendar these expectations are written for (leadsync's and the sandboxes')


@pytest.fixture(autouse=True)
def pinned_calendar(monkeypatch):
    monkeypatch.setattr(lifecycle, "today_utc", lambda: TODAY)


def run_probe(config, name):
    src = config.source(name)
    return SOURCE_TYPES[src.type].load_probe()(config, src)


@pytest.fixture
def meta_sb():
    with m.start_meta_sandbox(port=0) as sb:
        sb.today = TODAY
        yield sb


@pytest.fixture
def meta_config(meta_sb, make_config, monkeypatch):
    monkeypatch.setenv("META_TOKEN", m.VALID_TOKEN)

    def build(**extra):
        return make_config(
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "page_id": m.PAGE_ID,
                "access_token_env": "META_TOKEN",
                "base_url": meta_sb.url,
                **extra,
            }
        )

    return build


def test_meta_probe_healthy_names_the_newest_graph_version(meta_sb, meta_config):
    result = run_probe(meta_config(), "meta_ads")
    assert result.status == "ok" and result.api_version == "Graph v27.0"
    assert [r.path for r in meta_sb.request_log] == [f"/v27.0/{m.PAGE_ID}"]


def test_meta_probe_expired_token_fails_naming_the_env_var(meta_sb, meta_config):
    meta_sb.expire_token()
    result = run_probe(meta_config(), "meta_ads")
    assert result.status == "failed" and "META_TOKEN" in result.message and "190" in result.message


def test_meta_probe_retired_version_fails_with_the_plain_sentence(meta_sb, meta_config):
    result = run_probe(meta_config(base_url=f"{meta_sb.url}/v20.0"), "meta_ads")
    assert result.status == "failed"
    assert result.message.startswith(
        "Meta retired API version v20.0 on September 24, 2026; remove the /v20.0 from `base_url` to use v27.0"
    )
    assert not meta_sb.request_log


def test_meta_probe_warns_within_60_days_of_sunset(meta_sb, meta_config):
    result = run_probe(meta_config(graph_version="v21.0"), "meta_ads")  # sunsets January 21, 2027
    assert result.status == "warning" and "January 21, 2027" in result.message
    assert result.api_version == "Graph v21.0"


@pytest.fixture
def li_sb():
    with li.start_linkedin_sandbox(port=0) as sb:
        sb.today = TODAY
        yield sb


@pytest.fixture
def li_config(li_sb, make_config, monkeypatch):
    for k, v in LI_ENVS.items():
        monkeypatch.setenv(k, v)

    def build(**extra):
        return make_config(
            {
                "name": "linkedin_ads",
                "type": "linkedin_lead_gen",
                "sponsored_account_ids": [li.ACCOUNT_ID],
                "client_id_env": "LI_ID",
                "client_secret_env": "LI_SECRET",
                "refresh_token_env": "LI_REFRESH",
                "base_url": li_sb.url,
                "token_url": li_sb.token_url,
                **extra,
            }
        )

    return build


def test_linkedin_probe_healthy(li_sb, li_config):
    result = run_probe(li_config(), "linkedin_ads")
    assert result.status == "ok" and result.api_version == "LinkedIn-Version 202607"


def test_linkedin_probe_revoked_refresh_token_fails(li_sb, li_config):
    li_sb.revoke_refresh_token()
    result = run_probe(li_config(), "linkedin_ads")
    assert result.status == "failed" and "LI_REFRESH" in result.message


def test_linkedin_probe_retired_version(li_sb, li_config):
    result = run_probe(li_config(linkedin_version="202410"), "linkedin_ads")
    assert result.status == "failed"
    assert result.message.startswith(
        "LinkedIn retired API version 202410 on October 15, 2025; remove `linkedin_version` to use 202607"
    )


@pytest.fixture
def g_sb():
    with g.start_google_ads_sandbox(port=0) as sb:
        sb.today = TODAY
        yield sb


@pytest.fixture
def g_config(g_sb, make_config, monkeypatch):
    for k, v in GOOGLE_ENVS.items():
        monkeypatch.setenv(k, v)

    def build(**extra):
        return make_config(
            {
                "name": "google_ads",
                "type": "google_ads_lead_forms",
                "customer_id": g.CUSTOMER_ID,
                "login_customer_id": g.LOGIN_CUSTOMER_ID,
                "base_url": g_sb.url,
                "token_url": g_sb.token_url,
                **extra,
            }
        )

    return build


def test_google_ads_probe_healthy(g_sb, g_config):
    result = run_probe(g_config(), "google_ads")
    assert result.status == "ok" and result.api_version == "Google Ads v26"


def test_google_ads_probe_missing_login_customer_id(g_sb, g_config):
    result = run_probe(g_config(login_customer_id=None), "google_ads")
    assert result.status == "failed"
    assert "login-customer-id" in result.message and "Set login_customer_id" in result.message


def test_google_ads_probe_retired_version(g_sb, g_config):
    result = run_probe(g_config(api_version="v21"), "google_ads")
    assert result.status == "failed"
    assert result.message.startswith(
        "Google Ads retired API version v21 on August 5, 2026; remove `api_version`"
    )


def test_google_ads_probe_revoked_refresh_token(g_sb, g_config):
    g_sb.revoke_refresh_token()
    result = run_probe(g_config(), "google_ads")
    assert result.status == "failed" and "GOOGLE_ADS_REFRESH_TOKEN" in result.message


def test_linkedin_probe_warns_within_60_days_of_sunset(li_sb, li_config):
    result = run_probe(li_config(linkedin_version="202601"), "linkedin_ads")  # sunsets January 15, 2027
    assert result.status == "warning" and "January 15, 2027" in result.message
    assert result.api_version == "LinkedIn-Version 202601"


def test_google_ads_probe_warns_within_60_days_of_sunset(g_sb, g_config, monkeypatch):
    later = date(2026, 12, 10)  # v23 sunsets February 1, 2027: 61 days after TODAY, 53 after this
    monkeypatch.setattr(lifecycle, "today_utc", lambda: later)
    g_sb.today = later
    result = run_probe(g_config(api_version="v23"), "google_ads")
    assert result.status == "warning" and "February 1, 2027" in result.message
    assert result.api_version == "Google Ads v23"
