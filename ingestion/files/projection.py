"""Turning a parsed file into output rows plus quarantined rows, in SQL, for any file source.

A source kind describes its output as {column: SQL expression} over `numbered` and, optionally,
a SQL expression giving the reason a row cannot be used (NULL when it can). Rows with a reason go
to quarantine with the row's text; the rest to the main table. Both are fetched as Arrow batches.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any

import pyarrow as pa

from leadsync.ingestion.files.listing import FileEntry
from leadsync.ingestion.files.mapping import HeaderMapping, custom_fields_sql, record_id_sql
from leadsync.ingestion.files.reader import CsvTable, sql_literal
from leadsync.ingestion.raw_tables import QUARANTINE, QUARANTINE_SCHEMA

# dlt's own row id. The file sources make it while projecting (DuckDB, vectorised) because dlt
# would otherwise rewrite every Parquet file it extracted just to add it (see resource.py).
ROW_ID = "_dlt_id"
ROW_ID_SQL = f"gen_random_uuid()::varchar as {ROW_ID}"


def received_at_sql(entry: FileEntry) -> str:
    """The file's modification time (UTC) as a SQL timestamp literal."""
    ts = entry.modified_at.astimezone(UTC).replace(tzinfo=None)
    return f"TIMESTAMP '{ts.isoformat(sep=' ')}'"


def trimmed_sql(expr: str) -> str:
    """The value trimmed, NULL when nothing is left."""
    return f"nullif(trim({expr}), '')"


def record_tail_sql(csv: CsvTable, source: Any, mapping: HeaderMapping) -> dict[str, str]:
    """The columns every reference-file row carries: source, record id, custom fields, provenance."""
    return {
        "source_name": sql_literal(source.name),
        "source_record_id": record_id_sql(mapping),
        "custom_fields": custom_fields_sql(mapping),
        "source_location": sql_literal(csv.entry.url),
        "source_line": "_line",
        "received_at": received_at_sql(csv.entry),
    }


def with_row_id(schema: pa.Schema) -> pa.Schema:
    return schema.append(pa.field(ROW_ID, pa.string()))


def add_row_ids(table: pa.Table) -> pa.Table:
    """Row ids for the few rows built in Python (rejected lines, unreadable files)."""
    return table.append_column(
        ROW_ID, pa.array([uuid.uuid4().hex for _ in range(table.num_rows)], pa.string())
    )


def row_text_sql(csv: CsvTable) -> str:
    """The row re-joined with its delimiter: what the line said, for quarantine's raw_content."""
    cells = ", ".join(f"coalesce({c}, '')" for c in csv.columns)
    return f"concat_ws({sql_literal(csv.dialect.delimiter)}, {cells})"


def project_rows(
    csv: CsvTable,
    *,
    table: str,
    schema: pa.Schema,
    exprs: Mapping[str, str],
    reason: str | None = None,
    source_name: str,
    source_type: str,
    record_id: str = "source_record_id",
) -> Iterator[tuple[str, pa.Table]]:
    """Yield (table, rows) for usable rows and (quarantine, rows) for rows with a reason."""
    select = ",\n  ".join([*(f"{exprs[name]} as {name}" for name in schema.names), ROW_ID_SQL])
    out_schema = with_row_id(schema)
    if reason is None:
        for batch in csv.batches(f"select\n  {select}\nfrom numbered", out_schema):
            yield table, batch
        return
    base = f"with checked as (select *, {reason} as _reason from numbered)"
    kept = f"{base}\nselect\n  {select}\nfrom checked where _reason is null"
    for batch in csv.batches(kept, out_schema):
        yield table, batch
    rejected = (
        f"{base}\nselect {sql_literal(source_name)} as source_name, {sql_literal(source_type)} as source_type,"
        f" {sql_literal(csv.entry.url)} as source_location, _line as source_line,"
        f" {exprs[record_id]} as source_record_id, _reason as reason,"
        f" {row_text_sql(csv)} as raw_content, (now() at time zone 'UTC') as quarantined_at, {ROW_ID_SQL}"
        f" from checked where _reason is not null"
    )
    for batch in csv.batches(rejected, with_row_id(QUARANTINE_SCHEMA)):
        yield QUARANTINE, batch
