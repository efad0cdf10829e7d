"""Open the marts for reading without ever touching the warehouse a sync writes to.

The report prefers the published BI copy (`warehouse.bi_copy`): it is replaced atomically after
each successful transform, so reading it never waits for, or blocks, a running sync. Only when no
copy has been published yet does it read the warehouse itself, and then read-only.

The file is ATTACHed read-only into an in-memory DuckDB so the queries can keep small temporary
tables of their own (the period's touches) without a single write reaching the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from leadsync.ingestion.config import LeadsyncConfig

MARTS_SCHEMA = "marts"
ATTACHED = "wh"  # the alias the attached file gets; queries name tables as wh.marts.<table>


class ReportError(Exception):
    """Why no report could be written, phrased for the person who runs `leadsync report`."""


def marts_file(config: LeadsyncConfig) -> Path:
    """The BI copy when it exists, else the warehouse."""
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


def open_marts(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection (in UTC) with `path` attached read-only as `wh`."""
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
    return con


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Table name -> its column names, for every table or view in the attached `marts` schema."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ?",
        [ATTACHED, MARTS_SCHEMA],
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def table(name: str) -> str:
    """The qualified name of a mart in the attached file."""
    return f"{ATTACHED}.{MARTS_SCHEMA}.{name}"
