"""The file engine every file source (csv, activity_csv, target_accounts, spend_csv) runs on.

listing (glob -> `FileEntry` with a change stamp) -> dialect (encoding, delimiter, header) ->
reader (DuckDB parse, rejected lines kept) -> mapping (headers -> fields, SQL fragments) ->
projection (SQL -> Arrow rows + quarantine) -> resource (the shared dlt resource: skip unchanged
files, quarantine unreadable ones). A source kind supplies only its projection.
"""

from leadsync.ingestion.files.listing import FileEntry, list_files

__all__ = ["FileEntry", "list_files"]
