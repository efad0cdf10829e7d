"""Publish the marts on a server warehouse (PostgreSQL): build aside, swap in one transaction.

dbt writes the marts into `marts_build` (MARTS_BUILD_SCHEMA; incremental models keep their
state there). Publishing copies every base table into a fresh schema, grants the reader role
SELECT on it, and then, in one short transaction, renames `marts` away, renames the fresh
schema to `marts` and drops the old one. PostgreSQL's DDL is transactional, so a BI query sees
either every old mart or every new one, never a mix or a half-built table.

Lock order: the swap first takes ACCESS EXCLUSIVE on the old mart tables with NOWAIT and, when a
reader still holds one, rolls back, waits a moment and tries again. Waiting while holding some
of the locks could deadlock with a reader that reads the marts in another order; never holding
a lock while waiting cannot.
https://www.postgresql.org/docs/current/explicit-locking.html
"""

from __future__ import annotations

import logging
import time

from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.warehouse import connect

MARTS_SCHEMA = "marts"
MARTS_BUILD_SCHEMA = "marts_build"  # where dbt builds them on a server (transform vars)
_NEXT = "marts__next"
_OLD = "marts__old"
SWAP_ATTEMPTS = 600  # x SWAP_RETRY_SECONDS: how long a long-running BI query may delay publishing
SWAP_RETRY_SECONDS = 0.1

log = logging.getLogger(__name__)


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def base_tables(cur, schema: str) -> list[str]:
    cur.execute(
        "select table_name from information_schema.tables "
        "where table_schema = %s and table_type = 'BASE TABLE' order by table_name",
        [schema],
    )
    return [r[0] for r in cur.fetchall()]


def ensure_reader_role(cur, role: str) -> None:
    """The NOLOGIN role BI logins are granted (`grant leadsync_reader to metabase;`)."""
    cur.execute("select 1 from pg_roles where rolname = %s", [role])
    if cur.fetchone() is None:
        try:
            cur.execute(f"create role {_q(role)} nologin")
        except Exception as err:  # noqa: BLE001 - a concurrent publisher may have created it
            if "already exists" not in str(err):
                raise
    cur.execute("select current_database()")
    (database,) = cur.fetchone()
    cur.execute(f"grant connect on database {_q(database)} to {_q(role)}")


def publish_server_marts(config: LeadsyncConfig) -> str:
    """Copy `marts_build` into `marts` atomically; returns what it published, for the CLI."""
    role = config.warehouse.reader_role
    con = connect(config)
    try:
        cur = con.cursor()
        tables = base_tables(cur, MARTS_BUILD_SCHEMA)
        if not tables:
            raise ConfigError(
                f"There are no marts in schema {MARTS_BUILD_SCHEMA} yet; run `leadsync sync` before publishing."
            )
        ensure_reader_role(cur, role)
        con.commit()
        # Build aside: nobody reads marts__next, so this long part blocks no reader.
        cur.execute(f"drop schema if exists {_NEXT} cascade")
        cur.execute(f"create schema {_NEXT}")
        for t in tables:
            cur.execute(f"create table {_NEXT}.{_q(t)} as table {MARTS_BUILD_SCHEMA}.{_q(t)}")
        cur.execute(f"grant usage on schema {_NEXT} to {_q(role)}")
        cur.execute(f"grant select on all tables in schema {_NEXT} to {_q(role)}")
        con.commit()
        _swap(con)
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()
    log.info("published %d mart table(s) to schema %s", len(tables), MARTS_SCHEMA)
    return f"schema {MARTS_SCHEMA} ({len(tables)} tables, readable by role {role})"


def _swap(con) -> None:
    import psycopg2.errors

    cur = con.cursor()
    for _attempt in range(SWAP_ATTEMPTS):
        old = base_tables(cur, MARTS_SCHEMA)
        try:
            if old:
                names = ", ".join(f"{MARTS_SCHEMA}.{_q(t)}" for t in old)
                cur.execute(f"lock table {names} in access exclusive mode nowait")
            cur.execute(f"drop schema if exists {_OLD} cascade")
            cur.execute("select 1 from information_schema.schemata where schema_name = %s", [MARTS_SCHEMA])
            if cur.fetchone():
                cur.execute(f"alter schema {MARTS_SCHEMA} rename to {_OLD}")
            cur.execute(f"alter schema {_NEXT} rename to {MARTS_SCHEMA}")
            cur.execute(f"drop schema if exists {_OLD} cascade")
            con.commit()
            return
        except psycopg2.errors.LockNotAvailable:
            con.rollback()  # a reader holds an old mart: let it finish, holding nothing meanwhile
            time.sleep(SWAP_RETRY_SECONDS)
    raise TimeoutError(
        f"BI readers kept the marts busy for {SWAP_ATTEMPTS * SWAP_RETRY_SECONDS:.0f}s; the new marts "
        f"wait in schema {_NEXT}. Run `leadsync transform` again when the long queries are done."
    )
