"""The sample sync end to end on PostgreSQL, compared with the same sync on DuckDB.

Both runs are the real `leadsync demo --fresh` (sandboxes, receiver, dlt, dbt) on copies of the
bundled samples; only `warehouse:` differs. The marts must agree: the same row count in every
mart, the same lead clusters (the same groups of source records per lead, whatever the lead ids
are), the same funnel counts per stage.

While the identity models (transform/models/intermediate/identity, their own work item) do not
build on PostgreSQL yet, the PostgreSQL demo stops in dbt at an identity model. The test then
requires that it stopped there and nowhere else, copies DuckDB's identity tables into PostgreSQL
and builds every other model there (`--exclude intermediate.identity`), so everything else is
still compared for real. Once identity builds, that branch is never taken.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from psycopg2.extras import execute_values

from leadsync.ingestion.config import load_config
from leadsync.ingestion.warehouse import connect
from leadsync.orchestration.dbt_project import run_dbt

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.heavy,
    pytest.mark.timeout(2400),
]  # two demos and a dbt build, ~10 min on a loaded 2-core box

REPO = Path(__file__).resolve().parents[2]
MARTS = [
    "dim_leads",
    "fct_lead_touches",
    "fct_lead_funnel",
    "dim_accounts",
    "fct_source_quality",
    "fct_source_summary",
    "fct_lead_flow",
    "quarantine",
    "lead_id_aliases",
    "lead_links",
]
DUCK_TO_PG = {"VARCHAR": "text", "DOUBLE": "double precision", "FLOAT": "real", "HUGEINT": "numeric"}


def run_demo(root: Path, warehouse_lines: str) -> subprocess.CompletedProcess:
    shutil.copytree(REPO / "examples", root / "examples")
    text = (REPO / "leadsync.yaml").read_text().replace("warehouse:\n", "warehouse:\n" + warehouse_lines, 1)
    (root / "leadsync.yaml").write_text(text)
    exe = Path(sys.executable).parent / "leadsync"
    env = {k: v for k, v in os.environ.items() if k not in ("LEADSYNC_CONFIG", "LEADSYNC_WAREHOUSE")}
    return subprocess.run(
        [
            "flock",
            "/tmp/leadsync-demo.lock",
            str(exe),
            "--config",
            str(root / "leadsync.yaml"),
            "demo",
            "--fresh",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )


def copy_identity_tables(duck_path: Path, pg_con) -> list[str]:
    """DuckDB's built identity tables into PostgreSQL's intermediate schema, same columns."""
    duck = duckdb.connect(str(duck_path), read_only=True)
    tables = [
        r[0]
        for r in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'intermediate'"
            " and (table_name like 'int_identity%' or table_name = 'int_lead_identity')"
        ).fetchall()
    ]
    cur = pg_con.cursor()
    cur.execute("create schema if not exists intermediate")
    for table in tables:
        cols = duck.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'intermediate' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        spec = ", ".join(
            f'"{name}" {DUCK_TO_PG.get(t, t.replace("VARCHAR", "text")).lower()}' for name, t in cols
        )
        cur.execute(f'drop table if exists intermediate."{table}" cascade')
        cur.execute(f'create table intermediate."{table}" ({spec})')
        rows = duck.execute(f'select * from intermediate."{table}"').fetchall()
        if rows:
            execute_values(cur, f'insert into intermediate."{table}" values %s', rows)
    pg_con.commit()
    duck.close()
    return tables


def clusters(rows) -> set[frozenset]:
    groups: dict = {}
    for lead_id, source_name, record_id in rows:
        groups.setdefault(lead_id, set()).add((source_name, record_id))
    return {frozenset(g) for g in groups.values()}


TOUCHES_SQL = "select lead_id, source_name, source_record_id from {schema}.fct_lead_touches"
FUNNEL_SQL = "select stage, count(*) from {schema}.fct_lead_funnel group by stage order by stage"


@pytest.mark.xfail(
    reason="open (issue #13): on PostgreSQL the identity models still use DuckDB list syntax, and with "
    "identity copied from DuckDB the unit test int_leads_qualified::scores_grades_and_disqualifies "
    "scores l2/l3 0.0 where DuckDB gives 40/80 (a rule match that is not portable yet)",
    strict=False,
)
def test_sample_sync_on_postgres_matches_duckdb(tmp_path, pg_url):
    duck_run = run_demo(tmp_path / "duck", "")
    assert duck_run.returncode == 0, duck_run.stderr[-3000:]
    duck_path = tmp_path / "duck" / "warehouse" / "leads.duckdb"

    pg_root = tmp_path / "pg"
    pg_run = run_demo(pg_root, "  target: postgres\n  credentials_env: LEADSYNC_TEST_PG_URL\n")
    config = load_config(pg_root / "leadsync.yaml")
    pg = connect(config)
    schema = "marts"
    if pg_run.returncode != 0:
        # the one known gap: identity's models are not portable yet (see the module docstring)
        assert "The transform failed: model.leadsync.int_identity" in pg_run.stderr, pg_run.stderr[-3000:]
        copy_identity_tables(duck_path, pg)
        target = tmp_path / "pg_target"
        run_dbt(config, ["build", "--exclude", "intermediate.identity"], target_path=target)
        results = json.loads((target / "run_results.json").read_text())["results"]
        assert results and all(r["status"] in ("success", "pass") for r in results)
        schema = config.dbt_vars()["leadsync_marts_schema"]  # built, not yet swapped into marts
    cur = pg.cursor()

    duck = duckdb.connect(str(duck_path), read_only=True)
    for mart in MARTS:
        cur.execute(f"select count(*) from {schema}.{mart}")
        pg_count = cur.fetchone()[0]
        duck_count = duck.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        assert pg_count == duck_count, f"{mart}: {pg_count} rows on PostgreSQL, {duck_count} on DuckDB"
        assert duck_count > 0 or mart == "lead_links", mart

    cur.execute(TOUCHES_SQL.format(schema=schema))
    pg_clusters = clusters(cur.fetchall())
    duck_clusters = clusters(duck.execute(TOUCHES_SQL.format(schema="marts")).fetchall())
    assert pg_clusters == duck_clusters

    cur.execute(FUNNEL_SQL.format(schema=schema))
    pg_funnel = cur.fetchall()
    duck_funnel = duck.execute(FUNNEL_SQL.format(schema="marts")).fetchall()
    assert [tuple(r) for r in pg_funnel] == [tuple(r) for r in duck_funnel]
    assert dict(duck_funnel).get("contacted", 0) > 0

    cur.execute(f"select count(*) from {schema}.dim_leads where is_mql")
    pg_mql = cur.fetchone()[0]
    assert pg_mql == duck.execute("select count(*) from marts.dim_leads where is_mql").fetchone()[0]
    duck.close()
    pg.close()
