"""Open the marts for reading without ever touching what a sync writes to.

DuckDB: the report prefers the published BI copy (`warehouse.bi_copy`), replaced atomically after
each successful transform, so reading it never waits for, or blocks, a running sync; only before a
copy exists does it read the warehouse file itself, attached read-only into an in-memory DuckDB.
PostgreSQL: publishing swaps the finished marts into schema `marts` in one transaction, so the
report reads them in place, on a read-only session (ingestion/warehouse.py `connect`).

Every query of the report is a plain SELECT (CTEs, no temporary tables, no DuckDB-only
functions) written with `?` parameters, so the same text runs on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.warehouse import connect

MARTS_SCHEMA = "marts"
ATTACHED = "wh"  # DuckDB: the alias the attached file gets; tables are wh.marts.<table>


class ReportError(Exception):
    """Why no report could be written, phrased for the person who runs `leadsync report`."""


@dataclass
class Marts:
    """A read-only connection to the marts: `table()` names a mart, `rows()` runs a SELECT."""

    con: Any
    location: str  # shown on the page: the file, or the PostgreSQL database
    prefix: str  # "wh.marts" (DuckDB, attached) or "marts" (PostgreSQL)
    paramstyle: str  # "?" or "%s"
    columns: dict[str, set[str]] = field(default_factory=dict)

    def table(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a SELECT written with `?` markers. The SQL text itself carries no `?` or `%` (values
        travel as parameters; only seed stage names and fixed labels are written into it)."""
        if self.paramstyle != "?":
            sql = sql.replace("?", self.paramstyle)
        cur = self.con.cursor()
        try:
            cur.execute(sql, list(params))
            return [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    def close(self) -> None:
        self.con.close()


def marts_file(config: LeadsyncConfig) -> Path:
    """DuckDB: the BI copy when it exists, else the warehouse."""
    bi = config.bi_copy_path
    if bi.exists():
        return bi
    wh = config.warehouse_path
    if wh.exists():
        return wh
    raise ReportError(
        f"There is no warehouse yet (looked for {bi} and {wh}). "
        "Run `leadsync sync` first, then `leadsync report`."
    )


def open_marts(config: LeadsyncConfig) -> Marts:
    """The configured warehouse's marts, read-only, with their columns read once."""
    if config.warehouse.target == "postgres":
        marts = _open_postgres(config)
        catalog_filter = ""
    else:
        marts = _open_duckdb(marts_file(config))
        catalog_filter = f" and table_catalog = '{ATTACHED}'"
    found = marts.rows(
        "select table_name, column_name from information_schema.columns "
        f"where table_schema = ?{catalog_filter}",
        [MARTS_SCHEMA],
    )
    for table, column in found:
        marts.columns.setdefault(table, set()).add(column)
    return marts


def _open_duckdb(path: Path) -> Marts:
    import duckdb

    con = duckdb.connect(":memory:")
    try:  # dates are read in UTC, as the marts store them, whatever the machine's zone
        con.execute("set TimeZone = 'UTC'")
    except duckdb.Error:  # a DuckDB without ICU has no zones at all: already UTC
        pass
    escaped = str(path).replace("'", "''")
    try:
        con.execute(f"attach '{escaped}' as {ATTACHED} (read_only)")
    except duckdb.Error as err:
        con.close()
        raise ReportError(
            f"Could not open {path} for reading ({err}). If a sync is running, wait for it to "
            "finish, or publish the BI copy (`warehouse.bi_copy`) so the report can read that."
        ) from None
    return Marts(con, str(path), f"{ATTACHED}.{MARTS_SCHEMA}", "?")


def _open_postgres(config: LeadsyncConfig) -> Marts:
    import psycopg2

    try:
        con = connect(config, read_only=True)
    except psycopg2.Error as err:
        raise ReportError(f"Could not connect to the PostgreSQL warehouse ({err}).") from None
    con.autocommit = True  # every SELECT on its own: one failed probe does not poison the rest
    with con.cursor() as cur:
        cur.execute("set time zone 'UTC'")  # timestamptz marts read as UTC wall time, as on DuckDB
        cur.execute("select current_database()")
        database = cur.fetchone()[0]
    return Marts(con, f"PostgreSQL database {database}", MARTS_SCHEMA, "%s")
