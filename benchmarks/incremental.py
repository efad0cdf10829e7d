"""Incremental transform benchmark: full build of a large warehouse, then a sync adding new leads.

Generates raw lead rows in DuckDB SQL (no ingestion code involved), runs the real dbt project
through orchestration.dbt_project.run_dbt, and prints wall times:

    .venv/bin/python benchmarks/incremental.py                 # 1,000,000 + 10,000 leads
    .venv/bin/python benchmarks/incremental.py --leads 100000 --new 1000

Target (spec): after a 1M-lead warehouse is built, the sync adding 10k new leads rebuilds the
marts in under 20 s on 2 cores. `--threads` sets DuckDB's threads (default 2, the target machine).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

import duckdb

from leadsync.ingestion import lead, raw_tables
from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt

SOURCES = [
    {"name": "trade_shows", "type": "csv", "path": "x/*.csv", "origin": "outbound"},
    {"name": "website_forms", "type": "webhook", "provider": "standard"},
]
QUALIFICATION = {
    "rules": {
        "industry": {"weight": 30, "values": ["Software", "Fintech"]},
        "employee_count": {"weight": 30, "min": 50, "max": 5000},
        "country": {"weight": 20, "values": ["US", "GB", "DE"]},
        "job_title": {"weight": 20, "keywords": ["vp", "director", "head"]},
    },
}


def generate_leads(db: Path, first: int, count: int, load_id: str) -> None:
    """Append `count` leads (ids first..first+count-1) to raw.csv_leads / raw.webhook_leads.

    About 1 in 8 records is a second touch of an earlier person (same email, other source), so
    identity and survivorship have real work; about five people share each company.
    """
    schema = lead.raw_lead_schema()
    columns = schema.names
    with duckdb.connect(str(db)) as con:
        con.execute(f"create schema if not exists {raw_tables.RAW_DATASET}")
        for table in (raw_tables.CSV_LEADS, raw_tables.WEBHOOK_LEADS):
            empty = ", ".join(f"cast(null as {_sql_type(f.type)}) as {f.name}" for f in schema)
            con.execute(
                f"create table if not exists raw.{table} as select {empty}, "
                "cast(null as varchar) as _dlt_load_id, cast(null as varchar) as _dlt_id where false"
            )
        generated = f"""
            select
                i,
                case when i % 8 = 7 then i - 3 else i end as person,
                case when i % 3 = 0 then 'website_forms' else 'trade_shows' end as source_name
            from range({first}, {first + count}) t(i)
        """
        values = {
            "source_name": "source_name",
            "source_type": "case when source_name = 'website_forms' then 'webhook' else 'csv' end",
            "lead_origin": "case when source_name = 'website_forms' then 'inbound' else 'outbound' end",
            "source_record_id": "'r' || i",
            "received_at": "timestamptz '2025-01-01 00:00:00+00' + to_minutes(i // 2)",
            "is_test": "false",
            "email": "'Person' || person || '@company' || (person % 200000) || '.com'",
            "phone": "'+1 415 ' || lpad(((person * 7919) % 10000000)::varchar, 7, '0')",
            "first_name": "['ada', 'bob', 'carol', 'dan', 'eve', 'fay'][1 + person % 6]",
            "last_name": "translate(substr(md5(person::varchar), 1, 9), '0123456789', 'ghijklmnop')",
            "company_name": "'Company ' || (person % 200000) || [' Inc.', ' GmbH', ' Ltd', ''][1 + person % 4]",
            "job_title": "['VP Sales', 'Director IT', 'Engineer', 'Head of Ops', 'Analyst'][1 + person % 5]",
            "country": "['US', 'United Kingdom', 'Deutschland', 'FR'][1 + person % 4]",
            "industry": "['Software', 'Retail', 'Fintech', 'Health'][1 + person % 4]",
            "employee_count": "['11-50', '51-200', '201-1000', '10000+'][1 + person % 4]",
            "submitted_at": "strftime(timestamp '2025-01-01' + to_minutes(i // 2), '%m/%d/%Y %H:%M')",
            "channel": "['Event', 'Web', 'Partner'][1 + i % 3]",
        }
        select_list = ", ".join(f"{values.get(c, 'null')} as {c}" for c in columns)
        for table, source in (
            (raw_tables.CSV_LEADS, "trade_shows"),
            (raw_tables.WEBHOOK_LEADS, "website_forms"),
        ):
            con.execute(f"""
                insert into raw.{table}
                select {select_list}, '{load_id}' as _dlt_load_id, 'd' || i as _dlt_id
                from ({generated}) where source_name = '{source}'
            """)


def _sql_type(arrow_type) -> str:
    text = str(arrow_type)
    return {"string": "varchar", "bool": "boolean", "int64": "bigint"}.get(
        text, "timestamptz" if text.startswith("timestamp") else "varchar"
    )


def timed_build(config, target: Path, label: str, args: list[str], slowest: int = 0) -> float:
    """Run dbt with its log in target/dbt_output.log; print the wall time (and slowest nodes)."""
    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(target / "dbt_output.log", "a") as log, contextlib.redirect_stdout(log):
        result = run_dbt(config, args, target_path=target, raise_on_error=False)
    seconds = time.perf_counter() - start
    status = "ok" if result.is_successful() else f"FAILED, see {target / 'dbt_output.log'}"
    print(f"{label:<44} {seconds:7.1f} s  ({status})", flush=True)
    if slowest:
        results = (target / "run_results.json").read_text()
        (target / f"run_results_{label.split()[0]}.json").write_text(results)  # kept for profiling
        runs = json.loads(results)["results"]
        totals: dict[str, float] = {}
        for node in runs:
            kind = node["unique_id"].split(".")[0]
            totals[kind] = totals.get(kind, 0.0) + node["execution_time"]
        print("    node time by kind: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(totals.items())))
        for node in sorted(runs, key=lambda r: -r["execution_time"])[:slowest]:
            name = node["unique_id"].split(".")
            print(f"    {name[2] if name[0] == 'test' else name[-1]:<60} {node['execution_time']:6.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="leadsync-incremental-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "leads.duckdb"
    db.unlink(missing_ok=True)
    config = parse_config(
        {"warehouse": {"path": str(db)}, "sources": SOURCES, "qualification": QUALIFICATION}
    )
    os.environ.setdefault("DBT_LOG_PATH", str(workdir / "logs"))
    build = ["build", "--exclude", "resource_type:unit_test"]

    start = time.perf_counter()
    generate_leads(db, 0, args.leads, "1700000000.000001")
    print(f"{'generate ' + format(args.leads, ',') + ' raw leads':<44} {time.perf_counter() - start:7.1f} s")
    timed_build(config, workdir / "target", "full build (dbt build, empty warehouse)", build)

    start = time.perf_counter()
    generate_leads(db, args.leads, args.new, "1700000001.000001")
    print(f"{'append ' + format(args.new, ',') + ' new raw leads':<44} {time.perf_counter() - start:7.1f} s")
    timed_build(config, workdir / "target", "incremental sync (dbt build)", build, slowest=10)
    timed_build(
        config, workdir / "target", "full rebuild (dbt build --full-refresh)", [*build, "--full-refresh"]
    )
    with duckdb.connect(str(db), read_only=True) as con:
        leads, touches = con.execute(
            "select (select count(*) from marts.dim_leads), (select count(*) from marts.fct_lead_touches)"
        ).fetchone()
    print(f"marts: {leads:,} leads from {touches:,} touches; warehouse {db}")


if __name__ == "__main__":
    main()
