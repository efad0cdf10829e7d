"""Sensors: start a source's sync when it has something new, chain the transform after
partitioned loads, and alert when any run fails.

- `new_files_<source>`: a file source's glob (local or any fsspec URL) shows a new or changed file.
- `webhook_backlog_<source>`: the webhook landing store holds undrained submissions.
- `transform_after_partitioned_loads`: a date-partitioned load succeeded; build what is below it.
- `alert_on_run_failure`: the log and the configured Slack-compatible webhook hear about it.

The sensors that start runs are STOPPED until the user turns them on (UI: Automation, or
`dagster sensor start <name> -w workspace.yaml`): opening the UI never starts work. The failure
alert launches nothing; it starts RUNNING when `monitoring.alert_webhook_url_env` names a
variable that is set (the user asked for alerts), STOPPED otherwise.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import hashlib
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import SOURCE_TYPES
from leadsync.orchestration.alerts import send_alert
from leadsync.orchestration.jobs import Jobs

FILE_SENSOR_INTERVAL_SECONDS = 30
BACKLOG_SENSOR_INTERVAL_SECONDS = 60
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]

log = logging.getLogger("leadsync.sensors")


# ---------------------------------------------------------------------------------------------
# new files
# ---------------------------------------------------------------------------------------------
def file_fingerprints(pattern: str) -> dict[str, str]:
    """url -> fingerprint for every file the glob matches: the same listing and the same notion of
    "the same file" as the file sources' own incremental reads (`leadsync.ingestion.files`)."""
    from leadsync.ingestion.files import list_files

    return {entry.url: entry.fingerprint for entry in list_files(pattern)}


def new_or_changed(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(p for p, stamp in current.items() if previous.get(p) != stamp)


def _file_sensor(config: LeadsyncConfig, source_name: str, job_name: str) -> SensorDefinition:
    pattern = config.resolve(config.source(source_name).path)

    @sensor(
        name=f"new_files_{source_name}",
        job_name=job_name,
        minimum_interval_seconds=FILE_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Starts {job_name} when a file matching {pattern} appears or changes.",
    )
    def _sense(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        previous = json.loads(context.cursor) if context.cursor else {}
        try:
            current = file_fingerprints(pattern)
        except Exception as exc:  # noqa: BLE001 - a storage hiccup is reported, not fatal
            return SkipReason(f"Could not list {pattern}: {exc}")
        changed = new_or_changed(previous, current)
        cursor = json.dumps(current, sort_keys=True)
        if not changed:
            return SensorResult(skip_reason=SkipReason(f"No new file in {pattern}."), cursor=cursor)
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=f"{source_name}:{hashlib.sha1(cursor.encode()).hexdigest()[:12]}",
                    tags={"leadsync/trigger": "new_files", "leadsync/files": ", ".join(changed)[:500]},
                )
            ],
            cursor=cursor,
        )

    return _sense


# ---------------------------------------------------------------------------------------------
# webhook landing backlog
# ---------------------------------------------------------------------------------------------
def _backlog_sensor(
    config: LeadsyncConfig, source_name: str, job_name: str, pending_count: Callable[..., int]
) -> SensorDefinition:
    @sensor(
        name=f"webhook_backlog_{source_name}",
        job_name=job_name,
        minimum_interval_seconds=BACKLOG_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Starts {job_name} when the landing store holds undrained {source_name} submissions.",
    )
    def _sense(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        pending = pending_count(config, source_name)
        if not pending:
            return SkipReason("The landing store is drained.")
        active = context.instance.get_runs(RunsFilter(job_name=job_name, statuses=_ACTIVE), limit=1)
        if active:
            return SkipReason(f"{pending} pending; a drain ({active[0].run_id}) is already under way.")
        return RunRequest(tags={"leadsync/trigger": "webhook_backlog", "leadsync/pending": str(pending)})

    return _sense


def _pending_count_fn() -> Callable[..., int] | None:
    try:
        from leadsync.ingestion.webhooks.source import pending_count
    except ImportError as exc:
        log.error("leadsync: the webhook backlog sensor is unavailable: %s", exc)
        return None
    return pending_count


# ---------------------------------------------------------------------------------------------
# chaining and alerting
# ---------------------------------------------------------------------------------------------
def _transform_after(jobs: Jobs, partitioned: list[str]) -> SensorDefinition:
    @run_status_sensor(
        name="transform_after_partitioned_loads",
        run_status=DagsterRunStatus.SUCCESS,
        monitored_jobs=[jobs.by_source[n] for n in partitioned],
        request_job=jobs.transform,
        default_status=DefaultSensorStatus.STOPPED,
        description="A date-partitioned load finished: build the transform and publish below it.",
    )
    def _chain(context: RunStatusSensorContext) -> RunRequest:
        return RunRequest(
            run_key=f"after:{context.dagster_run.run_id}",
            tags={"leadsync/trigger": f"after {context.dagster_run.job_name}"},
        )

    return _chain


def failure_message(context: RunFailureSensorContext) -> str:
    """One paragraph an on-call person can act on: which run, which step, what it said."""
    run = context.dagster_run
    parts = [f"leadsync: run {run.run_id[:8]} of `{run.job_name}` failed."]
    try:
        for event in context.get_step_failure_events():
            error = event.event_specific_data.error if event.event_specific_data else None
            while error is not None and error.cause is not None:  # Dagster wraps the real error
                error = error.cause
            message = error.message.strip().splitlines()[0] if error and error.message else "no message"
            parts.append(f"Step `{event.step_key}`: {message}")
    except Exception:  # noqa: BLE001 - the run-level message below still says something useful
        pass
    if len(parts) == 1 and context.failure_event.message:
        parts.append(context.failure_event.message)
    return " ".join(parts)


def alert_sensor_status(config: LeadsyncConfig) -> DefaultSensorStatus:
    env = config.monitoring.alert_webhook_url_env
    return DefaultSensorStatus.RUNNING if env and os.environ.get(env) else DefaultSensorStatus.STOPPED


def build_failure_sensor(config: LeadsyncConfig) -> SensorDefinition:
    @run_failure_sensor(
        name="alert_on_run_failure",
        default_status=alert_sensor_status(config),
        description="Posts failed runs to the log and the Slack-compatible webhook "
        "named by monitoring.alert_webhook_url_env.",
    )
    def alert_on_run_failure(context: RunFailureSensorContext) -> None:
        send_alert(config, failure_message(context))

    return alert_on_run_failure


def build_sensors(config: LeadsyncConfig, jobs: Jobs, partitioned_sources: set[str]) -> list[Any]:
    sensors: list[Any] = [build_failure_sensor(config)]
    pending = None
    for src in config.enabled_sources:
        job = jobs.by_source.get(src.name)
        if job is None:
            continue
        if SOURCE_TYPES[src.type].file_based:
            sensors.append(_file_sensor(config, src.name, job.name))
        elif src.type == "webhook":
            pending = pending or _pending_count_fn()
            if pending is not None:
                sensors.append(_backlog_sensor(config, src.name, job.name, pending))
    partitioned = [
        n for n in config.enabled_sources if n.name in partitioned_sources and n.name in jobs.by_source
    ]
    if partitioned and jobs.transform is not None and not config.monitoring.transform_schedule:
        sensors.append(_transform_after(jobs, [s.name for s in partitioned]))
    return sensors
