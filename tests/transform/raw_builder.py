"""Write small raw tables straight into a DuckDB file, as dlt would (schema `raw`, `_dlt_load_id`).

Tests of the dbt project use this instead of the ingestion code: they pin the transform's
behaviour on exact inputs, independent of the loaders being written in parallel.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from leadsync.ingestion import lead, raw_tables, source_types

SCHEMAS: dict[str, pa.Schema] = {
    **{t: lead.raw_lead_schema() for t in source_types.lead_tables()},
    raw_tables.ACTIVITY_EVENTS: raw_tables.ACTIVITY_SCHEMA,
    raw_tables.TARGET_ACCOUNTS: raw_tables.TARGET_ACCOUNTS_SCHEMA,
    raw_tables.SPEND: raw_tables.SPEND_SCHEMA,
    raw_tables.QUARANTINE: raw_tables.QUARANTINE_SCHEMA,
}


def append_raw(db_path: Path, table: str, rows: list[dict[str, Any]], load_id: str) -> None:
    """Append rows (dicts keyed by the table's columns; missing keys are null) as one dlt load."""
    schema = SCHEMAS[table]
    batch = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)
    batch = batch.append_column("_dlt_load_id", pa.array([load_id] * len(rows), pa.string()))
    batch = batch.append_column("_dlt_id", pa.array([uuid.uuid4().hex[:14] for _ in rows], pa.string()))
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {raw_tables.RAW_DATASET}")
        con.register("batch", batch)
        con.execute(
            f"create table if not exists {raw_tables.RAW_DATASET}.{table} as select * from batch where false"
        )
        con.execute(f"insert into {raw_tables.RAW_DATASET}.{table} select * from batch")
