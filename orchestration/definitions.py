"""The Dagster code location: Definitions built from leadsync.yaml.

`workspace.yaml` points here; `dagster dev` finds `defs`, which loads the config the same way
the CLI does (`$LEADSYNC_CONFIG`, else ./leadsync.yaml) when the code location loads, not when
this module is imported. Tests call `build_definitions(config, ...)` with their own config,
dbt target folder and (optionally) a small dbt project.

The graph: dlt assets (one multi-asset per configured source) -> dbt models (staging,
intermediate, marts; dbt tests as checks) -> bi_copy -> source_quality_report.
"""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey, Definitions, RetryPolicy, definitions

from leadsync.ingestion.config import LeadsyncConfig, load_config
from leadsync.orchestration.assets.ingestion import build_ingestion_assets
from leadsync.orchestration.assets.publish import build_bi_copy_asset, build_report_asset
from leadsync.orchestration.assets.transform import MARTS_GROUP, build_transform_assets
from leadsync.orchestration.checks import build_checks
from leadsync.orchestration.dbt_project import default_dbt_target
from leadsync.orchestration.jobs import build_jobs
from leadsync.orchestration.resources import TRANSIENT_RETRY_POLICY, build_resources
from leadsync.orchestration.schedules import build_schedules
from leadsync.orchestration.sensors import build_sensors


def build_definitions(
    config: LeadsyncConfig,
    *,
    dbt_target_path: Path | None = None,
    dbt_project_dir: Path | None = None,
    with_report: bool = True,
    retry_policy: RetryPolicy = TRANSIENT_RETRY_POLICY,
) -> Definitions:
    """Everything Dagster runs for this config: assets, checks, jobs, schedules, sensors."""
    target = Path(dbt_target_path or default_dbt_target(config))
    ingestion = build_ingestion_assets(config)
    transform = build_transform_assets(config, ingestion.keys_by_raw_table, target, dbt_project_dir)
    mart_keys = [k for k in transform.keys if transform.group_names_by_key.get(k) == MARTS_GROUP]
    assets = [*ingestion.assets, transform, build_bi_copy_asset(config, mart_keys)]
    report = build_report_asset(config) if with_report else None
    if report is not None:
        assets.append(report)
    asset_keys: set[AssetKey] = {k for a in assets for k in a.keys}
    jobs = build_jobs(config, ingestion, retry_policy)
    return Definitions(
        assets=assets,
        asset_checks=build_checks(config, asset_keys),
        jobs=jobs.all,
        schedules=build_schedules(config, ingestion, jobs),
        sensors=build_sensors(config, jobs, ingestion.partitioned_sources),
        resources=build_resources(config, dbt_project_dir),
    )


@definitions
def defs() -> Definitions:
    """The code location `workspace.yaml` loads."""
    return build_definitions(load_config())
