"""Fixtures for identity-resolution tests: a tmp warehouse with a stand-in
`intermediate.int_lead_touches_normalized` table and a helper that runs only the identity models.

The stand-in has the columns the identity models read; dbt resolves the ref to the existing table
because only the identity models (and the nickname seed) are selected.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from leadsync.ingestion.config import LeadsyncConfig, parse_config
from leadsync.orchestration.dbt_project import run_dbt

# lead_id_aliases is built from identity but lives under models/marts (it writes marts)
IDENTITY_SELECTION = ["nicknames", "path:models/intermediate/identity", "lead_id_aliases"]

TOUCH_COLUMNS: dict[str, str] = {
    "touch_id": "varchar",
    "source_name": "varchar",
    "source_type": "varchar",
    "source_record_id": "varchar",
    "received_at": "timestamptz",
    "submitted_at": "timestamp",
    "email": "varchar",
    "email_is_valid": "boolean",
    "email_domain": "varchar",
    "is_role_email": "boolean",
    "is_free_email": "boolean",
    "phone_e164": "varchar",
    "first_name": "varchar",
    "last_name": "varchar",
    "full_name": "varchar",
    "company_name": "varchar",
    "company_name_key": "varchar",
    "company_domain": "varchar",
    "job_title": "varchar",
    "country_code": "varchar",
    "city": "varchar",
    "is_test": "boolean",
}


def touch(
    touch_id: str,
    *,
    first: str | None = None,
    last: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    company: str | None = None,
    domain: str | None = None,
    role: bool = False,
    free: bool = False,
    received_at: str = "2026-01-01 00:00:00+00",
) -> dict[str, Any]:
    """One normalised touch with the derived columns filled the way normalisation would."""
    email_domain = email.split("@", 1)[1] if email else None
    return {
        "touch_id": touch_id,
        "source_name": "test",
        "source_type": "csv",
        "source_record_id": touch_id,
        "received_at": received_at,
        "submitted_at": None,
        "email": email,
        "email_is_valid": email is not None,
        "email_domain": email_domain,
        "is_role_email": role,
        "is_free_email": free,
        "phone_e164": phone,
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(p for p in (first, last) if p) or None,
        "company_name": company,
        "company_name_key": company.lower() if company else None,
        "company_domain": domain or (email_domain if email and not free else None),
        "job_title": None,
        "country_code": "US",
        "city": None,
        "is_test": False,
    }


def write_touches(db_path: Path, rows: Iterable[dict[str, Any]], *, replace: bool = False) -> None:
    """Create (or append to) the stand-in normalised-touches table."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema if not exists intermediate")
        cols = ", ".join(f"{name} {dtype}" for name, dtype in TOUCH_COLUMNS.items())
        if replace:
            con.execute("drop table if exists intermediate.int_lead_touches_normalized")
        con.execute(f"create table if not exists intermediate.int_lead_touches_normalized ({cols})")
        placeholders = ", ".join("?" for _ in TOUCH_COLUMNS)
        con.executemany(
            f"insert into intermediate.int_lead_touches_normalized values ({placeholders})",
            [[r[c] for c in TOUCH_COLUMNS] for r in rows],
        )
    finally:
        con.close()


def identity_config(db_path: Path, **identity: Any) -> LeadsyncConfig:
    return parse_config({"warehouse": {"path": str(db_path)}, "identity": identity}, base_dir=db_path.parent)


def build_identity(config: LeadsyncConfig, target_path: Path, *extra: str) -> None:
    """dbt build of the identity models only (seed, models, data tests, unit tests)."""
    run_dbt(config, ["build", "--select", " ".join(IDENTITY_SELECTION), *extra], target_path=target_path)


def query(db_path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
