"""Sales activity files (type `activity_csv`) -> `raw.activity_events` (+ `raw.quarantine`).

Rows of (email or lead id, event, occurred_at[, rep, note]) exported from a CRM or dialer. The
file machinery (listing, incremental state, encoding, parsing) is the CSV source's; this module
only maps headers and event words. Unknown events and rows naming no one are quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from leadsync.ingestion.activity.events import event_index
from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.files.mapping import (
    custom_fields_sql,
    field_sql,
    map_headers,
    record_id_sql,
    synonym_lookup,
)
from leadsync.ingestion.files.projection import project_rows, received_at_sql
from leadsync.ingestion.files.reader import CsvTable, sql_literal
from leadsync.ingestion.files.resource import file_source
from leadsync.ingestion.lead import LEAD_FIELDS, header_key
from leadsync.ingestion.raw_tables import ACTIVITY_EVENTS, ACTIVITY_SCHEMA
from leadsync.ingestion.source_types import ActivityCsvSource

SOURCE_TYPE = "activity_csv"
_EMAIL_SYNONYMS = next(f.synonyms for f in LEAD_FIELDS if f.name == "email")
ACTIVITY_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (*_EMAIL_SYNONYMS, "lead email", "prospect email", "contact email address"),
    "lead_ref": (
        "lead id",
        "lead_id",
        "leadsync id",
        "lead ref",
        "contact id",
        "crm id",
        "prospect id",
        "person id",
        "record id",
    ),
    "event": (
        "event",
        "activity",
        "activity type",
        "event type",
        "type",
        "outcome",
        "disposition",
        "result",
        "stage",
        "status",
        "action",
    ),
    "occurred_at": (
        "occurred at",
        "date",
        "timestamp",
        "time",
        "activity date",
        "event date",
        "date time",
        "datetime",
        "created",
        "created at",
        "when",
        "completed at",
    ),
    "rep": (
        "rep",
        "sales rep",
        "owner",
        "user",
        "assigned to",
        "agent",
        "salesperson",
        "bdr",
        "sdr",
        "account executive",
        "ae",
        "activity owner",
    ),
    "note": ("note", "notes", "comment", "comments", "subject", "description", "details"),
}
ACTIVITY_ID_HEADERS = frozenset(header_key(h) for h in ("activity id", "event id", "task id", "id"))
_FOLD_SQL = "regexp_replace(lower(trim({col})), '[^0-9a-z]+', '', 'g')"


def _register_events(csv: CsvTable) -> None:
    index = event_index()
    csv.con.register("event_words", pa.table({"word": list(index), "event": list(index.values())}))


def activity_projector(source: ActivityCsvSource):
    lookup = synonym_lookup(ACTIVITY_HEADER_SYNONYMS)

    def project(csv: CsvTable) -> Iterator[tuple[str, pa.Table]]:
        mapping = map_headers(
            csv.dialect.headers,
            synonym=lookup,
            explicit=source.columns,
            is_id_header=lambda h: header_key(h) in ACTIVITY_ID_HEADERS,
        )
        _register_events(csv)
        event_col = field_sql(mapping, "event")
        mapped_event = f"(select e.event from event_words e where e.word = {_FOLD_SQL.format(col=event_col)})"
        exprs = {
            "source_name": sql_literal(source.name),
            "source_record_id": record_id_sql(mapping),
            "email": field_sql(mapping, "email"),
            "lead_ref": field_sql(mapping, "lead_ref"),
            "event": mapped_event,
            "event_raw": event_col,
            "occurred_at": field_sql(mapping, "occurred_at"),
            "rep": field_sql(mapping, "rep"),
            "note": field_sql(mapping, "note"),
            "custom_fields": custom_fields_sql(mapping),
            "source_location": sql_literal(csv.entry.url),
            "source_line": "_line",
            "received_at": received_at_sql(csv.entry),
        }
        who = f"coalesce(nullif(trim({exprs['email']}), ''), nullif(trim({exprs['lead_ref']}), ''))"
        reason = (
            f"case when {who} is null then 'no email or lead id: the event cannot be tied to a lead'"
            f" when nullif(trim({event_col}), '') is null then 'no event'"
            f" when {mapped_event} is null then 'unknown event ''' || {event_col} || ''': expected one of "
            f"{', '.join(sorted(set(event_index().values())))} (or a known synonym)'"
            " end"
        )
        yield from project_rows(
            csv,
            table=ACTIVITY_EVENTS,
            schema=ACTIVITY_SCHEMA,
            exprs=exprs,
            reason=reason,
            source_name=source.name,
            source_type=SOURCE_TYPE,
        )

    return project


def activity_source(config: LeadsyncConfig, source: ActivityCsvSource) -> Any:
    """The dlt source for one configured activity_csv source: resource `activity_events`."""
    return file_source(config, source, activity_projector(source))


__all__ = ["activity_source", "ACTIVITY_HEADER_SYNONYMS"]
