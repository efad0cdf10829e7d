"""Identity cost against volume: a full identity build at each size, then +N new touches
incrementally, with peak memory. The data is realistic B2B (leadgen: about three people per
company, shared switchboards and domains), which is what made identity slow before: the cost
follows how many people share a company, not only the row count.

    .venv/bin/python benchmarks/identity_scale.py --sizes 100000 300000 --new 10000

For each size it loads leadgen records into `raw.csv_leads` of a fresh DuckDB (as dlt would), runs
the real dbt project up to `int_lead_identity` (staging, normalisation, identity; no tests), then
appends `--new` records of new people plus returning ones and runs the same selection again (the
incremental path). Printed next to each: DuckDB's own `select count(*) ... group by` over the
same raw table (the plain baseline of that run), and the ratio of the largest size's time to
the smallest's (goal: 100k -> 1M <= 12x, i.e. near-linear). Peak memory is the process's
max RSS (dbt and DuckDB run in this process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.leadgen import iter_batches  # noqa: E402
from leadsync.ingestion import raw_tables  # noqa: E402
from leadsync.ingestion.config import parse_config  # noqa: E402
from leadsync.orchestration.dbt_project import run_dbt  # noqa: E402

TABLE = f"{raw_tables.RAW_DATASET}.{raw_tables.CSV_LEADS}"


def append_raw(db: Path, people: int, seed: int, batch_people: int = 50_000) -> int:
    """Append leadgen records of `people` people (ids unique per seed) as one dlt load."""
    rows = 0
    load_id = f"{time.time():.6f}"
    with duckdb.connect(str(db)) as con:
        con.execute(f"create schema if not exists {raw_tables.RAW_DATASET}")
        for part in iter_batches(people, batch_people=batch_people, seed=seed):
            batch = part.to_arrow()
            n = batch.num_rows
            batch = batch.append_column("_dlt_load_id", pa.array([load_id] * n, pa.string()))
            batch = batch.append_column(
                "_dlt_id", pa.array([uuid.uuid4().hex[:14] for _ in range(n)], pa.string())
            )
            # records of another seed must not collide with the first load's ids
            ids = pa.array([f"s{seed}_{r}" for r in batch.column("source_record_id").to_pylist()])
            batch = batch.set_column(
                batch.schema.get_field_index("source_record_id"), "source_record_id", ids
            )
            con.register("batch", batch)
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [raw_tables.RAW_DATASET, raw_tables.CSV_LEADS],
            ).fetchone()[0]
            if exists:
                con.execute(f"insert into {TABLE} by name select * from batch")
            else:
                con.execute(f"create table {TABLE} as select * from batch")
            con.unregister("batch")
            rows += n
    return rows


def duckdb_baseline(db: Path) -> float:
    """DuckDB grouping the raw table by lower(email) and company: the plain work of the same size."""
    started = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute(
            f"select count(*) from (select lower(trim(email)), lower(company_name), count(*) from {TABLE} group by all)"
        ).fetchall()
    return time.perf_counter() - started


def build(db: Path, work: Path) -> float:
    config = parse_config({"warehouse": {"path": str(db)}}, base_dir=work)
    started = time.perf_counter()
    run_dbt(
        config,
        [
            "build",
            "--quiet",
            "--select",
            "+int_lead_identity",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        target_path=work / "target",
    )
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def touches(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from intermediate.int_identity_assignments").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="people per run")
    parser.add_argument("--new", type=int, default=10_000, help="people added in the incremental run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="leadsync-identity-scale-") as tmp:
            work = Path(tmp)
            db = work / "leads.duckdb"
            rows = append_raw(db, size, seed=7)
            baseline = duckdb_baseline(db)
            full = build(db, work)
            full_touches = touches(db)
            rss_full = peak_rss_mb()
            new_rows = append_raw(db, args.new, seed=1_000_003)
            incremental = build(db, work)
            results.append(
                {
                    "people": size,
                    "records": rows,
                    "touches": full_touches,
                    "duckdb_group_by_s": round(baseline, 2),
                    "identity_full_s": round(full, 1),
                    "peak_rss_mb_after_full": round(rss_full),
                    "new_records": new_rows,
                    "identity_incremental_s": round(incremental, 1),
                    "peak_rss_mb": round(peak_rss_mb()),
                }
            )
            print(json.dumps(results[-1]) if args.json else results[-1], flush=True)
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratio = last["identity_full_s"] / first["identity_full_s"]
        scale = last["records"] / first["records"]
        print(f"full identity: {scale:.1f}x the records cost {ratio:.1f}x the time (goal for 10x: <= 12x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
