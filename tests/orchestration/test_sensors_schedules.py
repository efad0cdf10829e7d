"""Sensors, schedules and alerts evaluated with Dagster's own test contexts (no daemon needed)."""

import asyncio
import json
import os
import time
from datetime import UTC, datetime, timedelta

from dagster import (
    DagsterInstance,
    Definitions,
    RunRequest,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    job,
    op,
)
from dagster_dlt import DagsterDltResource
from orch_helpers import ALERT_ENV, make_config, people, write_csv

from leadsync.ingestion.webhooks.landing import LandingWriter
from leadsync.orchestration.alerts import send_alert
from leadsync.orchestration.assets.ingestion import build_ingestion_assets
from leadsync.orchestration.jobs import build_jobs, sync_job_name
from leadsync.orchestration.schedules import build_schedules
from leadsync.orchestration.sensors import build_failure_sensor, build_sensors


def _wiring(config):
    ingestion = build_ingestion_assets(config)
    jobs = build_jobs(config, ingestion)
    return ingestion, jobs


def _by_name(items):
    return {i.name: i for i in items}


# ---------------------------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------------------------
def test_schedules_use_the_source_cron_and_the_default(tmp_path):
    config = make_config(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/*.csv"},
            {"name": "daily_list", "type": "csv", "path": "l/*.csv", "schedule": "30 5 * * *"},
        ],
        monitoring={"default_schedule": "*/15 * * * *"},
    )
    ingestion, jobs = _wiring(config)
    schedules = _by_name(build_schedules(config, ingestion, jobs))
    assert schedules["default_sync_schedule"].cron_schedule == "*/15 * * * *"
    assert schedules["default_sync_schedule"].job_name == "default_sync"
    assert schedules["sync_daily_list_schedule"].cron_schedule == "30 5 * * *"
    with build_schedule_context() as context:
        requests = list(schedules["sync_daily_list_schedule"].evaluate_tick(context).run_requests)
    assert len(requests) == 1 and isinstance(requests[0], RunRequest)


def test_partitioned_source_schedule_requests_the_current_day(tmp_path):
    config = make_config(
        tmp_path,
        [
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "form_ids": ["1"],
                "start_date": "2026-11-01",
                "base_url": "http://127.0.0.1:9/v21.0",
            }
        ],
    )
    ingestion, jobs = _wiring(config)
    assert ingestion.partitioned_sources == {"meta_ads"}
    schedule = _by_name(build_schedules(config, ingestion, jobs))["sync_meta_ads_schedule"]
    repository = Definitions(
        assets=ingestion.assets, jobs=jobs.all, schedules=[schedule], resources={"dlt": DagsterDltResource()}
    ).get_repository_def()
    when = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    with build_schedule_context(scheduled_execution_time=when, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2026-11-20"]


# ---------------------------------------------------------------------------------------------
# sensors
# ---------------------------------------------------------------------------------------------
def test_new_files_sensor_starts_the_source_sync_once_per_new_file(tmp_path):
    config = make_config(tmp_path, [{"name": "expo", "type": "csv", "path": "in/*.csv"}])
    _, jobs = _wiring(config)
    sensor = _by_name(build_sensors(config, jobs, set()))["new_files_expo"]
    assert sensor.job_name == sync_job_name("expo")

    with build_sensor_context(cursor=None) as context:
        first = sensor.evaluate_tick(context)
    assert not first.run_requests  # nothing there yet

    write_csv(tmp_path / "in" / "a.csv", people("a", 2))
    with build_sensor_context(cursor=first.cursor) as context:
        second = sensor.evaluate_tick(context)
    assert len(second.run_requests) == 1
    assert "a.csv" in second.run_requests[0].tags["leadsync/files"]

    with build_sensor_context(cursor=second.cursor) as context:
        third = sensor.evaluate_tick(context)
    assert not third.run_requests  # the same file again: no new run

    later = tmp_path / "in" / "b.csv"
    write_csv(later, people("b", 1))
    os.utime(later, (time.time() + 5, time.time() + 5))
    with build_sensor_context(cursor=third.cursor) as context:
        fourth = sensor.evaluate_tick(context)
    assert len(fourth.run_requests) == 1
    assert fourth.run_requests[0].tags["leadsync/files"].endswith("b.csv")
    assert fourth.run_requests[0].run_key != second.run_requests[0].run_key


def _land(config, source_name: str, n: int, received: datetime | None = None) -> None:
    """Store n submissions through the receiver's own durable writer."""
    stamp = (received or datetime.now(UTC)).isoformat()

    async def go() -> None:
        writer = LandingWriter(config.landing_dir)
        writer.open([source_name])
        for i in range(n):
            header = {
                "delivery_id": f"{stamp}-{i}",
                "source": source_name,
                "provider": "standard",
                "received_at": stamp,
                "content_type": "application/json",
            }
            await writer.append(
                source_name, f"{stamp}-{i}", header, json.dumps({"email": f"p{i}@x.io"}).encode()
            )
        await writer.close()

    asyncio.run(go())


def test_webhook_backlog_sensor_starts_a_drain_when_submissions_wait(tmp_path):
    config = make_config(tmp_path, [{"name": "forms", "type": "webhook", "provider": "standard"}])
    _, jobs = _wiring(config)
    sensor = _by_name(build_sensors(config, jobs, set()))["webhook_backlog_forms"]
    instance = DagsterInstance.ephemeral()

    with build_sensor_context(instance=instance) as context:
        idle = sensor.evaluate_tick(context)
    assert not idle.run_requests

    _land(config, "forms", 3)
    with build_sensor_context(instance=instance) as context:
        busy = sensor.evaluate_tick(context)
    assert len(busy.run_requests) == 1
    assert busy.run_requests[0].tags["leadsync/pending"] == "3"
    assert sensor.job_name == sync_job_name("forms")


def test_undrained_age_check_fails_for_a_submission_waiting_too_long(tmp_path):
    from dagster import AssetKey, materialize
    from dagster import asset as dg_asset

    from leadsync.orchestration.checks import build_checks

    config = make_config(
        tmp_path,
        [{"name": "forms", "type": "webhook", "provider": "standard"}],
        webhooks={"landing_dir": "wh/landing", "max_undrained_age_minutes": 60},
    )
    key = AssetKey("dlt_forms_webhook_leads")

    @dg_asset(key=key)
    def drain() -> None:  # stands in for the drain; the check reads only the landing store
        return None

    check = [c for c in build_checks(config, {key}) if "undrained_age" in str(c.check_keys)]
    assert len(check) == 1
    _land(config, "forms", 1, received=datetime.now(UTC) - timedelta(minutes=20))
    result = materialize([drain, *check], instance=DagsterInstance.ephemeral())
    assert result.get_asset_check_evaluations()[0].passed

    _land(config, "forms", 1, received=datetime.now(UTC) - timedelta(minutes=150))
    result = materialize([drain, *check], instance=DagsterInstance.ephemeral())
    evaluation = result.get_asset_check_evaluations()[0]
    assert not evaluation.passed
    assert evaluation.metadata["oldest_minutes"].value >= 150


# ---------------------------------------------------------------------------------------------
# the failure alert, delivered to a local Slack-compatible webhook
# ---------------------------------------------------------------------------------------------
def test_run_failure_alert_reaches_the_webhook(tmp_path, alert_inbox):
    config = make_config(tmp_path, [], monitoring={"alert_webhook_url_env": ALERT_ENV})

    @op
    def load_expo() -> None:
        raise RuntimeError("the CSV export server refused the connection")

    @job
    def sync_expo() -> None:
        load_expo()

    instance = DagsterInstance.ephemeral()
    result = sync_expo.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure_event = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    sensor = build_failure_sensor(config)
    Definitions(jobs=[sync_expo], sensors=[sensor])  # a valid code location
    context = build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=failure_event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    sensor(context)

    assert len(alert_inbox) == 1
    text = alert_inbox[0]["text"]
    assert "sync_expo" in text and "load_expo" in text
    assert "refused the connection" in text


def test_alert_without_a_reachable_webhook_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    config = make_config(tmp_path, [], monitoring={"alert_webhook_url_env": ALERT_ENV})
    monkeypatch.setenv(ALERT_ENV, "http://127.0.0.1:9/nothing-listens-here")
    assert send_alert(config, "source expo failed") is False
    assert "source expo failed" in caplog.text
    monkeypatch.delenv(ALERT_ENV)
    assert send_alert(config, "still only the log") is False


# ---------------------------------------------------------------------------------------------
# nothing runs unless the user says so
# ---------------------------------------------------------------------------------------------
def test_schedules_and_run_starting_sensors_default_to_stopped(tmp_path, monkeypatch):
    from dagster import DefaultScheduleStatus, DefaultSensorStatus

    config = make_config(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/*.csv"},
            {"name": "daily_list", "type": "csv", "path": "l/*.csv", "schedule": "30 5 * * *"},
            {"name": "forms", "type": "webhook", "provider": "typeform", "secret_env": "TF_SECRET"},
        ],
        monitoring={"alert_webhook_url_env": ALERT_ENV},
    )
    ingestion, jobs = _wiring(config)
    schedules = build_schedules(config, ingestion, jobs)
    assert len(schedules) == 2
    assert {s.default_status for s in schedules} == {DefaultScheduleStatus.STOPPED}
    monkeypatch.delenv(ALERT_ENV, raising=False)
    sensors = _by_name(build_sensors(config, jobs, ingestion.partitioned_sources))
    assert {"new_files_expo", "new_files_daily_list", "webhook_backlog_forms"} <= set(sensors)
    assert {s.default_status for s in sensors.values()} == {DefaultSensorStatus.STOPPED}
    # The failure alert starts no run; it is on when the configured webhook variable is set.
    monkeypatch.setenv(ALERT_ENV, "http://127.0.0.1:9/hook")
    alert = _by_name(build_sensors(config, jobs, ingestion.partitioned_sources))["alert_on_run_failure"]
    assert alert.default_status == DefaultSensorStatus.RUNNING


def test_the_file_sensor_uses_the_file_sources_fingerprints(tmp_path):
    from leadsync.ingestion.files import list_files
    from leadsync.orchestration.sensors import file_fingerprints

    write_csv(tmp_path / "in" / "a.csv", people("a", 2))
    pattern = str(tmp_path / "in" / "*.csv")
    assert file_fingerprints(pattern) == {e.url: e.fingerprint for e in list_files(pattern)}
