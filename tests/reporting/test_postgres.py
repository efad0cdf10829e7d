"""The report read from a PostgreSQL warehouse gives the figures it gives on DuckDB.

The dbt models do not build on PostgreSQL in this tree yet (list_contains, median, ... are
DuckDB's), so the crafted marts (report_marts.py) are created on a real server (tests/pg_server.py)
with the marts' column types, as publishing leaves them in schema `marts`; the report then reads
them through ingestion/warehouse.py `connect(read_only=True)`, the same queries as on DuckDB.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest
from report_marts import PERIOD_DAYS, XSS, build_marts, report_config

from leadsync.reporting import build_report, report_data

PG_TYPES = {
    "VARCHAR": "text",
    "VARCHAR[]": "text[]",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DATE": "date",
}
URL_ENV = "LEADSYNC_TEST_PG_URL"


def copy_marts_to_postgres(duck_path: Path, pg_server) -> str:
    """A fresh database holding the DuckDB file's `marts` schema, table for table; its URL."""
    url = pg_server.url(pg_server.create_database())
    src = duckdb.connect(str(duck_path), read_only=True)
    pg = pg_server.connect(url.rsplit("/", 1)[1])
    pg.autocommit = True
    try:
        cur = pg.cursor()
        cur.execute("create schema marts")
        tables = [
            r[0]
            for r in src.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        for table in tables:
            cols = src.execute(f"describe marts.{table}").fetchall()
            ddl = ", ".join(f'"{c[0]}" {PG_TYPES[c[1]]}' for c in cols)
            cur.execute(f"create table marts.{table} ({ddl})")
            rows = src.execute(f"select * from marts.{table}").fetchall()
            if rows:
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(f"insert into marts.{table} values ({marks})", rows)
    finally:
        src.close()
        pg.close()
    return url


def _pg_config(tmp_path: Path, url: str, monkeypatch):
    monkeypatch.setenv(URL_ENV, url)
    duck = report_config(tmp_path, tmp_path / "unused.duckdb")
    warehouse = duck.warehouse.model_copy(
        update={
            "target": "postgres",
            "credentials_env": URL_ENV,
            "path": str(tmp_path / "state" / "x.duckdb"),
        }
    )
    return duck.model_copy(update={"warehouse": warehouse})


def _figures(data) -> dict:
    out = dataclasses.asdict(data)
    out.pop("marts_path")
    return out


@pytest.mark.parametrize(
    ("variant", "period"),
    [({}, PERIOD_DAYS), ({}, None), ({"spend": "total"}, None), ({"touched_at": False}, PERIOD_DAYS)],
    ids=["period", "all-data", "all-time-spend", "received-at"],
)
def test_postgres_gives_the_duckdb_figures(tmp_path, pg_server, monkeypatch, variant, period):
    wh = build_marts(tmp_path / "leads.duckdb", **variant)
    on_duckdb = report_data(report_config(tmp_path, wh), period_days=period)
    config = _pg_config(tmp_path, copy_marts_to_postgres(wh, pg_server), monkeypatch)
    on_postgres = report_data(config, period_days=period)
    assert on_postgres.marts_path.startswith("PostgreSQL database leads")
    assert on_duckdb.overall.records > 0
    assert _figures(on_postgres) == _figures(on_duckdb)


def test_report_page_from_postgres(tmp_path, pg_server, monkeypatch):
    wh = build_marts(tmp_path / "leads.duckdb")
    config = _pg_config(tmp_path, copy_marts_to_postgres(wh, pg_server), monkeypatch)
    page = build_report(config, tmp_path / "pg.html", period_days=PERIOD_DAYS).read_text("utf-8")
    assert "read from PostgreSQL database leads" in page
    assert XSS not in page and "trade_shows" in page
