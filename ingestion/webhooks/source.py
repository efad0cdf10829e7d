"""Drain the landing store into the warehouse with dlt, and the landing-store chores around it.

`webhook_source` reads each segment from the byte offset the last committed load reached (kept
in dlt source state, which dlt commits together with the data), parses every stored submission
into the canonical lead and yields three tables per batch: `webhook_leads` (main resource),
`webhook_submissions` (the stored raw submission, for `reparse_source`) and `quarantine`.
Leads and submissions are merged on (source_name, id) so a submission stored twice (a 503 whose
bytes did reach disk, then a retry) still loads once.

`retire_loaded` runs only after the load is committed (ingestion.pipeline): it records the
drained offsets for the sensor (`pending_count`, `oldest_undrained_age`) and deletes sealed,
fully drained segments, keeping their delivery ids so later re-deliveries stay duplicates.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.lead import LEAD_FIELD_NAMES, raw_lead_schema
from leadsync.ingestion.raw_tables import (
    QUARANTINE,
    RAW_DATASET,
    WEBHOOK_LEADS,
    WEBHOOK_SUBMISSIONS,
    quarantine_table,
)
from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks.bodies import BodyLimits, UnreadableBody
from leadsync.ingestion.webhooks.landing import (
    LandedRecord,
    append_retired_ids,
    compact_retired_ids,
    iter_landed,
    list_segments,
    overwrite_with_tombstone,
    read_cursor,
    received_at,
    receiver_is_running,
    retired_retention_seconds,
    scan_segment,
    segment_is_sealed,
    write_cursor,
)
from leadsync.ingestion.webhooks.payloads import ParseError, parse_submission

SOURCE_TYPE = "webhook"
BATCH_SIZE = 2000  # submissions per Arrow batch
STATE_KEY = "landing_offsets"
LEAD_KEY = ("source_name", "source_record_id")
SUBMISSION_KEY = ("source_name", "delivery_id")
MAX_QUARANTINE_CONTENT = 65536

# raw.webhook_submissions: what the receiver stored, so a parser fix can be replayed.
SUBMISSIONS_SCHEMA = pa.schema(
    [
        ("source_name", pa.string()),
        ("delivery_id", pa.string()),
        ("provider", pa.string()),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("content_type", pa.string()),
        ("headers", pa.string()),  # JSON object, signature/secret headers never stored
        ("query", pa.string()),  # query string without secret tokens
        ("body_text", pa.string()),  # the body when it is UTF-8 ...
        ("body_base64", pa.string()),  # ... else base64
        ("landing_location", pa.string()),
    ]
)


def _keys_required(schema: pa.Schema, keys: tuple[str, ...]) -> pa.Schema:
    """Primary-key columns are NOT NULL in dlt's schema; say so in Arrow too (no hint mismatch)."""
    for name in keys:
        i = schema.get_field_index(name)
        schema = schema.set(i, schema.field(i).with_nullable(False))
    return schema


LEADS_SCHEMA = _keys_required(raw_lead_schema(), LEAD_KEY)
SUBMISSIONS_ARROW = _keys_required(SUBMISSIONS_SCHEMA, SUBMISSION_KEY)


def _body_columns(body: bytes) -> tuple[str | None, str | None]:
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, base64.b64encode(body).decode("ascii")


def _clean_text(value: str) -> str:
    """Text that can be written as UTF-8 (half surrogate pairs escaped as \\udXXX)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _check_writable(row: dict[str, Any]) -> None:
    """Raise UnicodeEncodeError when a value cannot be written (so the record is quarantined
    alone, instead of failing the whole batch when Arrow meets it)."""
    for v in row.values():
        if isinstance(v, str):
            v.encode("utf-8")


class _Batch:
    """Column-wise accumulation of one batch's leads, submissions and quarantine rows.

    Every record ends as lead rows or a quarantine row: a record the loader cannot handle, for
    any reason, is quarantined with its raw body and the drain goes on (poison never blocks a
    source). Rows are built and checked whole before any column is appended.
    """

    def __init__(self, source: WebhookSource, limits: BodyLimits) -> None:
        self.source = source
        self.limits = limits
        self.leads: dict[str, list[Any]] = {n: [] for n in LEADS_SCHEMA.names}
        self.submissions: dict[str, list[Any]] = {n: [] for n in SUBMISSIONS_SCHEMA.names}
        self.quarantine: list[dict[str, Any]] = []
        self.count = 0

    def add(
        self, header: dict[str, Any], body: bytes, location: str, *, keep_submission: bool = True
    ) -> None:
        self.count += 1
        did = _clean_text(str(header.get("delivery_id")))
        provider = self.source.provider
        first = header.get("conflict_with")
        if first is not None:
            this = header.get("sha256") or hashlib.sha256(body).hexdigest()
            self._quarantine(
                did,
                body,
                location,
                f"{provider} submission: delivery id already stored with a different body"
                f" (first sha256:{first}, this sha256:{this}); kept here, not loaded",
            )
            return
        try:
            submission = self._submission_row(header, body, did, location) if keep_submission else None
            leads = self._lead_rows(header, body, did, location)
        except (ParseError, UnreadableBody) as err:
            reason = f"{provider} submission: {err}"
        except Exception as err:  # noqa: BLE001 - poison never blocks the source
            reason = (
                f"{provider} submission could not be loaded ({type(err).__name__}); the drain went on past it"
            )
        else:
            for table, rows in ((self.submissions, [submission] if submission else []), (self.leads, leads)):
                for row in rows:
                    for k, v in row.items():
                        table[k].append(v)
            return
        if keep_submission:
            try:  # the stored body stays replayable (`--reparse`) after a parser fix
                row = self._submission_row(header, body, did, location)
            except Exception:  # noqa: BLE001 - not even the raw row is writable: quarantine holds it
                row = None
            if row is not None:
                for k, v in row.items():
                    self.submissions[k].append(v)
        self._quarantine(did, body, location, reason)

    def _submission_row(self, header: dict[str, Any], body: bytes, did: str, location: str) -> dict[str, Any]:
        text, b64 = _body_columns(body)
        row = {
            "source_name": self.source.name,
            "delivery_id": did,
            "provider": header.get("provider"),
            "received_at": received_at(header),
            "content_type": header.get("content_type"),
            "headers": json.dumps(header.get("headers") or {}, sort_keys=True),
            "query": header.get("query") or None,
            "body_text": text,
            "body_base64": b64,
            "landing_location": location,
        }
        _check_writable(row)
        return row

    def _lead_rows(
        self, header: dict[str, Any], body: bytes, did: str, location: str
    ) -> list[dict[str, Any]]:
        received = received_at(header)
        rows = []
        for i, lead in enumerate(
            parse_submission(self.source, header.get("content_type"), body, self.limits)
        ):
            row: dict[str, Any] = {
                "source_name": self.source.name,
                "source_type": SOURCE_TYPE,
                "lead_origin": self.source.origin,
                "source_record_id": did if i == 0 else f"{did}#{i}",
                "received_at": received,
                "is_test": bool(lead.get("is_test", False)),
                "custom_fields": json.dumps(
                    lead.get("custom_fields") or {}, ensure_ascii=False, sort_keys=True, default=str
                ),
                "source_location": location,
                "source_line": None,
                **{name: lead.get(name) for name in LEAD_FIELD_NAMES},
            }
            _check_writable(row)
            rows.append(row)
        return rows

    def _quarantine(self, did: str, body: bytes, location: str, reason: str) -> None:
        self.quarantine.append(
            {
                "source_name": self.source.name,
                "source_type": SOURCE_TYPE,
                "source_location": location,
                "source_record_id": did,
                "reason": reason,
                "raw_content": body[:MAX_QUARANTINE_CONTENT].decode("utf-8", "backslashreplace"),
                "quarantined_at": datetime.now(UTC),
            }
        )

    def add_damage(self, segment: str, offset: int, raw: bytes) -> None:
        self.quarantine.append(
            {
                "source_name": self.source.name,
                "source_type": SOURCE_TYPE,
                "source_location": f"landing:{segment}@{offset}",
                "reason": f"unreadable bytes in landing segment {segment} at offset {offset} ({len(raw)} bytes): "
                "a record cut off by a crash (never acknowledged) or damaged on disk",
                "raw_content": raw[:MAX_QUARANTINE_CONTENT].decode("utf-8", "backslashreplace"),
                "quarantined_at": datetime.now(UTC),
            }
        )

    def tables(self) -> Iterator[Any]:
        """Leads plainly (the resource's own table), the others marked for their tables."""
        if self.leads["source_name"]:
            yield pa.Table.from_pydict(self.leads, schema=LEADS_SCHEMA)
        if self.submissions["source_name"]:
            yield dlt.mark.with_hints(
                pa.Table.from_pydict(self.submissions, schema=SUBMISSIONS_ARROW),
                dlt.mark.make_hints(
                    table_name=WEBHOOK_SUBMISSIONS,
                    write_disposition="merge",
                    primary_key=list(SUBMISSION_KEY),
                ),
                create_table_variant=True,
            )
        if self.quarantine:
            yield dlt.mark.with_hints(
                quarantine_table(self.quarantine),
                dlt.mark.make_hints(table_name=QUARANTINE, write_disposition="append", primary_key=[]),
                create_table_variant=True,
            )


def _drain(config: LeadsyncConfig, source: WebhookSource) -> Iterator[Any]:
    state: dict[str, int] = dlt.current.source_state().setdefault(STATE_KEY, {})
    limits = BodyLimits.from_settings(config.webhooks)  # the receiver's limits
    batch = _Batch(source, limits)
    seen: set[str] = set()
    existing = set()
    for path, _sealed, scan in iter_landed(config.landing_dir, source.name, dict(state)):
        existing.add(path.stem)
        for rec in scan.records:
            if rec.forgotten or rec.storage_key in seen:
                continue
            seen.add(rec.storage_key)
            batch.add(rec.header, rec.body, f"landing:{rec.segment}@{rec.offset}")
            if batch.count >= BATCH_SIZE:
                yield from batch.tables()
                batch = _Batch(source, limits)
        for dmg in scan.damages:
            batch.add_damage(dmg.segment, dmg.offset, dmg.raw)
        # dlt commits this state together with the rows yielded above, never without them
        state[path.stem] = scan.end
    yield from batch.tables()
    for stem in [s for s in state if s not in existing]:  # retired segments
        del state[stem]


def webhook_source(config: LeadsyncConfig, source: WebhookSource) -> Any:
    """The dlt source draining one webhook source's landing store (see module docstring)."""
    leads = dlt.resource(
        _drain,
        name=WEBHOOK_LEADS,
        write_disposition="merge",
        primary_key=list(LEAD_KEY),
    )(config, source)
    return dlt.source(lambda: leads, name=source.name)()


def _committed_offsets(source: WebhookSource, load_info: Any) -> dict[str, int]:
    pipeline = getattr(load_info, "pipeline", None)
    state = getattr(pipeline, "state", None) or {}
    return dict(state.get("sources", {}).get(source.name, {}).get(STATE_KEY, {}))


def retire_loaded(config: LeadsyncConfig, source: WebhookSource, load_info: Any) -> int:
    """After a committed load: record drained offsets, retire fully drained sealed segments.

    Returns the number of segments retired. Only called by ingestion.pipeline after
    `load_info.raise_on_failed_jobs()`, i.e. once the rows are in the warehouse.
    """
    offsets = _committed_offsets(source, load_info)
    landing = config.landing_dir
    running = receiver_is_running(landing)
    retired = 0
    for seg in list_segments(landing, source.name):
        try:
            size = seg.stat().st_size
        except FileNotFoundError:
            continue
        if not segment_is_sealed(seg, running) or offsets.get(seg.stem, -1) < size:
            continue
        scan = scan_segment(seg, sealed=True, headers_only=True)
        append_retired_ids(landing, source.name, {r.storage_key: r.body_sha256 for r in scan.records})
        seg.unlink(missing_ok=True)
        offsets.pop(seg.stem, None)
        retired += 1
    if retired:
        window = config.webhooks.replay_window_seconds
        compact_retired_ids(landing, source.name, retired_retention_seconds(window))
    live = {p.stem for p in list_segments(landing, source.name)}
    write_cursor(landing, source.name, {k: v for k, v in offsets.items() if k in live})
    return retired


# ---------------------------------------------------------------------------------------------
# For the Dagster sensor and asset check (orchestration/)
# ---------------------------------------------------------------------------------------------
def _webhook_sources(config: LeadsyncConfig, source_name: str | None) -> list[WebhookSource]:
    if source_name:
        src = config.source(source_name)
        return [src] if isinstance(src, WebhookSource) else []
    return [s for s in config.sources_of_type("webhook") if isinstance(s, WebhookSource)]


def _pending(config: LeadsyncConfig, source_name: str | None) -> Iterator[LandedRecord]:
    for src in _webhook_sources(config, source_name):
        cursor = read_cursor(config.landing_dir, src.name)
        for _path, _sealed, scan in iter_landed(config.landing_dir, src.name, cursor, headers_only=True):
            yield from (r for r in scan.records if not r.forgotten)


def pending_count(config: LeadsyncConfig, source_name: str | None = None) -> int:
    """Submissions stored by the receiver and not yet in a committed load (all webhook sources by default).

    Reads only the landing store, never the warehouse: cheap enough for a sensor every 30 s.
    """
    return sum(1 for _ in _pending(config, source_name))


def oldest_undrained_age(config: LeadsyncConfig, source_name: str | None = None) -> timedelta | None:
    """Age of the oldest submission not yet drained, or None when everything is drained.

    The asset check fails when this exceeds `config.webhooks.max_undrained_age_minutes`.
    """
    oldest: datetime | None = None
    for rec in _pending(config, source_name):
        ts = received_at(rec.header)
        if ts and (oldest is None or ts < oldest):
            oldest = ts
    return None if oldest is None else datetime.now(UTC) - oldest


# ---------------------------------------------------------------------------------------------
# Erasure and replay
# ---------------------------------------------------------------------------------------------
def _email_needles(email: str) -> list[bytes]:
    e = email.strip().lower()
    return [e.encode("utf-8"), e.replace("@", "%40").encode("utf-8"), e.replace("@", "\\u0040").encode()]


def forget_email(config: LeadsyncConfig, email: str) -> int:
    """Erase every stored submission mentioning `email` from the landing store; returns how many.

    Each matching record is overwritten in place by a same-length tombstone (fsynced), so the
    drain's byte offsets stay valid and nothing else moves. Raw and mart rows are erased by
    `leadsync forget` elsewhere.
    """
    needles = _email_needles(email)
    if not needles[0]:
        return 0
    landing = Path(config.landing_dir)
    names = {s.name for s in _webhook_sources(config, None)}
    if landing.is_dir():
        names |= {p.name for p in landing.iterdir() if p.is_dir()}
    running = receiver_is_running(landing)
    erased = 0
    for name in sorted(names):
        for seg in list_segments(landing, name):
            try:
                scan = scan_segment(seg, sealed=segment_is_sealed(seg, running))
            except FileNotFoundError:
                continue
            for rec in scan.records:
                if rec.forgotten:
                    continue
                lowered = rec.body.lower()
                if any(n in lowered for n in needles):
                    overwrite_with_tombstone(seg, rec, "erased on request (leadsync forget)")
                    erased += 1
    return erased


def _stored_submissions(config: LeadsyncConfig, source_name: str) -> pa.Table:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.sql(
            f"select * from {RAW_DATASET}.{WEBHOOK_SUBMISSIONS} where source_name = ? order by received_at",
            params=[source_name],
        ).to_arrow_table()


def _reparse_rows(source: WebhookSource, stored: pa.Table, limits: BodyLimits) -> Iterator[Any]:
    batch = _Batch(source, limits)
    for row in stored.to_pylist():
        body = (
            row["body_text"].encode("utf-8")
            if row["body_text"] is not None
            else base64.b64decode(row["body_base64"] or "")
        )
        received = row["received_at"]
        header = {
            "delivery_id": row["delivery_id"],
            "provider": row["provider"],
            "content_type": row["content_type"],
            "received_at": received.isoformat() if received else None,
        }
        batch.add(
            header,
            body,
            row["landing_location"] or f"{WEBHOOK_SUBMISSIONS}:{row['delivery_id']}",
            keep_submission=False,
        )
        if batch.count >= BATCH_SIZE:
            yield from batch.tables()
            batch = _Batch(source, limits)
    yield from batch.tables()


def reparse_source(config: LeadsyncConfig, source_name: str) -> dict[str, int]:
    """Re-parse every stored raw submission of a webhook source (after a parser fix).

    Replaces the source's rows in raw.webhook_leads and its parse-failure rows in raw.quarantine
    with what the current parsers make of raw.webhook_submissions. Returns rows per table.
    """
    from leadsync.ingestion.pipeline import make_pipeline, row_counts

    source = config.source(source_name)
    if not isinstance(source, WebhookSource):
        raise ValueError(f"source {source_name!r} is not a webhook source")
    stored = _stored_submissions(config, source_name)
    leads = dlt.resource(
        _reparse_rows,
        name=WEBHOOK_LEADS,
        write_disposition="merge",
        primary_key=list(LEAD_KEY),
    )(source, stored, BodyLimits.from_settings(config.webhooks))
    pipeline = make_pipeline(config, source_name)
    info = pipeline.run(dlt.source(lambda: leads, name=source.name)())
    info.raise_on_failed_jobs()
    load_id = info.loads_ids[-1] if info.loads_ids else ""
    with pipeline.sql_client() as client:
        client.execute_sql(
            f"delete from {WEBHOOK_LEADS} where source_name = %s and _dlt_load_id <> %s",
            source_name,
            load_id,
        )
        if client.has_dataset() and QUARANTINE in {t for t in _tables(client)}:
            client.execute_sql(
                f"delete from {QUARANTINE} where source_name = %s and source_type = %s "
                f"and reason not like 'unreadable bytes%%' and _dlt_load_id <> %s",
                source_name,
                SOURCE_TYPE,
                load_id,
            )
    counts = row_counts(pipeline)
    counts.setdefault(WEBHOOK_LEADS, 0)
    return counts


def _tables(client: Any) -> Iterable[str]:
    rows = client.execute_sql(
        "select table_name from information_schema.tables where table_schema = %s",
        client.dataset_name,
    )
    return [r[0] for r in rows or []]
