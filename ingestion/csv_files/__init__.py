"""CSV lead files (type `csv`): local globs or fsspec URLs -> `raw.csv_leads` (+ `raw.quarantine`).

Pipeline per file: fingerprint check (dlt resource state) -> encoding/delimiter detection
(`dialect`) -> DuckDB parse with rejected lines kept (`reader`) -> header mapping (`mapping`) ->
SQL projection to the canonical lead (`leads`) -> Arrow batches of ~100k rows.
"""

from __future__ import annotations

from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.csv_files.leads import project_leads
from leadsync.ingestion.csv_files.resource import file_source
from leadsync.ingestion.source_types import CsvSource


def csv_leads_source(config: LeadsyncConfig, source: CsvSource) -> Any:
    """The dlt source for one configured csv source: resource `csv_leads`, append-only."""
    return file_source(config, source, project_leads(source))


__all__ = ["csv_leads_source"]
