"""`leadsync forget EMAIL`: erase one person everywhere leadsync keeps them.

Where a person can be: the webhook landing store (raw submissions not yet drained), every warehouse
table with an `email` column (raw, staging, intermediate, marts), every table keyed by the person's
`lead_id` or `touch_id`, and free-text columns that hold raw content (quarantine rows, stored webhook
bodies). The search is driven by the warehouse's own catalog, so a table added later is covered
without touching this file. Afterwards the BI copy is republished so BI tools stop seeing them too.
"""

from __future__ import annotations

import glob as globlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.suppression import ERASED, email_rule_sql, normalize_email, record_forgotten
from leadsync.ingestion.suppression import SCHEMA as SUPPRESSION_SCHEMA
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.use_cases.errors import UserError, quiet

# Columns that hold raw, unparsed content in which an address can appear as text.
RAW_TEXT_COLUMNS = ("raw_content", "body", "body_text")
MAX_RESOLVE_ROUNDS = 5
Tables = dict[tuple[str, str], set[str]]


@dataclass
class Person:
    """Everything that identifies one resolved person in the warehouse."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    lead_ids: set[str] = field(default_factory=set)
    touch_ids: set[str] = field(default_factory=set)
    records: set[tuple[str, str]] = field(default_factory=set)  # (source_name, source_record_id)

    def size(self) -> int:
        return sum(len(s) for s in (self.emails, self.phones, self.lead_ids, self.touch_ids, self.records))


@dataclass
class ForgetReport:
    removed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    identifiers: int = 0  # addresses and phones added to the suppression list

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_catalog = current_database() and c.table_schema <> ?
        """,
        [SUPPRESSION_SCHEMA],
    ).fetchall()
    out: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), set()).add(column)
    return out


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _normalized(col: str) -> str:
    return f"leadsync_forget_email({_ident(col)}::varchar)"


def _resolve_person(con: duckdb.DuckDBPyConnection, tables: Tables, email: str) -> Person:
    """Every identity of the person: lead ids reached from the address, then every address, phone,
    touch and record those lead ids hold, again until nothing new turns up (identity links)."""
    person = Person(emails={email})
    for _ in range(MAX_RESOLVE_ROUNDS):
        before = person.size()
        for (schema, table), cols in tables.items():
            name = f"{_ident(schema)}.{_ident(table)}"
            if "lead_id" not in cols:
                continue
            where, params = [], []
            if "email" in cols:
                where.append(f"{_normalized('email')} in (select unnest(?::varchar[]))")
                params.append(sorted(person.emails))
            if "phone_e164" in cols and person.phones:
                where.append("phone_e164 in (select unnest(?::varchar[]))")
                params.append(sorted(person.phones))
            if "touch_id" in cols and person.touch_ids:
                where.append("touch_id::varchar in (select unnest(?::varchar[]))")
                params.append(sorted(person.touch_ids))
            if where:
                found = con.execute(
                    f"select distinct lead_id::varchar from {name} where lead_id is not null and ("
                    + " or ".join(where)
                    + ")",
                    params,
                ).fetchall()
                person.lead_ids.update(r[0] for r in found)
        if not person.lead_ids:
            break
        for (schema, table), cols in tables.items():
            if "lead_id" not in cols:
                continue
            name = f"{_ident(schema)}.{_ident(table)}"
            picks = [c for c in ("email", "phone_e164", "touch_id", "retired_lead_id") if c in cols]
            pair = "source_name" in cols and "source_record_id" in cols
            if not picks and not pair:
                continue
            select = ", ".join(
                [f"{_normalized('email')}" if c == "email" else f"{_ident(c)}::varchar" for c in picks]
                + (["source_name::varchar", "source_record_id::varchar"] if pair else [])
            )
            rows = con.execute(
                f"select distinct {select} from {name} where lead_id::varchar in (select unnest(?::varchar[]))",
                [sorted(person.lead_ids)],
            ).fetchall()
            for row in rows:
                values = dict(zip(picks, row[: len(picks)], strict=True))
                if values.get("email"):
                    person.emails.add(values["email"])
                if values.get("phone_e164"):
                    person.phones.add(values["phone_e164"])
                if values.get("touch_id"):
                    person.touch_ids.add(values["touch_id"])
                if values.get("retired_lead_id"):
                    person.lead_ids.add(values["retired_lead_id"])
                if pair and row[-1] is not None:
                    person.records.add((row[-2], row[-1]))
        if person.size() == before:
            break
    return person


def _forget_in_warehouse(con: duckdb.DuckDBPyConnection, email: str, report: ForgetReport) -> Person:
    con.execute(f"create or replace temp macro leadsync_forget_email(email) as {email_rule_sql()}")
    tables = _columns(con)
    person = _resolve_person(con, tables, email)
    # 1. Delete the person's rows: by address, phone, lead id, touch id, source record, raw text.
    for (schema, table), cols in sorted(tables.items()):
        where, params = [], []
        if "email" in cols:
            where.append(f"{_normalized('email')} in (select unnest(?::varchar[]))")
            params.append(sorted(person.emails))
        if "phone_e164" in cols and person.phones:
            where.append("phone_e164 in (select unnest(?::varchar[]))")
            params.append(sorted(person.phones))
        for key, values in (("lead_id", person.lead_ids), ("touch_id", person.touch_ids)):
            if key in cols and values:
                where.append(f"{key}::varchar in (select unnest(?::varchar[]))")
                params.append(sorted(values))
        if "source_name" in cols and "source_record_id" in cols and person.records:
            where.append(
                "(source_name::varchar, source_record_id::varchar) in "
                "(select (s, r) from (select unnest(?::varchar[]) s, unnest(?::varchar[]) r))"
            )
            ordered = sorted(person.records)
            params += [[s for s, _ in ordered], [r for _, r in ordered]]
        for text_col in RAW_TEXT_COLUMNS:
            if text_col in cols:
                for address in sorted(person.emails):
                    where.append(f"strpos(lower({_ident(text_col)}::varchar), ?) > 0")
                    params.append(address)
        if not where:
            continue
        name = f"{_ident(schema)}.{_ident(table)}"
        n = con.execute(f"delete from {name} where " + " or ".join(where), params).fetchone()[0]
        if n:
            report.removed[f"warehouse {schema}.{table}"] = int(n)
    # 2. Companies known only through them (their address's domain, no other lead left there).
    domains = sorted({a.rsplit("@", 1)[1] for a in person.emails} - _domains_still_used(con, tables))
    for (schema, table), cols in sorted(tables.items()):
        if "company_domain" in cols and domains:
            n = con.execute(
                f"delete from {_ident(schema)}.{_ident(table)} where company_domain in (select unnest(?::varchar[]))",
                [domains],
            ).fetchone()[0]
            if n:
                key = f"warehouse {schema}.{table}"
                report.removed[key] = report.removed.get(key, 0) + int(n)
    # 3. Erase their addresses from everyone else's text (custom fields, notes, raw lines).
    pattern = "|".join(re.escape(a) for a in sorted(person.emails))
    for (schema, table), cols in sorted(_text_columns(con).items()):
        for col in sorted(cols):
            n = con.execute(
                f"update {_ident(schema)}.{_ident(table)} set {_ident(col)} = "
                f"regexp_replace({_ident(col)}, ?, ?, 'gi') where regexp_matches({_ident(col)}, ?, 'i')",
                [pattern, ERASED, pattern],
            ).fetchone()[0]
            if n:
                key = f"mentions erased in {schema}.{table}"
                report.removed[key] = report.removed.get(key, 0) + int(n)
    return person


def _domains_still_used(con: duckdb.DuckDBPyConnection, tables: Tables) -> set[str]:
    """Company domains any remaining lead still has (those accounts are not the person's alone)."""
    used: set[str] = set()
    for (schema, table), cols in tables.items():
        if "lead_id" in cols and "company_domain" in cols:
            rows = con.execute(
                f"select distinct company_domain from {_ident(schema)}.{_ident(table)} where company_domain is not null"
            ).fetchall()
            used.update(r[0] for r in rows)
    return used


def _text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_catalog = current_database()
          and c.data_type = 'VARCHAR' and c.table_schema <> ? and c.table_name not like '_dlt%'
        """,
        [SUPPRESSION_SCHEMA],
    ).fetchall()
    out: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), set()).add(column)
    return out


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
    """Erase the person everywhere and keep them out of later loads (see ingestion/suppression.py)."""
    given = email
    email = normalize_email(email) or ""
    report = ForgetReport()
    if "@" not in email:
        raise UserError(f"{given!r} is not an email address; give the email of the person to forget.")
    if config.warehouse.target != "duckdb":
        raise UserError(
            f"`leadsync forget` erases DuckDB warehouses in this version; the {config.warehouse.target!r} "
            "target is not supported yet (README 'What forget guarantees')."
        )
    with warehouse_lock(config, "forget", report=progress or quiet):
        person = _forget_everywhere(config, email, report, progress)
    report.identifiers = len(person.emails) + len(person.phones)
    for address in sorted(person.emails):
        for file in _files_still_mentioning(config, address):
            report.notes.append(
                f"{file} still mentions a forgotten address: it is your source file, so leadsync leaves "
                "it alone; every later sync drops that row (the suppression list), but remove it there too"
            )
    return report


def _drop_pending_packages(config: LeadsyncConfig) -> int:
    """Extracted-but-unloaded dlt packages (a sync killed mid-way) may hold the person; each source
    extracts again on its next run (its state commits only with a load), so dropping them loses nothing."""
    from leadsync.ingestion.pipeline import make_pipeline

    dropped = 0
    for src in config.sources:
        pipeline = make_pipeline(config, src.name)
        if pipeline.has_pending_data:
            pipeline.drop_pending_packages()
            dropped += 1
    return dropped


def _forget_everywhere(
    config: LeadsyncConfig, email: str, report: ForgetReport, progress: Callable[[str], None] | None
) -> Person:
    person = Person(emails={email})
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"forget: searching {config.warehouse_path}")
    con = duckdb.connect(str(config.warehouse_path))
    try:
        con.execute("begin transaction")
        person = _forget_in_warehouse(con, email, report)
        record_forgotten(con, {"email": person.emails, "phone": person.phones}, report.total)
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()

    if config.sources_of_type("webhook") or config.landing_dir.exists():
        from leadsync.ingestion.webhooks.source import forget_email

        n = sum(forget_email(config, address) for address in sorted(person.emails))
        if n:
            report.removed[f"webhook landing store {config.landing_dir}"] = n
    if _drop_pending_packages(config):
        report.notes.append(
            "unloaded packages of an interrupted sync were dropped; the next sync extracts again"
        )
    if config.bi_copy_path.exists():
        from leadsync.orchestration.bi_copy import publish_bi_copy

        publish_bi_copy(config)
        report.notes.append(f"the BI copy {config.bi_copy_path} was republished without them")
    return person


def list_suppressed(config: LeadsyncConfig) -> list[Any]:
    """`leadsync forget --list`: the suppression list (keyed hashes, dates, counts), no personal data."""
    from leadsync.ingestion.suppression import suppressed

    return suppressed(config)
