"""Sensors: start a source's sync when it has something new, chain the transform after
partitioned loads, and alert when any run fails.

- `new_files_<source>`: a file source's glob (local or any fsspec URL) shows a new or changed file.
- `webhook_backlog_<source>`: the webhook landing store holds undrained submissions.
- `transform_after_partitioned_loads`: a date-partitioned load succeeded; build what is below it.
- `alert_on_run_failure`: the log and the configured Slack-compatible webhook hear about it.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import hashlib
import json
import logging
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
def list_files(pattern: str) -> dict[str, str]:
    """Path -> a version stamp (modification time, else size) for every file the glob matches."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(pattern)
    found = fs.glob(path, detail=True)
    out: dict[str, str] = {}
    for name, info in found.items():
        if info.get("type") == "directory":
            continue
        stamp = info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("size")
        out[str(name)] = str(stamp)
    return out


def new_or_changed(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(p for p, stamp in current.items() if previous.get(p) != stamp)


def _file_sensor(config: LeadsyncConfig, source_name: str, job_name: str) -> SensorDefinition:
    pattern = config.resolve(config.source(source_name).path)

    @sensor(
        name=f"new_files_{source_name}",
        job_name=job_name,
        minimum_interval_seconds=FILE_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Starts {job_name} when a file matching {pattern} appears or changes.",
    )
    def _sense(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        previous = json.loads(context.cursor) if context.cursor else {}
        try:
            current = list_files(pattern)
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
        default_status=DefaultSensorStatus.RUNNING,
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
        default_status=DefaultSensorStatus.RUNNING,
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


def build_failure_sensor(config: LeadsyncConfig) -> SensorDefinition:
    @run_failure_sensor(
        name="alert_on_run_failure",
        default_status=DefaultSensorStatus.RUNNING,
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
