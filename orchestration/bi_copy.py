"""Publish the read-only copy of the marts that BI tools open (`warehouse.bi_copy`).

On a server target (PostgreSQL) there is no file: dbt builds the marts into `marts_build`, and
`publish_server_marts` copies them into a fresh schema and swaps it in as `marts` in one short
transaction, granting SELECT to leadsync's reader role (see marts_swap.py).

Why a copy on DuckDB: DuckDB allows one writing process per file, and while a sync writes, nobody else can
open the warehouse at all. BI tools therefore read a separate file. It is built complete under a
temporary name beside the target and swapped in with one `os.replace` (an atomic rename on the
same file system), so a reader sees either the whole old copy or the whole new one, never a mix,
and a reader that still has the old file open keeps reading it undisturbed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from leadsync.ingestion.config import LeadsyncConfig

MARTS_SCHEMA = "marts"
_WAREHOUSE_ALIAS = "leadsync_warehouse"

log = logging.getLogger(__name__)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """Base tables in schema `marts` of an attached catalog, sorted (views are not copied)."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? and table_type = 'BASE TABLE' "
        "order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _temp_path(target: Path, suffix: str = "") -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp{suffix}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def sweep_stale_temps(target: Path) -> list[Path]:
    """Remove `.<name>.<pid>.tmp*` files left by a publisher that was killed (SIGKILL, power loss).

    A live publisher's temp file is left alone (its pid still runs), so two publishers never
    delete each other's work in progress.
    """
    removed = []
    prefix = f".{target.name}."
    if not target.parent.is_dir():
        return removed
    for p in target.parent.iterdir():
        if not p.name.startswith(prefix) or ".tmp" not in p.name:
            continue
        pid_text = p.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit():
            continue
        if int(pid_text) == os.getpid() or not _pid_alive(int(pid_text)):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


class _Terminated(BaseException):
    """SIGTERM arrived while publishing; raised so the temp file is removed before exiting."""


@contextlib.contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration (main thread only; Python's rule)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):  # noqa: ARG001 - signal handler signature
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        os.kill(os.getpid(), signal.SIGTERM)  # die as the sender asked, now that we are clean
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _discard(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def publish_bi_copy(config: LeadsyncConfig) -> Path | str:
    """Copy every table in `marts` into a fresh DuckDB file and swap it in as `warehouse.bi_copy`.

    Also writes one Parquet file per mart into `warehouse.bi_parquet_dir` when that is set (each
    file swapped in the same way). Returns the BI copy's path. The caller holds the warehouse
    (one writer at a time), so the warehouse is attached read-only and nothing else waits on it.

    On PostgreSQL it publishes the `marts` schema instead (no file) and returns a description.
    """
    if config.warehouse.target == "postgres":
        from leadsync.orchestration.marts_swap import publish_server_marts

        return publish_server_marts(config)
    with _cleanup_on_sigterm():
        return _publish_file(config)


def _publish_file(config: LeadsyncConfig) -> Path:
    warehouse = config.warehouse_path
    if not warehouse.exists():
        raise FileNotFoundError(
            f"The warehouse {warehouse} does not exist yet; run `leadsync sync` before publishing."
        )
    target = config.bi_copy_path
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(target)
    tmp = _temp_path(target)
    con = None
    try:  # connect inside: a signal that lands while the file is being created still cleans up
        con = duckdb.connect(str(tmp))
        con.execute(f"attach {_sql_str(str(warehouse))} as {_WAREHOUSE_ALIAS} (read_only)")
        tables = mart_tables(con, _WAREHOUSE_ALIAS)
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        con.execute("begin transaction")
        for table in tables:
            con.execute(
                f"create table {MARTS_SCHEMA}.{_quote(table)} as "
                f"select * from {_WAREHOUSE_ALIAS}.{MARTS_SCHEMA}.{_quote(table)}"
            )
        con.execute("commit")
        con.execute(f"detach {_WAREHOUSE_ALIAS}")
        con.execute("checkpoint")
        if config.warehouse.bi_parquet_dir:
            _write_parquet(con, config, tables)
    except BaseException:
        if con is not None:
            con.close()
        _discard(tmp)
        raise
    con.close()
    os.replace(tmp, target)
    log.info("published %d mart table(s) to %s", len(tables), target)
    return target


def _write_parquet(con: duckdb.DuckDBPyConnection, config: LeadsyncConfig, tables: list[str]) -> None:
    """One Parquet file per mart, each written under a temporary name and renamed into place."""
    out_dir = Path(config.resolve(config.warehouse.bi_parquet_dir or ""))
    out_dir.mkdir(parents=True, exist_ok=True)
    for table in tables:
        final = out_dir / f"{table}.parquet"
        sweep_stale_temps(final)
        tmp = _temp_path(final)
        try:
            con.execute(f"copy {MARTS_SCHEMA}.{_quote(table)} to {_sql_str(str(tmp))} (format parquet)")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, final)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def open_bi_copy(config: LeadsyncConfig) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published BI copy (how Python readers should open it)."""
    return duckdb.connect(str(config.bi_copy_path), read_only=True)
