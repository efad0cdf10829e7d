"""Target accounts (type `target_accounts`) -> `raw.target_accounts` (+ `raw.quarantine`).

The companies sales wants to win, kept in a spreadsheet. The file engine (`ingestion.files`)
does listing, parsing and quarantining; this module maps the headers and quarantines an account
with neither name, domain nor website.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.files.mapping import field_sql, is_generic_id_header, map_headers, synonym_lookup
from leadsync.ingestion.files.projection import project_rows, record_tail_sql, trimmed_sql
from leadsync.ingestion.files.reader import CsvTable
from leadsync.ingestion.files.resource import Projector, file_source
from leadsync.ingestion.lead import LEAD_FIELDS
from leadsync.ingestion.raw_tables import TARGET_ACCOUNTS, TARGET_ACCOUNTS_SCHEMA
from leadsync.ingestion.source_types import TargetAccountsSource

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
SOURCE_TYPE = "target_accounts"


def accounts_projector(source: TargetAccountsSource) -> Projector:
    lookup = synonym_lookup(ACCOUNT_HEADER_SYNONYMS)

    def project(csv: CsvTable) -> Iterator[tuple[str, pa.Table]]:
        mapping = map_headers(
            csv.dialect.headers,
            synonym=lookup,
            explicit=source.columns,
            is_id_header=is_generic_id_header,
        )
        exprs = {name: field_sql(mapping, name) for name in ACCOUNT_HEADER_SYNONYMS}
        exprs.update(record_tail_sql(csv, source, mapping))
        named = " or ".join(
            f"{trimmed_sql(exprs[f])} is not null" for f in ("company_name", "company_domain", "website")
        )
        reason = f"case when not ({named}) then 'no company name, domain or website' end"
        yield from project_rows(
            csv,
            table=TARGET_ACCOUNTS,
            schema=TARGET_ACCOUNTS_SCHEMA,
            exprs=exprs,
            reason=reason,
            source_name=source.name,
            source_type=SOURCE_TYPE,
        )

    return project


def target_accounts_source(config: LeadsyncConfig, source: TargetAccountsSource) -> Any:
    """The dlt source for one configured target_accounts source: resource `target_accounts`."""
    return file_source(config, source, accounts_projector(source))


__all__ = ["target_accounts_source", "ACCOUNT_HEADER_SYNONYMS"]
