"""Health checks: lead famine, freshness, quarantine share, webhook backlog."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
from leadsync.orchestration.checks import (
    LEAD_FLOW_KEY,
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


def test_freshness():
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    fresh = freshness_result((now - timedelta(hours=5)).timestamp(), 72, now)
    stale = freshness_result((now - timedelta(hours=100)).timestamp(), 72, now)
    never = freshness_result(None, 72, now)
    assert fresh.passed and not stale.passed and not never.passed
    assert stale.metadata["age_hours"].value == 100.0


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


def test_freshness_and_quarantine_checks_read_the_load_metadata():
    """Through Dagster: the checks judge what the latest load recorded."""
    config = make_config(
        Path("/tmp"),
        [
            {"name": "expo", "type": "csv", "path": "in/*.csv", "freshness_hours": 24},
        ],
        monitoring={"quarantine_max_share": 0.1},
    )
    key = AssetKey("dlt_expo_csv_leads")
    old = datetime.now(UTC) - timedelta(hours=48)

    @dg_asset(key=key)
    def fake_load() -> MaterializeResult:
        return MaterializeResult(
            metadata={
                "rows_loaded": MetadataValue.int(80),
                "quarantined": MetadataValue.int(20),
                "newest_record_at": MetadataValue.timestamp(old),
            }
        )

    check_defs = checks.build_checks(config, {key})
    result = materialize([fake_load, *check_defs], instance=DagsterInstance.ephemeral())
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(by_name) == {"freshness", "quarantine_share"}
    assert not by_name["freshness"].passed
    assert not by_name["quarantine_share"].passed
    assert Definitions(assets=[fake_load], asset_checks=check_defs)  # loads as a code location
