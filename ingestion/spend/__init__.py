"""Marketing spend files (type `spend_csv`) -> `raw.spend` (+ `raw.quarantine`).

What each lead source cost per month, kept by marketing in a spreadsheet. The file engine
(`ingestion.files`) does listing, parsing and quarantining; this module maps the headers and
decides which rows are unusable: a row without lead source, month (YYYY-MM) or amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.files.mapping import field_sql, is_generic_id_header, map_headers, synonym_lookup
from leadsync.ingestion.files.projection import project_rows, record_tail_sql, trimmed_sql
from leadsync.ingestion.files.reader import CsvTable, sql_literal
from leadsync.ingestion.files.resource import Projector, file_source
from leadsync.ingestion.raw_tables import SPEND, SPEND_SCHEMA
from leadsync.ingestion.source_types import SpendCsvSource

SPEND_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_source_name": ("source", "source name", "lead source", "lead source name", "leadsync source"),
    "channel": ("channel", "sub channel", "medium", "platform"),
    "month": ("month", "period", "month year", "date", "spend month", "billing month"),
    "amount": ("amount", "spend", "cost", "budget", "total", "spend amount", "total spend", "costs"),
    "currency": ("currency", "ccy", "cur", "currency code"),
}
SOURCE_TYPE = "spend_csv"


def month_sql(expr: str) -> str:
    """YYYY-MM from 'YYYY-MM', 'YYYY-MM-DD', 'YYYY/MM' or 'MM/YYYY'; NULL when it is none of them."""
    t = f"trim({expr})"
    return (
        f"case when regexp_full_match({t}, '\\d{{4}}[-/]\\d{{1,2}}([-/]\\d{{1,2}})?')"
        f" then regexp_extract({t}, '^(\\d{{4}})', 1) || '-' || lpad(regexp_extract({t}, '^\\d{{4}}[-/](\\d{{1,2}})', 1), 2, '0')"
        f" when regexp_full_match({t}, '\\d{{1,2}}[-/]\\d{{4}}')"
        f" then regexp_extract({t}, '(\\d{{4}})$', 1) || '-' || lpad(regexp_extract({t}, '^(\\d{{1,2}})', 1), 2, '0')"
        " end"
    )


AMOUNT_PATTERN = r"[-+]?\s*[$€£]?\s*[0-9][0-9.,' ]*\s*[$€£]?"


def spend_projector(source: SpendCsvSource) -> Projector:
    lookup = synonym_lookup(SPEND_HEADER_SYNONYMS)

    def project(csv: CsvTable) -> Iterator[tuple[str, pa.Table]]:
        mapping = map_headers(
            csv.dialect.headers,
            synonym=lookup,
            explicit=source.columns,
            is_id_header=is_generic_id_header,
        )
        raw = {name: field_sql(mapping, name) for name in SPEND_HEADER_SYNONYMS}
        month = month_sql(raw["month"])
        exprs = {
            **{k: trimmed_sql(v) for k, v in raw.items()},
            "month": month,
            **record_tail_sql(csv, source, mapping),
        }
        reason = (
            f"case when {trimmed_sql(raw['lead_source_name'])} is null then 'no lead source name'"
            f" when {month} is null or substr({month}, 6, 2)::int not between 1 and 12"
            f" then 'month is not YYYY-MM: ' || coalesce({raw['month']}, '(empty)')"
            f" when not regexp_full_match(coalesce(trim({raw['amount']}), ''), {sql_literal(AMOUNT_PATTERN)})"
            f" then 'amount is not a number: ' || coalesce({raw['amount']}, '(empty)')"
            " end"
        )
        yield from project_rows(
            csv,
            table=SPEND,
            schema=SPEND_SCHEMA,
            exprs=exprs,
            reason=reason,
            source_name=source.name,
            source_type=SOURCE_TYPE,
        )

    return project


def spend_source(config: LeadsyncConfig, source: SpendCsvSource) -> Any:
    """The dlt source for one configured spend_csv source: resource `spend`."""
    return file_source(config, source, spend_projector(source))


__all__ = ["spend_source", "month_sql", "SPEND_HEADER_SYNONYMS"]
