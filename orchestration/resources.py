"""Resources and execution policies shared by every leadsync asset.

DuckDB lets exactly one process write a database file. Every asset that writes the warehouse
(dlt loads, the dbt build, the BI publish) and every check that reads it runs in the Dagster
concurrency pool `WAREHOUSE_POOL`; the instance limits that pool to one slot (see the
`dagster.yaml` at the repository root: `concurrency.pools.default_limit: 1`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagster import Backoff, Jitter, RetryPolicy
from dagster_dlt import DagsterDltResource

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.dbt_project import dbt_resource

WAREHOUSE_POOL = "leadsync_warehouse"

# Transient failures (an API rate limit, a flaky network, a lock held a moment too long) are
# retried with exponential backoff: 30s, 60s, 120s (+-jitter so retries do not align).
TRANSIENT_RETRY_POLICY = RetryPolicy(
    max_retries=3,
    delay=30,
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)


def build_resources(config: LeadsyncConfig, dbt_project_dir: Path | None = None) -> dict[str, Any]:
    """The resources the assets use: `dlt` (runs dlt pipelines) and `dbt` (runs the dbt CLI)."""
    return {"dlt": DagsterDltResource(), "dbt": dbt_resource(config, dbt_project_dir)}
