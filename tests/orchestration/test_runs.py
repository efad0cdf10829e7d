"""Runs of the real Definitions in process: real CSV loads with dlt, real dbt builds, real publish."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance
from orch_helpers import make_config, people, write_csv, write_tiny_project

from leadsync.orchestration.assets.publish import BI_COPY_KEY, REPORT_KEY
from leadsync.orchestration.definitions import build_definitions
from leadsync.orchestration.jobs import FULL_SYNC_JOB, sync_job_name
from leadsync.orchestration.use_cases.errors import UserError, quiet
from leadsync.orchestration.use_cases.transform import transform

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

TOUCHES = AssetKey(["marts", "fct_lead_touches"])
COUNTS = AssetKey(["marts", "lead_counts"])


def _materialized(result) -> set[AssetKey]:
    return {e.asset_key for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def _check_evaluations(result) -> dict[str, bool]:
    out = {}
    for e in result.all_events:
        if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            data = e.event_specific_data
            out[data.check_name] = data.passed
    return out


def _two_csv_sources(tmp_path: Path):
    today = datetime.now(UTC).strftime("%Y-%m-%d")  # leads of today: the freshness check passes
    write_csv(tmp_path / "in" / "expo" / "a.csv", people("expo", 5, day=today))
    write_csv(tmp_path / "in" / "web" / "b.csv", people("web", 3, day=today))
    return make_config(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/expo/*.csv"},
            {"name": "web_list", "type": "csv", "path": "in/web/*.csv"},
        ],
    )


def test_source_job_then_full_sync_load_transform_and_publish(tmp_path, tiny_project):
    config = _two_csv_sources(tmp_path)
    defs = build_definitions(
        config, dbt_target_path=tmp_path / "dbt_target", dbt_project_dir=tiny_project, with_report=False
    )
    instance = DagsterInstance.ephemeral()

    # A source's own job: its load, then everything below it; the other source stays untouched.
    result = defs.resolve_job_def(sync_job_name("expo")).execute_in_process(instance=instance)
    assert result.success
    done = _materialized(result)
    assert AssetKey("dlt_expo_csv_leads") in done and AssetKey("dlt_web_list_csv_leads") not in done
    assert {TOUCHES, COUNTS, BI_COPY_KEY} <= done
    with duckdb.connect(str(config.bi_copy_path), read_only=True) as con:
        assert dict(con.execute("select source_name, n from marts.lead_counts").fetchall()) == {"expo": 5}

    # The full sync: every source, the transform, the publish.
    result = defs.resolve_job_def(FULL_SYNC_JOB).execute_in_process(instance=instance)
    assert result.success
    done = _materialized(result)
    assert {
        AssetKey("dlt_expo_csv_leads"),
        AssetKey("dlt_web_list_csv_leads"),
        TOUCHES,
        COUNTS,
        BI_COPY_KEY,
    } <= done

    loaded = instance.get_latest_materialization_event(AssetKey("dlt_web_list_csv_leads"))
    meta = loaded.asset_materialization.metadata
    assert meta["rows_loaded"].value == 3
    assert meta["quarantined"].value == 0
    assert "newest_loaded_at" in meta
    touches_meta = instance.get_latest_materialization_event(TOUCHES).asset_materialization.metadata
    assert touches_meta["dagster/row_count"].value >= 8

    checks = _check_evaluations(result)
    assert checks["not_null_fct_lead_touches_email"] is True
    assert checks["quarantine_share"] is True and checks["freshness"] is True

    with duckdb.connect(str(config.bi_copy_path), read_only=True) as con:
        counts = dict(con.execute("select source_name, n from marts.lead_counts").fetchall())
    assert counts["web_list"] == 3 and counts["expo"] >= 5


def test_failing_dbt_test_fails_its_check_and_stops_the_blocked_marts(tmp_path):
    failing = {
        "models/marts/_marts.yml": """
        version: 2
        models:
          - name: fct_lead_touches
            columns:
              - name: email
                data_tests:
                  - accepted_values:
                      arguments: {values: ["nobody@example.com"]}
    """
    }
    project = write_tiny_project(tmp_path / "tiny_failing", failing)
    config = _two_csv_sources(tmp_path)
    defs = build_definitions(
        config, dbt_target_path=tmp_path / "dbt_target", dbt_project_dir=project, with_report=False
    )
    result = defs.resolve_job_def(FULL_SYNC_JOB).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    checks = _check_evaluations(result)
    failed = [name for name, passed in checks.items() if name.startswith("accepted_values") and not passed]
    assert failed, checks
    done = _materialized(result)
    assert TOUCHES in done  # the model itself was built; its test then failed
    assert COUNTS not in done  # downstream of the failed blocking test: skipped by dbt
    assert BI_COPY_KEY not in done  # BI keeps the last good copy
    assert not config.bi_copy_path.exists()
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE)
    assert failure.step_key == "transform"
    assert "accepted_values" in failure.event_specific_data.error.message  # names the failed test

    # The CLI's transform runs the same dbt invocation and reads the failure the same way.
    with pytest.raises(UserError) as cli_failure:
        transform(config, project_dir=project, publish_copy=False, report=quiet)
    dagster_text = failure.event_specific_data.error.message
    summary = str(cli_failure.value).split(" (full log:")[0].removesuffix(".")
    assert summary.startswith("The transform failed: model.") or summary.startswith(
        "The transform failed: test."
    )
    assert summary in dagster_text


@pytest.mark.timeout(900)
def test_whole_graph_with_the_real_transform(tmp_path):
    """The real transform/ project end to end on a tiny warehouse: every mart, the BI copy, the report."""
    write_csv(tmp_path / "in" / "expo" / "a.csv", people("expo", 4))
    config = make_config(tmp_path, [{"name": "expo", "type": "csv", "path": "in/expo/*.csv"}])
    defs = build_definitions(config, dbt_target_path=tmp_path / "dbt_target")
    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def(FULL_SYNC_JOB).execute_in_process(instance=instance, raise_on_error=False)
    failures = [e.message for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert result.success, failures
    done = _materialized(result)
    for mart in (
        "dim_leads",
        "fct_lead_touches",
        "fct_lead_funnel",
        "dim_accounts",
        "fct_source_quality",
        "fct_lead_flow",
    ):
        assert AssetKey(["marts", mart]) in done
    assert BI_COPY_KEY in done
    assert REPORT_KEY in done
    report = (
        instance.get_latest_materialization_event(REPORT_KEY).asset_materialization.metadata["path"].value
    )
    assert Path(report).read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    quality = instance.get_latest_materialization_event(AssetKey(["marts", "fct_source_quality"]))
    preview = quality.asset_materialization.metadata["preview"].value
    assert preview.startswith("| ") and "expo" in preview  # markdown table shown in the UI
    leads = instance.get_latest_materialization_event(AssetKey(["marts", "dim_leads"]))
    assert leads.asset_materialization.metadata["dagster/row_count"].value == 4
    with duckdb.connect(str(config.bi_copy_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_lead_touches").fetchone()[0] == 4
