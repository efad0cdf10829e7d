"""Meta Lead Ads source against the Meta sandbox over loopback HTTP, loaded with run_source."""

from __future__ import annotations

import json

import dlt
import pytest

from leadsync.ingestion.ad_platforms.meta import meta_lead_ads_source
from leadsync.ingestion.lead import raw_lead_schema
from leadsync.ingestion.pipeline import make_pipeline, run_source
from leadsync.ingestion.raw_tables import META_LEADS, QUARANTINE
from leadsync.ingestion.sandboxes.meta import FORMS, PAGE_ID, VALID_TOKEN, start_meta_sandbox
from leadsync.ingestion.sandboxes.people import seeded_time

ENV = "LEADSYNC_TEST_META_TOKEN"


@pytest.fixture
def sandbox():
    sb = start_meta_sandbox(port=0)
    yield sb
    sb.stop()


@pytest.fixture
def config(sandbox, make_config, monkeypatch):
    monkeypatch.setenv(ENV, VALID_TOKEN)
    return make_config(
        {
            "name": "meta_ads",
            "type": "meta_lead_ads",
            "page_id": PAGE_ID,
            "access_token_env": ENV,
            "base_url": sandbox.url,
            "page_size": 5,
        }
    )


def lead_requests(sandbox):
    return [r for r in sandbox.request_log if r.path.endswith("/leads")]


def test_full_load_writes_every_lead_with_the_canonical_schema(sandbox, config, sql):
    result = run_source(config, "meta_ads")

    assert result.rows_by_table[META_LEADS] == len(sandbox.all_leads) == 24
    cols = [
        r[0]
        for r in sql(
            config,
            "select column_name from information_schema.columns where "
            f"table_schema='raw' and table_name='{META_LEADS}' order by ordinal_position",
        )
    ]
    assert [c for c in cols if not c.startswith("_dlt")] == raw_lead_schema().names
    first = sandbox.leads[next(iter(FORMS))][0]
    row = sql(
        config,
        f"select email, full_name, campaign_id, ad_group_id, ad_id, form_id, campaign_name, "
        f"custom_fields, is_test, received_at, source_type from raw.{META_LEADS} "
        f"where source_record_id = '{first['id']}'",
    )[0]
    answers = {a["name"]: a["values"][0] for a in first["field_data"]}
    assert row[:7] == (
        answers["email"],
        answers["full_name"],
        first["campaign_id"],
        first["adset_id"],
        first["ad_id"],
        first["form_id"],
        first["campaign_name"],
    )
    custom = json.loads(row[7])
    assert custom["what_are_you_looking_for?"] == answers["what_are_you_looking_for?"]
    assert custom["platform"] == first["platform"] and custom["is_organic"] is False
    assert row[8] is False and row[10] == "meta_lead_ads"
    assert row[9].strftime("%Y-%m-%dT%H:%M:%S+0000") == first["created_time"]
    # forms were listed from the page because form_ids was not configured
    assert any(r.path.endswith(f"{PAGE_ID}/leadgen_forms") for r in sandbox.request_log)


def test_second_run_requests_only_new_leads_and_adds_exactly_them(sandbox, config, sql):
    run_source(config, "meta_ads")
    newest = max(sandbox.all_leads, key=lambda lead: lead["created_time"])
    before = len(sandbox.request_log)
    added = sandbox.add_leads(2) + sandbox.add_leads(1, is_test=True)

    result = run_source(config, "meta_ads")

    assert result.rows_by_table[META_LEADS] == 3
    second = [r for r in sandbox.request_log[before:] if r.path.endswith("/leads")]
    assert len(second) == len(FORMS)  # one page per form: nothing old was paged through again
    since = json.loads(second[0].query["filtering"])[0]
    assert since["field"] == "time_created" and since["operator"] == "GREATER_THAN"
    from datetime import datetime

    assert (
        since["value"]
        == int(datetime.strptime(newest["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp()) - 1
    )
    ids = {r[0] for r in sql(config, f"select source_record_id from raw.{META_LEADS}")}
    assert {lead["id"] for lead in added} <= ids and len(ids) == 27
    assert sql(config, f"select count(*) from raw.{META_LEADS}")[0][0] == 27
    assert sql(config, f"select count(*) from raw.{META_LEADS} where is_test")[0][0] == 1


def test_rate_limit_mid_paging_resumes_from_the_same_cursor(sandbox, config, sql, fast_backoff):
    sandbox.inject_error("rate_limit", after=3, minutes=2)  # forms list + 2 lead pages pass

    run_source(config, "meta_ads")

    reqs = lead_requests(sandbox)
    limited = [i for i, r in enumerate(reqs) if r.status == 400]
    assert len(limited) == 1
    retry = reqs[limited[0] + 1]
    assert retry.status == 200 and retry.query.get("after") == reqs[limited[0]].query.get("after")
    assert reqs[limited[0]].query.get("after")  # it was mid-paging, not the first page
    assert fast_backoff == [0.01]  # 2 minutes to regain access, capped by the test backoff
    counts = sql(config, f"select count(*), count(distinct source_record_id) from raw.{META_LEADS}")[0]
    assert counts == (24, 24)


@pytest.mark.parametrize("kind", ["transient", "server_error"])
def test_transient_errors_are_retried(sandbox, config, sql, kind):
    sandbox.inject_error(kind, after=2, times=2)

    run_source(config, "meta_ads")

    assert sum(r.status >= 500 for r in sandbox.request_log) == 2
    assert sql(config, f"select count(distinct source_record_id) from raw.{META_LEADS}")[0][0] == 24


def test_expired_token_fails_clearly_and_leaves_the_warehouse_untouched(sandbox, config, sql, failed_run):
    run_source(config, "meta_ads")
    sandbox.add_leads(3)
    sandbox.inject_error("expired_token", after=2)  # expires mid-run, after some pages

    message = failed_run(config, "meta_ads")
    assert "meta_ads" in message and ENV in message and "190" in message
    assert sql(config, f"select count(*) from raw.{META_LEADS}")[0][0] == 24
    # the next run with a good token picks up exactly the three new leads
    run_source(config, "meta_ads")
    assert sql(config, f"select count(*), count(distinct source_record_id) from raw.{META_LEADS}")[0] == (
        27,
        27,
    )


def test_missing_token_names_the_env_var(config, monkeypatch):
    monkeypatch.delenv(ENV)
    with pytest.raises(Exception, match=ENV):
        run_source(config, "meta_ads")


def test_new_custom_question_between_runs_lands_in_custom_fields(sandbox, config, custom_fields):
    run_source(config, "meta_ads")
    [lead] = sandbox.add_leads(1, custom_answers={"what_is_your_budget?": "$50k"})

    run_source(config, "meta_ads")

    assert custom_fields(config, META_LEADS, lead["id"])["what_is_your_budget?"] == "$50k"


def test_unreadable_lead_is_quarantined_not_dropped(sandbox, config, sql):
    form = next(iter(FORMS))
    sandbox.add_leads(raw={"id": "999", "created_time": "yesterday", "field_data": []}, form_id=form)

    result = run_source(config, "meta_ads")

    assert result.quarantined == 1 and result.rows_by_table[META_LEADS] == 24
    reason, record_id, raw = sql(
        config, f"select reason, source_record_id, raw_content from raw.{QUARANTINE}"
    )[0]
    assert "created_time" in reason and record_id == "999" and json.loads(raw)["created_time"] == "yesterday"


def test_date_range_backfill_loads_the_range_and_keeps_incremental_state(sandbox, config, sql):
    src = config.source("meta_ads")
    pipeline = make_pipeline(config, src.name)
    pipeline.run(
        meta_lead_ads_source(config, src, start=seeded_time(3).isoformat(), end=seeded_time(6).isoformat())
    )

    times = sorted(r[0] for r in sql(config, f"select received_at from raw.{META_LEADS}"))
    assert times == [seeded_time(3), seeded_time(4), seeded_time(5)]
    # the normal incremental run afterwards still loads everything else
    run_source(config, "meta_ads")
    assert sql(config, f"select count(distinct source_record_id) from raw.{META_LEADS}")[0][0] == 24
    assert isinstance(pipeline, dlt.Pipeline)


def test_leadgen_buc_usage_is_paced_and_the_page_cap_waits_for_regained_access(
    sandbox, config, sql, fast_backoff
):
    # 24 leads, pages of 5: forms list + per form a test_leads read and 3 lead pages = 8 leadgen reads
    sandbox.leadgen_budget = 8  # the Page's leadgen bucket, shrunk from 4800 x leads so a run fills it

    run_source(config, "meta_ads")

    assert sql(config, f"select count(*), count(distinct source_record_id) from raw.{META_LEADS}")[0] == (
        24,
        24,
    )
    assert fast_backoff  # the source paused when X-Business-Use-Case-Usage neared 100%
    sandbox.add_leads(1)
    with pytest.raises(Exception, match="80005"):  # the bucket is full: 80005 until access is regained
        run_source(config, "meta_ads")


def test_test_leads_come_from_the_documented_test_leads_edge_not_the_answers(sandbox, config, sql):
    [lead] = sandbox.add_leads(1, custom_answers={"note": "<test lead: dummy data for note>"})
    [tool_lead] = sandbox.add_leads(1, is_test=True)

    run_source(config, "meta_ads")

    flagged = dict(sql(config, f"select source_record_id, is_test from raw.{META_LEADS}"))
    assert flagged[tool_lead["id"]] is True and flagged[lead["id"]] is False
    assert any(r.path.endswith("/test_leads") for r in sandbox.request_log)
