"""Health checks: lead famine, freshness, quarantine share, webhook backlog."""

from datetime import UTC, date, datetime, timedelta

import duckdb
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    MetadataValue,
    materialize,
)
from dagster import asset as dg_asset
from orch_helpers import ALERT_ENV, make_config

from leadsync.orchestration import checks
from leadsync.orchestration.assets.ingestion import NEWEST_LOADED_AT
from leadsync.orchestration.checks import (
    LEAD_FLOW_KEY,
    TOUCHES_KEY,
    freshness_result,
    lead_flow_by_source,
    lead_flow_result,
    quarantine_result,
    undrained_result,
)

TODAY = date(2026, 11, 22)


def _flow_mart(path, daily: dict[str, list[int]]) -> None:
    """marts.fct_lead_flow with one row per source per day, the last value on TODAY."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_lead_flow (source_name varchar, flow_date date, leads_received bigint)"
        )
        for source, counts in daily.items():
            start = TODAY - timedelta(days=len(counts) - 1)
            con.executemany(
                "insert into marts.fct_lead_flow values (?, ?, ?)",
                [(source, start + timedelta(days=i), n) for i, n in enumerate(counts)],
            )


def test_lead_flow_check_fires_on_a_crafted_famine(tmp_path):
    db = tmp_path / "wh.duckdb"
    _flow_mart(
        db,
        {
            "steady": [10] * 35,  # 70 a week, every week
            "famished": [10] * 28 + [1] * 7,  # 70 a week, then 7 in the last week
            "new_source": [5] * 6,  # no trailing history: not judged
        },
    )
    with duckdb.connect(str(db), read_only=True) as con:
        flows = {f.source_name: f for f in lead_flow_by_source(con)}
    assert flows["steady"].recent == 70 and flows["steady"].weekly_average == 70
    assert flows["famished"].recent == 7 and flows["famished"].share == 0.1
    assert flows["new_source"].share is None

    result = lead_flow_result(list(flows.values()), min_share=0.5)
    assert not result.passed
    assert result.severity == AssetCheckSeverity.WARN
    assert result.metadata["famished"].value == ["famished"]
    assert "famished" in result.description and "steady" not in result.description

    # With the marts' times beside the counts: the newest lead's own time and the last load.
    newest = {"famished": (datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 22, 8, tzinfo=UTC))}
    said = lead_flow_result(list(flows.values()), min_share=0.5, newest=newest)
    assert "newest lead 2026-11-20 09:00 UTC; last loaded 2026-11-22 08:00 UTC" in said.description
    assert said.metadata["sources"].value["famished"]["newest_lead_at"] == "2026-11-20 09:00 UTC"


def test_lead_flow_check_passes_a_normal_dip(tmp_path):
    db = tmp_path / "wh.duckdb"
    _flow_mart(db, {"dip": [10] * 28 + [6] * 7})  # 60% of usual: above a 50% floor
    with duckdb.connect(str(db), read_only=True) as con:
        result = lead_flow_result(lead_flow_by_source(con), min_share=0.5)
    assert result.passed


def test_lead_flow_check_runs_as_a_dagster_check_and_alerts_once(tmp_path, alert_inbox):
    """The real asset check, executed by Dagster against a crafted warehouse."""
    config = make_config(
        tmp_path, [], monitoring={"lead_flow_min_share": 0.5, "alert_webhook_url_env": ALERT_ENV}
    )
    config.warehouse_path.parent.mkdir(parents=True)
    _flow_mart(config.warehouse_path, {"steady": [10] * 35, "dry": [10] * 28 + [0] * 7})

    @dg_asset(key=LEAD_FLOW_KEY)
    def fct_lead_flow() -> None:  # stands in for the dbt model, which the check reads after
        return None

    check_defs = checks.build_checks(config, {LEAD_FLOW_KEY})
    instance = DagsterInstance.ephemeral()
    result = materialize([fct_lead_flow, *check_defs], instance=instance)
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 1
    assert not evaluations[0].passed
    assert evaluations[0].metadata["famished"].value == ["dry"]
    assert len(alert_inbox) == 1 and "Lead famine: dry" in alert_inbox[0]["text"]

    # Still famished on the next sync: the check fails again, but nobody is paged twice.
    result = materialize([fct_lead_flow, *check_defs], instance=instance)
    assert not result.get_asset_check_evaluations()[0].passed
    assert len(alert_inbox) == 1


def test_freshness_judges_the_leads_own_time_and_shows_the_load_time():
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    just_loaded = now - timedelta(hours=0.8)
    fresh = freshness_result(now - timedelta(hours=5), 72, just_loaded.timestamp(), now)
    stale = freshness_result(now - timedelta(hours=100), 72, just_loaded.timestamp(), now)
    never = freshness_result(None, 72, None, now)
    assert fresh.passed and not stale.passed and not never.passed
    assert stale.metadata["age_hours"].value == 100.0
    assert stale.metadata["load_age_hours"].value == 0.8
    # The message says both: when the newest lead happened, and when it was loaded.
    assert "4.2 days ago (2026-11-18 08:00 UTC" in stale.description
    assert "last loaded 0.8 h ago (2026-11-22 11:12 UTC)" in stale.description


def test_quarantine_share():
    assert quarantine_result(loaded=95, quarantined=5, max_share=0.05).passed
    too_many = quarantine_result(loaded=90, quarantined=10, max_share=0.05)
    assert not too_many.passed and "10 of 100" in too_many.description
    assert quarantine_result(loaded=0, quarantined=0, max_share=0.05).passed


def test_undrained_age():
    assert undrained_result(None, 60).passed
    assert undrained_result(timedelta(minutes=30), 60).passed
    late = undrained_result(timedelta(minutes=90), 60)
    assert not late.passed and late.severity == AssetCheckSeverity.ERROR


def test_freshness_fails_for_old_leads_loaded_a_moment_ago(tmp_path):
    """Through Dagster: a file of two-month-old leads loaded now is not fresh (issue 12)."""
    config = make_config(
        tmp_path,
        [{"name": "expo", "type": "csv", "path": "in/*.csv", "freshness_hours": 24}],
        monitoring={"quarantine_max_share": 0.1},
    )
    key = AssetKey("dlt_expo_csv_leads")
    now = datetime.now(UTC)
    lead_time, load_time = now - timedelta(days=62), now - timedelta(minutes=5)
    config.warehouse_path.parent.mkdir(parents=True)

    @dg_asset(key=key)
    def load() -> MaterializeResult:
        return MaterializeResult(
            metadata={
                "rows_loaded": MetadataValue.int(80),
                "quarantined": MetadataValue.int(20),
                NEWEST_LOADED_AT: MetadataValue.timestamp(load_time),
            }
        )

    @dg_asset(key=TOUCHES_KEY, deps=[key])
    def touches() -> None:
        with duckdb.connect(str(config.warehouse_path)) as con:
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.fct_lead_touches as select 'expo' as source_name, "
                "?::timestamptz as touched_at, ?::timestamptz as loaded_at",
                [lead_time, load_time],
            )

    check_defs = checks.build_checks(config, {key, TOUCHES_KEY})
    result = materialize([load, touches, *check_defs], instance=DagsterInstance.ephemeral())
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(by_name) == {"freshness", "quarantine_share"}
    assert not by_name["quarantine_share"].passed
    freshness = by_name["freshness"]
    assert not freshness.passed
    assert "62.0 days ago" in freshness.description and "last loaded 0.1 h ago" in freshness.description
    assert freshness.metadata["age_hours"].value > 62 * 24 - 1
    assert Definitions(assets=[load, touches], asset_checks=check_defs)  # loads as a code location
