"""The dlt resource every file source shares: list, skip unchanged files, parse, project, quarantine.

A source kind supplies only its projection (`Projector`): given one parsed file, the Arrow tables
to write, each tagged with its raw table. Listing, incremental state, encoding, parsing and
quarantining of unparseable lines and unreadable files live here once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.files.dialect import UnreadableFile
from leadsync.ingestion.files.listing import FileEntry, ScratchDir, changed_files, list_files, read_head
from leadsync.ingestion.files.projection import add_row_ids
from leadsync.ingestion.files.reader import CsvTable, open_csv
from leadsync.ingestion.pipeline import pipeline_name
from leadsync.ingestion.raw_tables import QUARANTINE, quarantine_table
from leadsync.ingestion.source_types import main_table

# (raw table name, rows) pairs for one file
Projector = Callable[[CsvTable], Iterator[tuple[str, pa.Table]]]
STATE_KEY = "file_fingerprints"


def _head_text(entry: FileEntry, n_bytes: int = 200) -> str:
    """What the file starts with, bytes escaped, so a person can see what it was."""
    try:
        head = read_head(entry, n_bytes)
    except OSError as err:
        return f"({entry.size} bytes; cannot be opened: {err})"
    return f"({entry.size} bytes) " + head.decode("utf-8", errors="backslashreplace")


def _unreadable(source: Any, entry: FileEntry, reason: str) -> pa.Table:
    return quarantine_table(
        [
            {
                "source_name": source.name,
                "source_type": source.type,
                "source_location": entry.url,
                "reason": f"file not readable: {reason}",
                "raw_content": _head_text(entry),
                "quarantined_at": datetime.now(UTC),
            }
        ]
    )


def read_file(
    entry: FileEntry, source: Any, project: Projector, scratch: Any
) -> Iterator[tuple[str, pa.Table]]:
    """Every output table for one file: its rows, its rejected lines, or one row for an unreadable file."""
    try:
        with open_csv(
            entry,
            scratch,
            source_name=source.name,
            source_type=source.type,
            encoding=source.encoding,
            delimiter=source.delimiter,
        ) as csv:
            if csv.rejects.num_rows:
                yield QUARANTINE, add_row_ids(csv.rejects)
            yield from project(csv)
    except UnreadableFile as err:
        yield QUARANTINE, add_row_ids(_unreadable(source, entry, str(err)))
    except OSError as err:  # removed, truncated or unreachable while it was being read
        reason = f"the file could not be read to the end ({type(err).__name__}: {err})"
        yield QUARANTINE, add_row_ids(_unreadable(source, entry, reason))


def file_resource(config: LeadsyncConfig, source: Any, project: Projector) -> Any:
    """The dlt resource for one file source: named after its main raw table, append-only."""
    table = main_table(source.type)
    pattern = config.resolve(source.path)

    @dlt.resource(name=table, write_disposition="append")
    def read_files() -> Iterator[Any]:
        seen: dict[str, str] = dlt.current.resource_state().setdefault(STATE_KEY, {})
        todo = changed_files(list_files(pattern), seen)
        if not todo:
            return
        with ScratchDir() as scratch:
            for entry in todo:
                for name, rows in read_file(entry, source, project, scratch):
                    yield rows if name == table else dlt.mark.with_table_name(rows, name)
                seen[entry.url] = entry.fingerprint

    return read_files


def rows_carry_dlt_ids(source_name: str) -> None:
    """Tell dlt (scoped to this source's pipeline) that its Parquet files already hold `_dlt_id`.

    Left on, dlt's normalize step rewrites every extracted file only to add that column: a
    quarter of the whole load time for a million-row file.
    """
    key = f"{pipeline_name(source_name).upper()}__NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID"
    os.environ[key] = "false"


def file_source(config: LeadsyncConfig, source: Any, project: Projector) -> Any:
    """A dlt source named after the configured source, holding its one file resource."""
    rows_carry_dlt_ids(source.name)

    def resources() -> Any:
        return file_resource(config, source, project)

    return dlt.source(name=source.name, max_table_nesting=0)(resources)()
