"""`leadsync forget EMAIL`: erase one person everywhere leadsync keeps them.

Where a person can be: the webhook landing store (raw submissions not yet drained), every warehouse
table with an `email` column (raw, staging, intermediate, marts), every table keyed by the person's
`lead_id` or `touch_id`, and free-text columns that hold raw content (quarantine rows, stored webhook
bodies). The search is driven by the warehouse's own catalog, so a table added later is covered
without touching this file. Afterwards the BI copy is republished so BI tools stop seeing them too.
"""

from __future__ import annotations

import glob as globlib
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.use_cases.errors import UserError, quiet

# Columns that hold raw, unparsed content in which an address can appear as text.
RAW_TEXT_COLUMNS = ("raw_content", "body", "body_text")
IDENTITY_KEYS = ("lead_id", "touch_id")


@dataclass
class ForgetReport:
    removed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_catalog = current_database()
        """
    ).fetchall()
    out: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), set()).add(column)
    return out


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _forget_in_warehouse(con: duckdb.DuckDBPyConnection, email: str, report: ForgetReport) -> None:
    tables = _columns(con)
    keys: dict[str, set[str]] = {k: set() for k in IDENTITY_KEYS}
    # 1. Which lead_ids / touch_ids belong to the person (from any table that has the email).
    for (schema, table), cols in tables.items():
        if "email" not in cols:
            continue
        for key in IDENTITY_KEYS:
            if key in cols:
                found = con.execute(
                    f"select distinct {key}::varchar from {_ident(schema)}.{_ident(table)} "
                    f"where lower(trim(email)) = ? and {key} is not null",
                    [email],
                ).fetchall()
                keys[key].update(r[0] for r in found)
    # 2. Delete by email, by identity key, and by raw text.
    for (schema, table), cols in sorted(tables.items()):
        where, params = [], []
        if "email" in cols:
            where.append("lower(trim(email)) = ?")
            params.append(email)
        for key in IDENTITY_KEYS:
            if key in cols and keys[key]:
                where.append(f"{key}::varchar in (select unnest(?::varchar[]))")
                params.append(sorted(keys[key]))
        for text_col in RAW_TEXT_COLUMNS:
            if text_col in cols:
                where.append(f"strpos(lower({_ident(text_col)}::varchar), ?) > 0")
                params.append(email)
        if not where:
            continue
        name = f"{_ident(schema)}.{_ident(table)}"
        n = con.execute(f"delete from {name} where " + " or ".join(where), params).fetchone()[0]
        if n:
            report.removed[f"warehouse {schema}.{table}"] = int(n)


def _files_still_mentioning(config: LeadsyncConfig, email: str) -> list[str]:
    """Source files are the user's own; we never rewrite them, but we say where the person still is."""
    hits = []
    for src in config.enabled_sources:
        path = getattr(src, "path", None)
        if not path or "://" in path:
            continue
        for file in globlib.glob(config.resolve(path), recursive=True):
            try:
                with open(file, "rb") as fh:
                    if email.encode() in fh.read().lower():
                        hits.append(file)
            except OSError:
                continue
    return hits


def forget_person(
    config: LeadsyncConfig, email: str, progress: Callable[[str], None] | None = None
) -> ForgetReport:
    email = email.strip().lower()
    report = ForgetReport()
    if "@" not in email:
        raise UserError(f"{email!r} is not an email address; give the email of the person to forget.")

    with warehouse_lock(config, "forget", report=progress or quiet):
        _forget_everywhere(config, email, report, progress)
    for file in _files_still_mentioning(config, email):
        report.notes.append(
            f"{file} still contains {email}: it is your source file, so leadsync leaves it alone; "
            "remove the row there, or the person comes back when that file changes"
        )
    return report


def _forget_everywhere(
    config: LeadsyncConfig, email: str, report: ForgetReport, progress: Callable[[str], None] | None
) -> None:
    if config.sources_of_type("webhook") or config.landing_dir.exists():
        from leadsync.ingestion.webhooks.source import forget_email

        n = forget_email(config, email)
        if n:
            report.removed[f"webhook landing store {config.landing_dir}"] = n

    if config.warehouse_path.exists():
        if progress:
            progress(f"forget: searching {config.warehouse_path}")
        con = duckdb.connect(str(config.warehouse_path))
        try:
            con.execute("begin transaction")
            _forget_in_warehouse(con, email, report)
            con.execute("commit")
            con.execute("checkpoint")
        finally:
            con.close()
        if config.bi_copy_path.exists():
            from leadsync.orchestration.bi_copy import publish_bi_copy

            publish_bi_copy(config)
            report.notes.append(f"the BI copy {config.bi_copy_path} was republished without them")
