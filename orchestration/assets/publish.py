"""What leaves the warehouse after a transform: the BI copy, and the marketing report.

The BI copy depends on every mart, so it runs only once the whole transform succeeded (a failed
blocking dbt test stops it and BI keeps the last good copy). The report reads the BI copy.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import logging
from collections.abc import Sequence
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.bi_copy import MARTS_SCHEMA, mart_tables, open_bi_copy, publish_bi_copy
from leadsync.orchestration.resources import WAREHOUSE_POOL

PUBLISH_GROUP = "publish"
BI_COPY_KEY = AssetKey("bi_copy")
REPORT_KEY = AssetKey("source_quality_report")

log = logging.getLogger("leadsync.orchestration")


def build_bi_copy_asset(config: LeadsyncConfig, mart_keys: Sequence[AssetKey]) -> AssetsDefinition:
    @asset(
        key=BI_COPY_KEY,
        deps=list(mart_keys),
        group_name=PUBLISH_GROUP,
        pool=WAREHOUSE_POOL,  # it reads the warehouse, which a writer would hold locked
        kinds={"duckdb"},
        description="Read-only copy of the marts for BI tools (`warehouse.bi_copy`), swapped in atomically.",
    )
    def bi_copy(context: AssetExecutionContext) -> MaterializeResult:
        path = publish_bi_copy(config)
        con = open_bi_copy(config)
        try:
            tables = mart_tables(con, con.execute("select current_database()").fetchone()[0])
            counts = {
                t: con.execute(f'select count(*) from {MARTS_SCHEMA}."{t}"').fetchone()[0] for t in tables
            }
        except duckdb.Error:
            counts = {}
        finally:
            con.close()
        meta: dict[str, Any] = {
            "path": MetadataValue.path(str(path)),
            "tables": MetadataValue.json(counts),
        }
        if config.warehouse.bi_parquet_dir:
            meta["parquet_dir"] = MetadataValue.path(config.resolve(config.warehouse.bi_parquet_dir))
        return MaterializeResult(metadata=meta)

    return bi_copy


def build_report_asset(config: LeadsyncConfig) -> AssetsDefinition | None:
    """The HTML source-quality report, when the reporting package provides `build_report`.

    Guarded so the orchestration does not depend on the report being finished; a real error
    inside `reporting` is logged loudly rather than hidden.
    """
    try:
        from leadsync.reporting import build_report
    except ImportError as exc:
        log.warning("leadsync: the report asset is not available (%s)", exc)
        return None

    @asset(
        key=REPORT_KEY,
        deps=[BI_COPY_KEY],
        group_name=PUBLISH_GROUP,
        kinds={"html"},
        description="The source-quality report (one self-contained HTML file), built from the BI copy.",
    )
    def source_quality_report(context: AssetExecutionContext) -> MaterializeResult:
        out_path = config.state_dir.parent / "report.html"
        written = build_report(config, out_path)
        return MaterializeResult(metadata={"path": MetadataValue.path(str(written or out_path))})

    return source_quality_report
