"""CSV lead exports -> `raw.csv_leads` rows with exactly `lead.raw_lead_schema()`.

The projection is one SQL statement over the parsed file: canonical fields by header mapping,
names split from a single name column, config defaults for channel/campaign, everything else
into `custom_fields`, and a record id from the file or a content hash.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from leadsync.ingestion.files.mapping import (
    HeaderMapping,
    custom_fields_sql,
    field_sql,
    map_headers,
    record_id_sql,
)
from leadsync.ingestion.files.projection import project_rows, received_at_sql
from leadsync.ingestion.files.reader import CsvTable, sql_literal
from leadsync.ingestion.files.resource import Projector
from leadsync.ingestion.lead import (
    LEAD_FIELD_NAMES,
    canonical_field_for,
    is_record_id_header,
    raw_lead_schema,
)
from leadsync.ingestion.raw_tables import CSV_LEADS
from leadsync.ingestion.source_types import CsvSource

SOURCE_TYPE = "csv"


def lead_mapping(headers: tuple[str, ...], source: CsvSource) -> HeaderMapping:
    return map_headers(
        headers,
        synonym=canonical_field_for,
        explicit=source.columns,
        id_column=source.id_column,
        is_id_header=is_record_id_header,
    )


def first_name_sql(full: str) -> str:
    """'Lovelace, Ada' -> 'Ada'; 'Ada Lovelace' -> 'Ada'; 'Ada' -> 'Ada'."""
    return (
        f"case when strpos({full}, ',') > 0 then nullif(trim(split_part({full}, ',', 2)), '')"
        f" else nullif(split_part(trim({full}), ' ', 1), '') end"
    )


def last_name_sql(full: str) -> str:
    """'Lovelace, Ada' -> 'Lovelace'; 'Ludwig van Beethoven' -> 'van Beethoven' (particles kept)."""
    return (
        f"case when strpos({full}, ',') > 0 then nullif(trim(split_part({full}, ',', 1)), '')"
        f" else nullif(trim(substr(trim({full}), length(split_part(trim({full}), ' ', 1)) + 1)), '') end"
    )


def _field_exprs(mapping: HeaderMapping, source: CsvSource) -> dict[str, str]:
    exprs = {name: field_sql(mapping, name) for name in LEAD_FIELD_NAMES}
    full = mapping.column("full_name")
    if full is not None:
        # a row's own first/last win; the single name column fills what is missing
        exprs["first_name"] = f"coalesce({exprs['first_name']}, {first_name_sql(full)})"
        exprs["last_name"] = f"coalesce({exprs['last_name']}, {last_name_sql(full)})"
    if source.channel:
        exprs["channel"] = f"coalesce({exprs['channel']}, {sql_literal(source.channel)})"
    if source.campaign:
        exprs["campaign_name"] = f"coalesce({exprs['campaign_name']}, {sql_literal(source.campaign)})"
    return exprs


def lead_exprs(csv: CsvTable, source: CsvSource) -> dict[str, str]:
    """SQL expression (over `numbered`) for every raw_lead_schema() column."""
    mapping = lead_mapping(csv.dialect.headers, source)
    meta = {
        "source_name": sql_literal(source.name),
        "source_type": sql_literal(SOURCE_TYPE),
        "lead_origin": sql_literal(source.origin),
        "source_record_id": record_id_sql(mapping),
        "received_at": received_at_sql(csv.entry),
        "is_test": "false",
        "custom_fields": custom_fields_sql(mapping),
        "source_location": sql_literal(csv.entry.url),
        "source_line": "_line",
    }
    return {**meta, **_field_exprs(mapping, source)}


def project_leads(source: CsvSource) -> Projector:
    """The Projector for a csv source. Every parsed row is loaded: validity is dbt's call."""
    schema = raw_lead_schema()

    def project(csv: CsvTable) -> Iterator[tuple[str, pa.Table]]:
        yield from project_rows(
            csv,
            table=CSV_LEADS,
            schema=schema,
            exprs=lead_exprs(csv, source),
            source_name=source.name,
            source_type=SOURCE_TYPE,
        )

    return project
