"""The identity models on PostgreSQL give the same people as on DuckDB, on the same touches.

The same crafted touches (test_identity_rules.CASES: switchboards, nicknames, same-name strangers,
swapped names, role mailboxes, typos, a chain the guard cuts) go into the stand-in normalised
table of a DuckDB file and of a fresh database on a real PostgreSQL server (tests/pg_server.py);
the identity models are built on each and the clusters (which touches share a lead_id) compared.
lead_id values themselves are generated, so the test compares the partitions.
"""

from __future__ import annotations

import psycopg2
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt

from .identity_harness import IDENTITY_SELECTION, TOUCH_COLUMNS, query, write_touches
from .test_identity_rules import CASES

PG_TYPES = {"timestamptz": "timestamp with time zone", "varchar": "text"}


def partition(pairs) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for touch_id, lead_id in pairs:
        groups.setdefault(lead_id, set()).add(touch_id)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.xfail(
    strict=True,
    reason="identity models still use DuckDB list syntax ([...], list(), list_filter) that PostgreSQL "
    "refuses (first: int_identity_touch_keys, syntax error at or near '['); they move to the "
    "cross_db list macros (transform/macros/cross_db/lists.sql), which are on main, but are not ported yet. "
    "strict: this test fails the day PostgreSQL builds them, so the marker must go then.",
)
def test_identity_on_postgres_clusters_like_duckdb(pg_server, tmp_path, monkeypatch):
    # DuckDB
    db = tmp_path / "leads.duckdb"
    write_touches(db, CASES)
    duck = parse_config(
        {"warehouse": {"path": str(db)}, "identity": {"max_cluster_size": 4}}, base_dir=tmp_path
    )
    run_dbt(duck, ["build", "--select", " ".join(IDENTITY_SELECTION)], target_path=tmp_path / "duck-target")
    on_duckdb = partition(query(db, "select touch_id, lead_id from intermediate.int_identity_assignments"))

    # PostgreSQL: the same rows in the same stand-in table
    url = pg_server.url(pg_server.create_database())
    monkeypatch.setenv("LEADSYNC_TEST_PG_URL", url)
    con = psycopg2.connect(url)
    with con, con.cursor() as cur:
        cur.execute("create schema if not exists intermediate")
        cols = ", ".join(f"{n} {PG_TYPES.get(t, t)}" for n, t in TOUCH_COLUMNS.items())
        cur.execute(f"create table intermediate.int_lead_touches_normalized ({cols})")
        marks = ", ".join(["%s"] * len(TOUCH_COLUMNS))
        cur.executemany(
            f"insert into intermediate.int_lead_touches_normalized values ({marks})",
            [[r[c] for c in TOUCH_COLUMNS] for r in CASES],
        )
    pg = parse_config(
        {
            "warehouse": {"target": "postgres", "credentials_env": "LEADSYNC_TEST_PG_URL"},
            "identity": {"max_cluster_size": 4},
        },
        base_dir=tmp_path,
    )
    run_dbt(pg, ["build", "--select", " ".join(IDENTITY_SELECTION)], target_path=tmp_path / "pg-target")
    with con, con.cursor() as cur:
        cur.execute("select touch_id, lead_id from intermediate.int_identity_assignments")
        on_postgres = partition(cur.fetchall())
    con.close()

    assert on_postgres == on_duckdb
