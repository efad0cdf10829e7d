"""Erasure that stays erased: forgotten people are kept out of every later load.

`leadsync forget` records a keyed hash of each forgotten identifier (every email address and
E.164 phone the person was known by) in `suppression.identifiers`. Every load then passes each
record through `Suppressor`:

- a record whose own `email` or `phone` field is a forgotten identifier is dropped;
- any other record that mentions a forgotten address in its text (custom fields, notes, a raw
  webhook body, a quarantined line) keeps its place with that mention replaced by `[erased]`;

and `suppression.erasure_log` gets one row per source and table with the counts (no personal data).

Why a keyed hash (HMAC-SHA256), and why its key lives in the warehouse (`suppression.hmac_key`):
a plain hash of an email can be reversed by hashing a list of guessed addresses; with a secret
key that needs the key too. The key is stored in the warehouse rather than a file beside it
because it must travel with the warehouse: a restored backup, another machine syncing the same
PostgreSQL database, or a moved DuckDB file all keep matching, whereas a lost key file would let
every forgotten person silently come back. The BI copy and the reader role see only `marts`, so
readers of the marts never see the key.

Emails are compared after the one normalising rule in transform/macros/normalize/email.sql
(`normalize_email`), rendered from that file and run by DuckDB, the same SQL dbt runs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadsync.ingestion.config import LeadsyncConfig

SCHEMA = "suppression"
ERASED = "[erased]"
EMAIL_MACRO = Path(__file__).resolve().parents[1] / "transform" / "macros" / "normalize" / "email.sql"
# Anything shaped like an address inside free text; the normalising rule decides the rest.
_EMAIL_LIKE = re.compile(r"(?:mailto:)?[^\s<>\"',;:()\[\]{}\\/]+@[^\s<>\"',;:()\[\]{}\\/]+\.[a-z0-9-]+", re.I)
_IDENTITY_FIELDS = {"email": "email", "phone": "phone", "phone_e164": "phone"}

DDL = (
    f"create schema if not exists {SCHEMA}",
    f"create table if not exists {SCHEMA}.hmac_key (key_hex varchar not null, created_at timestamptz not null)",
    f"""create table if not exists {SCHEMA}.identifiers (
        identifier_hash varchar primary key, kind varchar not null,
        forgotten_at timestamptz not null, records_removed integer not null)""",
    f"""create table if not exists {SCHEMA}.erasure_log (
        logged_at timestamptz not null, source_name varchar not null, table_name varchar not null,
        records_dropped integer not null, mentions_erased integer not null)""",
)


# ---------------------------------------------------------------------------------------------
# The one email rule, and phones
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def email_rule_sql() -> str:
    """`normalize_email('email')` rendered from the dbt macro file (plain Jinja, no dbt context)."""
    import jinja2

    module = jinja2.Environment().from_string(EMAIL_MACRO.read_text(encoding="utf-8")).module
    return str(module.normalize_email("email")).strip()


_normalizer_con = None


def normalize_emails(values: Iterable[str]) -> dict[str, str | None]:
    """value -> its normalised address, by the dbt macro's SQL run in an in-memory DuckDB."""
    global _normalizer_con
    import duckdb

    distinct = sorted({v for v in values if isinstance(v, str)})
    if not distinct:
        return {}
    if _normalizer_con is None:
        _normalizer_con = duckdb.connect(":memory:")
    rows = _normalizer_con.execute(
        f"select email as raw, {email_rule_sql()} as normalized from unnest(?::varchar[]) t(email)",
        [distinct],
    ).fetchall()
    return dict(rows)


def normalize_email(value: str) -> str | None:
    return normalize_emails([value]).get(value)


def phone_key(value: Any) -> str | None:
    """`+<digits>` for a phone written with its country code (`+`, or `00`); None otherwise.

    dbt's E.164 rule needs the row's country for national numbers; those are matched through the
    warehouse when `forget` runs, and at load time only when written internationally."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]
    elif not text.startswith("+"):
        return None
    return f"+{digits}" if 7 <= len(digits) <= 15 else None


# ---------------------------------------------------------------------------------------------
# Storage (DB-API: DuckDB or PostgreSQL)
# ---------------------------------------------------------------------------------------------
def ensure_tables(con: Any) -> None:
    cur = con.cursor()
    for statement in DDL:
        cur.execute(statement)


def hmac_key(con: Any, mark: str = "?") -> bytes:
    """The warehouse's suppression key, created on first use (32 random bytes)."""
    ensure_tables(con)
    cur = con.cursor()
    cur.execute(f"select key_hex from {SCHEMA}.hmac_key order by created_at limit 1")
    row = cur.fetchone()
    if row:
        return bytes.fromhex(row[0])
    key = secrets.token_bytes(32)
    cur.execute(f"insert into {SCHEMA}.hmac_key values ({mark}, {mark})", [key.hex(), datetime.now(UTC)])
    return key


def identifier_hash(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def record_forgotten(con: Any, identifiers: dict[str, set[str]], removed: int, mark: str = "?") -> list[str]:
    """Add the hashes of `{"email": {...}, "phone": {...}}` to the suppression list; returns them."""
    key = hmac_key(con, mark)
    cur = con.cursor()
    now = datetime.now(UTC)
    out = []
    for kind, values in sorted(identifiers.items()):
        for value in sorted(values):
            digest = identifier_hash(key, kind, value)
            cur.execute(f"delete from {SCHEMA}.identifiers where identifier_hash = {mark}", [digest])
            cur.execute(
                f"insert into {SCHEMA}.identifiers values ({mark}, {mark}, {mark}, {mark})",
                [digest, kind, now, removed],
            )
            out.append(digest)
    return out


@dataclass(frozen=True)
class SuppressedEntry:
    identifier_hash: str
    kind: str
    forgotten_at: Any
    records_removed: int
    records_dropped_since: int


def suppressed(config: LeadsyncConfig) -> list[SuppressedEntry]:
    """What `leadsync forget --list` shows: hashes, dates, counts (the log has no per-hash split)."""
    rows, dropped = _read(
        config,
        f"select identifier_hash, kind, forgotten_at, records_removed from {SCHEMA}.identifiers "
        "order by forgotten_at, kind, identifier_hash",
        f"select coalesce(sum(records_dropped), 0) from {SCHEMA}.erasure_log",
    )
    total = int(dropped[0][0]) if dropped else 0
    return [SuppressedEntry(h, k, at, int(n), total) for h, k, at, n in rows]


def _read(config: LeadsyncConfig, *queries: str) -> tuple[list[Any], ...]:
    from leadsync.ingestion.warehouse import connect, relation_exists

    if config.warehouse.target == "duckdb" and not config.warehouse_path.exists():
        return tuple([] for _ in queries)
    con = connect(config, read_only=True)
    try:
        if not relation_exists(con, config, SCHEMA, "identifiers"):
            return tuple([] for _ in queries)
        out = []
        for q in queries:
            cur = con.cursor()
            cur.execute(q)
            out.append(cur.fetchall())
        return tuple(out)
    finally:
        con.close()


def erasure_log(config: LeadsyncConfig) -> list[tuple[Any, ...]]:
    (rows,) = _read(
        config,
        f"select logged_at, source_name, table_name, records_dropped, mentions_erased "
        f"from {SCHEMA}.erasure_log order by logged_at, source_name, table_name",
    )
    return rows


# ---------------------------------------------------------------------------------------------
# The load-time filter
# ---------------------------------------------------------------------------------------------
@dataclass
class Suppressor:
    """Drops forgotten people's records and erases their addresses from everyone else's text."""

    key: bytes
    hashes: frozenset[str]
    dropped: Counter = field(default_factory=Counter)
    erased: Counter = field(default_factory=Counter)

    @classmethod
    def for_warehouse(cls, config: LeadsyncConfig) -> Suppressor | None:
        """None when nobody was ever forgotten in this warehouse (the common case costs one query)."""
        if config.warehouse.target == "duckdb" and not config.warehouse_path.exists():
            return None
        from leadsync.ingestion.warehouse import connect, relation_exists

        con = connect(config, read_only=True)
        try:
            if not relation_exists(con, config, SCHEMA, "identifiers"):
                return None
            cur = con.cursor()
            cur.execute(f"select identifier_hash from {SCHEMA}.identifiers")
            hashes = frozenset(r[0] for r in cur.fetchall())
            if not hashes:
                return None
            cur.execute(f"select key_hex from {SCHEMA}.hmac_key order by created_at limit 1")
            return cls(bytes.fromhex(cur.fetchone()[0]), hashes)
        finally:
            con.close()

    def _is_forgotten(self, kind: str, value: str | None) -> bool:
        return bool(value) and identifier_hash(self.key, kind, value) in self.hashes

    def filter_rows(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        texts = [v for row in rows for v in row.values() if isinstance(v, str) and "@" in v]
        candidates = {m.group(0) for t in texts for m in _EMAIL_LIKE.finditer(t)}
        candidates |= {row[f] for row in rows for f in ("email",) if isinstance(row.get(f), str)}
        normalized = normalize_emails(candidates)
        forgotten = {raw for raw, norm in normalized.items() if self._is_forgotten("email", norm)}
        kept = []
        for row in rows:
            if row.get("email") in forgotten or any(
                self._is_forgotten("phone", phone_key(row.get(f)))
                for f, kind in _IDENTITY_FIELDS.items()
                if kind == "phone"
            ):
                self.dropped[table] += 1
                continue
            if forgotten:
                row = self._erase_mentions(table, row, forgotten)
            kept.append(row)
        return kept

    def _erase_mentions(self, table: str, row: dict[str, Any], forgotten: set[str]) -> dict[str, Any]:
        out = dict(row)
        for name, value in row.items():
            if not isinstance(value, str) or "@" not in value:
                continue
            new = value
            for raw in sorted(forgotten, key=len, reverse=True):  # "mailto:a@b.c" before "a@b.c"
                new = re.sub(re.escape(raw), ERASED, new, flags=re.I)
            if new != value:
                out[name] = new
                self.erased[table] += 1
        return out

    def __call__(self, item: Any, meta: Any = None, *, resource: str = "") -> Iterator[Any]:
        table = getattr(meta, "table_name", None) or resource
        if isinstance(item, dict):
            yield from self.filter_rows(table, [item])
            return
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - dlt installs pyarrow here
            yield item
            return
        if isinstance(item, pa.Table | pa.RecordBatch):
            rows = self.filter_rows(table, item.to_pylist())
            if rows:
                yield pa.Table.from_pylist(rows, schema=item.schema)
            return
        yield item

    def attach(self, source: Any) -> Any:
        """Put the filter on every resource of a dlt source (after each resource's own steps)."""
        for name, resource in source.resources.items():
            resource.add_yield_map(lambda item, meta=None, _n=name: self(item, meta, resource=_n))
        return source

    def write_log(self, config: LeadsyncConfig, source_name: str) -> dict[str, int]:
        """One erasure_log row per table that dropped or erased something; returns drops per table."""
        tables = sorted(set(self.dropped) | set(self.erased))
        if not tables:
            return {}
        from leadsync.ingestion.warehouse import connect, placeholder

        mark = placeholder(config)
        con = connect(config)
        try:
            ensure_tables(con)
            cur = con.cursor()
            now = datetime.now(UTC)
            for t in tables:
                cur.execute(
                    f"insert into {SCHEMA}.erasure_log values ({mark}, {mark}, {mark}, {mark}, {mark})",
                    [now, source_name, t, self.dropped[t], self.erased[t]],
                )
            con.commit()
        finally:
            con.close()
        return {t: self.dropped[t] for t in tables}
