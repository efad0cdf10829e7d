"""Date-partitioned loads of an API source against the Meta sandbox (loopback HTTP)."""

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, Definitions
from dagster_dlt import DagsterDltResource
from orch_helpers import make_config

from leadsync.ingestion.sandboxes.meta import FORMS, VALID_TOKEN, start_meta_sandbox
from leadsync.orchestration.assets.ingestion import build_ingestion_assets
from leadsync.orchestration.jobs import build_jobs, sync_job_name
from leadsync.orchestration.resources import TRANSIENT_RETRY_POLICY

TOKEN_ENV = "LEADSYNC_TEST_META_TOKEN"
KEY = AssetKey("dlt_meta_ads_meta_leads")


@pytest.fixture
def sandbox():
    sb = start_meta_sandbox(port=0)
    yield sb
    sb.stop()


def test_daily_partitions_load_exactly_their_day_and_a_backfill_completes(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, VALID_TOKEN)
    config = make_config(
        tmp_path,
        [
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "form_ids": list(FORMS),
                "start_date": "2026-01-05",
                "access_token_env": TOKEN_ENV,
                "base_url": sandbox.url,
            }
        ],
    )
    ingestion = build_ingestion_assets(config)
    assert ingestion.partitioned_sources == {"meta_ads"}
    jobs = build_jobs(config, ingestion)
    defs = Definitions(assets=ingestion.assets, jobs=jobs.all, resources={"dlt": DagsterDltResource()})
    job = defs.resolve_job_def(sync_job_name("meta_ads"))
    assert job.op_retry_policy == TRANSIENT_RETRY_POLICY  # transient failures are retried

    by_day: dict[str, int] = {}
    for lead in sandbox.all_leads:
        day = lead["created_time"][:10]
        by_day[day] = by_day.get(day, 0) + 1
    first_day, second_day = sorted(by_day)[:2]

    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, partition_key=first_day)
    assert result.success
    meta = instance.get_latest_materialization_event(KEY).asset_materialization.metadata
    assert meta["records_received"].value == by_day[first_day]

    # a backfill of the next day adds exactly that day's leads
    result = job.execute_in_process(instance=instance, partition_key=second_day)
    assert result.success
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loaded = con.execute("select count(*) from raw.meta_leads").fetchone()[0]
    assert loaded == by_day[first_day] + by_day[second_day]
    materialized = instance.get_materialized_partitions(KEY)
    assert materialized == {first_day, second_day}


def test_a_source_kind_that_cannot_load_keeps_its_asset_and_fails_loudly(tmp_path, monkeypatch, caplog):
    """A source kind whose module is missing must not take the other sources down, nor vanish."""
    import dataclasses

    from leadsync.ingestion import source_types

    broken = dataclasses.replace(
        source_types.SOURCE_TYPES["linkedin_lead_gen"],
        factory="leadsync.ingestion.ad_platforms.not_written_yet:source",
    )
    monkeypatch.setitem(source_types.SOURCE_TYPES, "linkedin_lead_gen", broken)
    config = make_config(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/*.csv"},
            {
                "name": "li",
                "type": "linkedin_lead_gen",
                "sponsored_account_ids": ["1"],
                "access_token_env": "LI_TOKEN",
            },
        ],
    )
    ingestion = build_ingestion_assets(config)
    assert set(ingestion.broken_sources) == {"li"}
    assert "not_written_yet" in caplog.text  # logged loudly at load time
    assert ingestion.keys_by_source["li"] == [AssetKey("dlt_li_linkedin_leads")]
    assert AssetKey("dlt_li_linkedin_leads") in ingestion.keys_by_raw_table["linkedin_leads"]
    assert AssetKey("dlt_expo_csv_leads") in ingestion.keys_by_source["expo"]

    jobs = build_jobs(config, ingestion)
    defs = Definitions(assets=ingestion.assets, jobs=jobs.all, resources={"dlt": DagsterDltResource()})
    result = defs.resolve_job_def(sync_job_name("li")).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error = failure.event_specific_data.error
    assert "Source 'li' (linkedin_lead_gen) cannot load" in error.message
    assert "not_written_yet" in error.message
