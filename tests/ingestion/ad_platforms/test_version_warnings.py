"""Version warnings reach the user through ``config.warnings()`` (printed by `leadsync sync`
before it loads, shown by `leadsync check`), one per platform; a retired version stops only its
own source, with the plain sentence, and the other sources load."""

from __future__ import annotations

from datetime import date

import pytest

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.config import parse_config
from leadsync.ingestion.sandboxes import google_ads as g
from leadsync.ingestion.sandboxes import linkedin as li
from leadsync.ingestion.sandboxes import meta as m
from leadsync.orchestration.use_cases.summary import summary_lines
from leadsync.orchestration.use_cases.sync import sync

TODAY = date(2026, 12, 10)  # every table has a version sunsetting within 60 days of this day

# (source entry with a version that sunsets within 60 days of TODAY, its sunset as the warning says it)
NEAR_SUNSET = {
    "meta": (
        {"type": "meta_lead_ads", "page_id": "1", "access_token_env": "T", "graph_version": "v21.0"},
        "January 21, 2027",
    ),
    "linkedin": (
        {
            "type": "linkedin_lead_gen",
            "sponsored_account_ids": ["1"],
            "access_token_env": "T",
            "linkedin_version": "202601",
        },
        "January 15, 2027",
    ),
    "google_ads": (
        {"type": "google_ads_lead_forms", "customer_id": "1234567890", "api_version": "v23"},
        "February 1, 2027",
    ),
}


@pytest.fixture
def on_today(monkeypatch):
    monkeypatch.setattr(lifecycle, "today_utc", lambda: TODAY)


def config_of(tmp_path, *sources):
    return parse_config(
        {"warehouse": {"path": "w/leads.duckdb"}, "sources": list(sources)}, base_dir=tmp_path
    )


@pytest.mark.parametrize("platform", sorted(NEAR_SUNSET))
def test_a_version_near_its_sunset_is_a_config_warning(platform, tmp_path, on_today):
    entry, sunset = NEAR_SUNSET[platform]
    table = lifecycle.version_table(platform)
    config = config_of(tmp_path, {"name": "ads", **entry})
    (warning,) = config.warnings()
    assert warning.startswith(f"source 'ads': {table.platform} retires API version ")
    assert sunset in warning and f"use {table.newest(TODAY).name}" in warning


@pytest.mark.parametrize("platform", sorted(NEAR_SUNSET))
def test_the_default_version_warns_nothing(platform, tmp_path, on_today):
    entry, _ = NEAR_SUNSET[platform]
    pinned = {k: v for k, v in entry.items() if k not in ("graph_version", "linkedin_version", "api_version")}
    assert config_of(tmp_path, {"name": "ads", **pinned}).warnings() == []


def test_a_retired_version_is_no_warning_but_the_sources_own_failure(tmp_path, on_today):
    entry, _ = NEAR_SUNSET["linkedin"]
    config = config_of(tmp_path, {"name": "ads", **entry, "linkedin_version": "202410"})
    assert config.warnings() == []


def test_sync_prints_the_warning_and_a_retired_source_stops_alone(tmp_path, monkeypatch):
    """Real sandboxes: Meta pinned near its sunset loads and warns; LinkedIn pinned to a retired
    version fails with the plain sentence; Google Ads on the default loads."""
    monkeypatch.setattr(lifecycle, "today_utc", lambda: date(2026, 12, 2))
    env = {
        "META_TOKEN": m.VALID_TOKEN,
        "LI_TOKEN": "unused",
        "GOOGLE_ADS_DEVELOPER_TOKEN": g.DEVELOPER_TOKEN,
        "GOOGLE_ADS_CLIENT_ID": g.CLIENT_ID,
        "GOOGLE_ADS_CLIENT_SECRET": g.CLIENT_SECRET,
        "GOOGLE_ADS_REFRESH_TOKEN": g.REFRESH_TOKEN,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    lines: list[str] = []
    with m.start_meta_sandbox(port=0) as meta_sb, g.start_google_ads_sandbox(port=0) as g_sb:
        config = config_of(
            tmp_path,
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "page_id": m.PAGE_ID,
                "access_token_env": "META_TOKEN",
                "base_url": f"{meta_sb.url}/v21.0",
            },
            {
                "name": "linkedin_ads",
                "type": "linkedin_lead_gen",
                "sponsored_account_ids": [li.ACCOUNT_ID],
                "access_token_env": "LI_TOKEN",
                "linkedin_version": "202410",
            },
            {
                "name": "google_ads",
                "type": "google_ads_lead_forms",
                "customer_id": g.CUSTOMER_ID,
                "login_customer_id": g.LOGIN_CUSTOMER_ID,
                "base_url": g_sb.url,
                "token_url": g_sb.token_url,
            },
        )
        outcome = sync(config, transform=False, report=lines.append)
        summary = summary_lines(config, outcome)
    assert lines[0].startswith(
        "warning: source 'meta_ads': Meta retires API version v21.0 on January 21, 2027"
    )
    assert lines[0][len("warning: ") :] in {
        s[len("warning: ") :] for s in summary if s.startswith("warning: ")
    }
    assert any(s.startswith("linkedin_ads") and "FAILED" in s for s in summary)
    loaded = {r.source_name: r.rows_loaded for r in outcome.results}
    assert loaded["meta_ads"] > 0 and loaded["google_ads"] > 0
    ((name, message),) = outcome.failures
    assert name == "linkedin_ads"
    assert message.startswith(
        "LinkedIn retired API version 202410 on October 15, 2025; remove `linkedin_version` to use 202607"
    )
