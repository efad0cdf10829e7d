"""What both CRM sources share: the modification-time cursor with tie handling, CRM timestamps,
and evidence rows as Arrow batches of ``CRM_EVENT_SCHEMA``.

Retries, auth sessions, canonical lead rows and quarantine rows come from
``ingestion.ad_platforms.common``: one retry loop and one lead-row builder for every API source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from leadsync.ingestion.raw_tables import CRM_EVENT_KINDS, CRM_EVENT_SCHEMA


def parse_crm_time(value: Any) -> datetime | None:
    """A CRM timestamp as aware UTC: ISO 8601 with ``Z`` (HubSpot), ``+0000`` (Salesforce),
    a plain date (Salesforce ``CloseDate``/``ActivityDate``) or epoch milliseconds (HubSpot
    search filters). None for empty values; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a timestamp")
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        except (OverflowError, OSError, ValueError) as exc:  # beyond the platform's datetime range
            raise ValueError(f"{value!r} is not a timestamp in range") from exc
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a timestamp")
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def to_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


@dataclass
class ModifiedCursor:
    """Which records of one object a run still has to load: modified after ``last``, or at
    ``last`` with an id not loaded yet.

    Both CRMs filter on a modification timestamp with ``>=`` (HubSpot GTE, SOQL ``>=``), so the
    records already loaded at the boundary instant come back and are dropped here by id: a
    record modified in the same millisecond as the previous run's last one is neither skipped
    nor loaded twice. The value lives in the dlt resource state, committed with the load: a run
    that fails keeps the position of the last committed one.
    """

    state: dict[str, Any]
    last: datetime | None = None
    ids_at_last: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, resource_state: dict[str, Any], key: str, start_date: str | None) -> ModifiedCursor:
        state = resource_state.setdefault(key, {})
        last = parse_crm_time(state.get("last")) if state.get("last") else None
        if last is None and start_date:
            last = parse_crm_time(start_date)
        return cls(state, last, set(state.get("ids_at_last", [])))

    @property
    def is_first_load(self) -> bool:
        return not self.state.get("last")

    def already_loaded(self, record_id: str, modified: datetime) -> bool:
        if self.last is None:
            return False
        return modified < self.last or (modified == self.last and record_id in self.ids_at_last)

    def advance(self, record_id: str, modified: datetime) -> None:
        if self.last is None or modified > self.last:
            self.last, self.ids_at_last = modified, {record_id}
        elif modified == self.last:
            self.ids_at_last.add(record_id)
        self.state["last"] = self.last.isoformat()
        self.state["ids_at_last"] = sorted(self.ids_at_last)


def event_row(
    source_name: str,
    *,
    object_type: str,
    object_id: str,
    kind: str,
    occurred_at: datetime | None,
    person: str | None = None,
    field_name: str | None = None,
    value: Any = None,
    related: str | None = None,
    custom: dict[str, Any] | None = None,
    location: str,
    received_at: datetime,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One piece of CRM evidence. Its id is stable across runs (the same change read twice is the
    same row), so repeated and out-of-order deliveries collapse downstream."""
    if kind not in CRM_EVENT_KINDS:
        raise ValueError(f"unknown CRM event kind {kind!r}")
    for name, ref in (("id", object_id), ("person", person), ("related record", related)):
        if ref is not None and not isinstance(ref, str):
            raise ValueError(f"the {name} {ref!r} is not a record id")
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValueError(f"the value {value!r} is not a single value")
    stamp = occurred_at.isoformat() if occurred_at else ""
    return {
        "source_name": source_name,
        "source_record_id": event_id
        or "|".join((object_type, object_id, kind, field_name or "", str(value or ""), person or "", stamp)),
        "object_type": object_type,
        "object_id": object_id,
        "person_record_id": person,
        "event_kind": kind,
        "field": field_name,
        "value": None if value is None else str(value),
        "related_record_id": related,
        "occurred_at": occurred_at,
        "custom_fields": json.dumps(custom or {}, sort_keys=True, ensure_ascii=False, default=str),
        "source_location": location,
        "source_line": None,
        "received_at": received_at,
    }


def events_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in CRM_EVENT_SCHEMA.names} for r in rows], schema=CRM_EVENT_SCHEMA
    )


# What a record parser raises for a record it cannot read: the record is quarantined, the page goes on.
RECORD_ERRORS = (ValueError, TypeError, AttributeError, KeyError, OverflowError)


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
