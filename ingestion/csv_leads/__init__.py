"""CSV lead files (type `csv`): local globs or fsspec URLs -> `raw.csv_leads` (+ `raw.quarantine`).

The file engine (`ingestion.files`) lists, decompresses, recovers and parses each file; this
source only projects its rows onto the canonical lead (`projection`): header mapping, names
split from a single name column, custom fields, record ids.
"""

from __future__ import annotations

from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.csv_leads.projection import project_leads
from leadsync.ingestion.files.resource import file_source
from leadsync.ingestion.source_types import CsvSource


def csv_leads_source(config: LeadsyncConfig, source: CsvSource) -> Any:
    """The dlt source for one configured csv source: resource `csv_leads`, append-only."""
    return file_source(config, source, project_leads(source))


__all__ = ["csv_leads_source"]
