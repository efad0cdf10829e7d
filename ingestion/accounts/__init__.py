"""Target accounts (type `target_accounts`) and marketing spend (type `spend_csv`) files.

Both are small reference files sales and marketing keep in a spreadsheet. They share the CSV
source's file machinery; this module maps their headers and decides which rows are unusable:
an account with neither name nor domain, a spend row without source, month (YYYY-MM) or amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.csv_files.mapping import (
    custom_fields_sql,
    field_sql,
    map_headers,
    record_id_sql,
    synonym_lookup,
)
from leadsync.ingestion.csv_files.projection import project_rows
from leadsync.ingestion.csv_files.reader import CsvTable, sql_literal
from leadsync.ingestion.csv_files.resource import Projector, file_source, received_at_sql
from leadsync.ingestion.lead import LEAD_FIELDS, header_key
from leadsync.ingestion.raw_tables import SPEND, SPEND_SCHEMA, TARGET_ACCOUNTS, TARGET_ACCOUNTS_SCHEMA
from leadsync.ingestion.source_types import SpendCsvSource, TargetAccountsSource

_LEAD_SYNONYMS = {f.name: f.synonyms for f in LEAD_FIELDS}
ACCOUNT_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "company_name": (*_LEAD_SYNONYMS["company_name"], "target account", "account", "customer name"),
    "company_domain": (*_LEAD_SYNONYMS["company_domain"], "website domain", "web domain", "primary domain"),
    "website": _LEAD_SYNONYMS["website"],
    "country": _LEAD_SYNONYMS["country"],
    "industry": _LEAD_SYNONYMS["industry"],
    "employee_count": _LEAD_SYNONYMS["employee_count"],
    "account_owner": (
        "owner",
        "account owner",
        "rep",
        "sales rep",
        "ae",
        "account executive",
        "assigned to",
        "owner name",
    ),
    "tier": ("tier", "account tier", "abm tier", "priority", "segment", "target tier", "icp tier"),
}
SPEND_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_source_name": ("source", "source name", "lead source", "lead source name", "leadsync source"),
    "channel": ("channel", "sub channel", "medium", "platform"),
    "month": ("month", "period", "month year", "date", "spend month", "billing month"),
    "amount": ("amount", "spend", "cost", "budget", "total", "spend amount", "total spend", "costs"),
    "currency": ("currency", "ccy", "cur", "currency code"),
}
_ID_HEADERS = frozenset(header_key(h) for h in ("id", "record id", "account id", "row id"))
ACCOUNTS_SOURCE_TYPE = "target_accounts"
SPEND_SOURCE_TYPE = "spend_csv"


def _trimmed(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _common(csv: CsvTable, source: Any, mapping: Any) -> dict[str, str]:
    return {
        "source_name": sql_literal(source.name),
        "source_record_id": record_id_sql(mapping),
        "custom_fields": custom_fields_sql(mapping),
        "source_location": sql_literal(csv.entry.url),
        "source_line": "_line",
        "received_at": received_at_sql(csv.entry),
    }


def accounts_projector(source: TargetAccountsSource) -> Projector:
    lookup = synonym_lookup(ACCOUNT_HEADER_SYNONYMS)

    def project(csv: CsvTable) -> Iterator[tuple[str, pa.Table]]:
        mapping = map_headers(
            csv.dialect.headers,
            synonym=lookup,
            explicit=source.columns,
            is_id_header=lambda h: header_key(h) in _ID_HEADERS,
        )
        exprs = {name: field_sql(mapping, name) for name in ACCOUNT_HEADER_SYNONYMS}
        exprs.update(_common(csv, source, mapping))
        named = " or ".join(
            f"{_trimmed(exprs[f])} is not null" for f in ("company_name", "company_domain", "website")
        )
        reason = f"case when not ({named}) then 'no company name, domain or website' end"
        yield from project_rows(
            csv,
            table=TARGET_ACCOUNTS,
            schema=TARGET_ACCOUNTS_SCHEMA,
            exprs=exprs,
            reason=reason,
            source_name=source.name,
            source_type=ACCOUNTS_SOURCE_TYPE,
        )

    return project


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
            is_id_header=lambda h: header_key(h) in _ID_HEADERS,
        )
        raw = {name: field_sql(mapping, name) for name in SPEND_HEADER_SYNONYMS}
        month = month_sql(raw["month"])
        exprs = {**{k: _trimmed(v) for k, v in raw.items()}, "month": month, **_common(csv, source, mapping)}
        reason = (
            f"case when {_trimmed(raw['lead_source_name'])} is null then 'no lead source name'"
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
            source_type=SPEND_SOURCE_TYPE,
        )

    return project


def target_accounts_source(config: LeadsyncConfig, source: TargetAccountsSource) -> Any:
    """The dlt source for one configured target_accounts source: resource `target_accounts`."""
    return file_source(config, source, accounts_projector(source))


def spend_source(config: LeadsyncConfig, source: SpendCsvSource) -> Any:
    """The dlt source for one configured spend_csv source: resource `spend`."""
    return file_source(config, source, spend_projector(source))


__all__ = ["target_accounts_source", "spend_source", "ACCOUNT_HEADER_SYNONYMS", "SPEND_HEADER_SYNONYMS"]
