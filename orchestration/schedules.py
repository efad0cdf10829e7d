"""Schedules from the config: a cron per source (`schedule:`), `monitoring.default_schedule` for
the rest, and `monitoring.transform_schedule` when the transform runs on its own clock.

They start STOPPED: opening the UI never starts work. Turn one on in the UI (Automation ->
the schedule -> toggle) or with `dagster schedule start <name> -w workspace.yaml`; the daemon
(`dagster dev` runs one) then launches it on its cron.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.assets.ingestion import IngestionAssets, partitions_for
from leadsync.orchestration.jobs import Jobs

DEFAULT_TIMEZONE = "UTC"


def schedule_name(job_name: str) -> str:
    return f"{job_name}_schedule"


def _partitioned_schedule(config: LeadsyncConfig, source_name: str, jobs: Jobs) -> ScheduleDefinition:
    """Each tick loads the current day's partition (older days: launch a backfill in the UI)."""
    src = config.source(source_name)
    job = jobs.by_source[source_name]
    partitions_def = partitions_for(config, source_name)
    assert partitions_def is not None

    @schedule(
        name=schedule_name(job.name),
        job=job,
        cron_schedule=src.schedule or config.monitoring.default_schedule,
        execution_timezone=DEFAULT_TIMEZONE,
        default_status=DefaultScheduleStatus.STOPPED,
    )
    def _tick(context: ScheduleEvaluationContext) -> RunRequest:
        keys = partitions_def.get_partition_keys(current_time=context.scheduled_execution_time)
        return RunRequest(partition_key=keys[-1])

    return _tick


def build_schedules(
    config: LeadsyncConfig, ingestion: IngestionAssets, jobs: Jobs
) -> list[ScheduleDefinition]:
    schedules: list[ScheduleDefinition] = []
    if jobs.default_sync is not None:
        schedules.append(
            ScheduleDefinition(
                name=schedule_name(jobs.default_sync.name),
                job=jobs.default_sync,
                cron_schedule=config.monitoring.default_schedule,
                execution_timezone=DEFAULT_TIMEZONE,
                default_status=DefaultScheduleStatus.STOPPED,
            )
        )
    for src in config.enabled_sources:
        if src.name not in jobs.by_source:
            continue
        if src.name in ingestion.partitioned_sources:
            schedules.append(_partitioned_schedule(config, src.name, jobs))
        elif src.schedule:
            job = jobs.by_source[src.name]
            schedules.append(
                ScheduleDefinition(
                    name=schedule_name(job.name),
                    job=job,
                    cron_schedule=src.schedule,
                    execution_timezone=DEFAULT_TIMEZONE,
                    default_status=DefaultScheduleStatus.STOPPED,
                )
            )
    if config.monitoring.transform_schedule and jobs.transform is not None:
        schedules.append(
            ScheduleDefinition(
                name=schedule_name(jobs.transform.name),
                job=jobs.transform,
                cron_schedule=config.monitoring.transform_schedule,
                execution_timezone=DEFAULT_TIMEZONE,
                default_status=DefaultScheduleStatus.STOPPED,
            )
        )
    return schedules
