"""The sample sync (`leadsync demo --fresh`) on DuckDB and on PostgreSQL, in the same run.

    .venv/bin/python benchmarks/postgres.py

Each target gets a fresh copy of the bundled samples and the same config but `warehouse:`;
PostgreSQL is the throwaway local server of tests/pg_server.py (Debian's package, loopback).
Printed: wall time of the whole demo per target, and of one `dbt build` of the same models on
each target (the transform alone, warm: raw data already loaded), with the ratio.

While the identity models do not build on PostgreSQL (see tests/warehouse/test_pg_pipeline.py),
the PostgreSQL demo stops at them; the dbt figure is then `dbt build --exclude
intermediate.identity` on both targets, with DuckDB's identity tables copied into PostgreSQL, and
the demo figure on PostgreSQL covers the loads and the models up to identity. The output says
which case it measured.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from pg_server import start_server  # noqa: E402

from leadsync.ingestion.config import load_config  # noqa: E402
from leadsync.ingestion.warehouse import connect  # noqa: E402
from leadsync.orchestration.dbt_project import run_dbt  # noqa: E402
from tests.warehouse.test_pg_pipeline import copy_identity_tables, run_demo  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def dbt_build(config, target: Path, extra: list[str]) -> float:
    _, seconds = timed(lambda: run_dbt(config, ["build", *extra], target_path=target))
    statuses = {r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]}
    assert statuses <= {"success", "pass"}, statuses
    return seconds


def main() -> None:
    server = start_server()
    try:
        os.environ["LEADSYNC_TEST_PG_URL"] = server.url(server.create_database())
        root = Path(tempfile.mkdtemp(prefix="leadsync-bench-pg-"))
        duck_run, duck_demo = timed(lambda: run_demo(root / "duck", ""))
        assert duck_run.returncode == 0, duck_run.stderr[-2000:]
        pg_run, pg_demo = timed(
            lambda: run_demo(root / "pg", "  target: postgres\n  credentials_env: LEADSYNC_TEST_PG_URL\n")
        )
        duck_config = load_config(root / "duck" / "leadsync.yaml")
        pg_config = load_config(root / "pg" / "leadsync.yaml")
        extra: list[str] = []
        case = "full project"
        if pg_run.returncode != 0:
            assert "model.leadsync.int_identity" in pg_run.stderr, pg_run.stderr[-2000:]
            pg = connect(pg_config)
            copy_identity_tables(root / "duck" / "warehouse" / "leads.duckdb", pg)
            pg.close()
            extra = ["--exclude", "intermediate.identity"]
            case = "every model but intermediate/identity (identity copied from DuckDB)"
        duck_dbt = dbt_build(duck_config, root / "duck_target", extra)
        pg_dbt = dbt_build(pg_config, root / "pg_target", extra)
        print(f"load: {os.getloadavg()[0]:.1f} (1-min average, {os.cpu_count()} cores)")
        print(f"demo, whole sync   DuckDB {duck_demo:7.1f} s   PostgreSQL {pg_demo:7.1f} s", end="")
        print("" if pg_run.returncode == 0 else "  (PostgreSQL stopped at identity)")
        print(f"dbt build, {case}")
        print(
            f"                   DuckDB {duck_dbt:7.1f} s   PostgreSQL {pg_dbt:7.1f} s   ratio {pg_dbt / duck_dbt:.2f}"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
