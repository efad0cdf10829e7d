"""The runnable units: one job per source (its load, then the transform and publish below it),
the default sync (every source on the default schedule), the full sync and the transform alone.

Why a job per source: sources run on different clocks (cron per source) and sensors react to one
source's new files. Its job selects the source's dlt assets and everything downstream, so the
transform always runs after the loads it depends on, in the same run. A date-partitioned source
(API sources with `start_date`) cannot share a job with unpartitioned assets, so its job only
loads; the `transform_after_partitioned_loads` sensor then starts the transform job.

Executors: a source's job and the transform job are one chain of steps that cannot overlap
(each needs the one before, and every warehouse step holds the single `leadsync_warehouse`
slot), so they run in one process (`in_process_executor`): the code location loads once per
run instead of once per step. `full_sync` and `default_sync` keep the multiprocess executor:
their loads are independent steps, which run side by side when the pool has more than one slot
(a PostgreSQL warehouse).

Retries: `op_retry_policy` retries what a retry can fix; steps raise `Failure(allow_retries=False)`
for what it cannot (see orchestration/retries.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import (
    AssetKey,
    AssetSelection,
    RetryPolicy,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.assets.ingestion import IngestionAssets
from leadsync.orchestration.resources import TRANSIENT_RETRY_POLICY

FULL_SYNC_JOB = "full_sync"
DEFAULT_SYNC_JOB = "default_sync"
TRANSFORM_JOB = "transform_and_publish"


def sync_job_name(source_name: str) -> str:
    return f"sync_{source_name}"


@dataclass
class Jobs:
    by_source: dict[str, UnresolvedAssetJobDefinition] = field(default_factory=dict)
    default_sync: UnresolvedAssetJobDefinition | None = None
    full_sync: UnresolvedAssetJobDefinition | None = None
    transform: UnresolvedAssetJobDefinition | None = None
    default_scheduled_sources: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[UnresolvedAssetJobDefinition]:
        jobs = [*self.by_source.values(), self.default_sync, self.full_sync, self.transform]
        return [j for j in jobs if j is not None]


def build_jobs(
    config: LeadsyncConfig, ingestion: IngestionAssets, retry_policy: RetryPolicy = TRANSIENT_RETRY_POLICY
) -> Jobs:
    """Jobs for the configured sources (see the module docstring for why each exists)."""
    jobs = Jobs()
    separate_transform = config.monitoring.transform_schedule is not None
    all_dlt_keys: list[AssetKey] = [k for keys in ingestion.keys_by_source.values() for k in keys]
    partitioned_keys = [k for name in ingestion.partitioned_sources for k in ingestion.keys_by_source[name]]
    downstream_only = AssetSelection.all() - AssetSelection.assets(*all_dlt_keys)

    def with_downstream(keys: list[AssetKey]) -> AssetSelection:
        loads = AssetSelection.assets(*keys)
        if separate_transform:
            return loads
        return (loads.downstream() - AssetSelection.assets(*partitioned_keys)) | loads

    for src in config.enabled_sources:
        keys = ingestion.keys_by_source.get(src.name, [])
        if not keys:
            continue
        partitioned = src.name in ingestion.partitioned_sources
        selection = AssetSelection.assets(*keys) if partitioned else with_downstream(keys)
        jobs.by_source[src.name] = define_asset_job(
            sync_job_name(src.name),
            selection=selection,
            op_retry_policy=retry_policy,
            executor_def=in_process_executor,
            description=f"Load {src.name} ({src.type})"
            + ("" if partitioned or separate_transform else ", then transform and publish."),
            tags={"leadsync/source": src.name},
        )
        if src.schedule is None and not partitioned:
            jobs.default_scheduled_sources.append(src.name)

    default_keys = [k for name in jobs.default_scheduled_sources for k in ingestion.keys_by_source[name]]
    if default_keys:
        jobs.default_sync = define_asset_job(
            DEFAULT_SYNC_JOB,
            selection=with_downstream(default_keys),
            op_retry_policy=retry_policy,
            executor_def=multiprocess_executor,
            description="Load every source on the default schedule, then transform and publish.",
        )
    jobs.full_sync = define_asset_job(
        FULL_SYNC_JOB,
        selection=AssetSelection.all() - AssetSelection.assets(*partitioned_keys),
        op_retry_policy=retry_policy,
        executor_def=multiprocess_executor,
        description="Load every (unpartitioned) source, transform and publish: what `leadsync sync` does.",
    )
    jobs.transform = define_asset_job(
        TRANSFORM_JOB,
        selection=downstream_only,
        op_retry_policy=retry_policy,
        executor_def=in_process_executor,
        description="dbt build (models + tests), then the BI copy and the report.",
    )
    return jobs
