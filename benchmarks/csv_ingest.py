"""Benchmark: leadsync's CSV ingestion vs DuckDB reading the same file, plus a no-op re-sync.

    .venv/bin/python benchmarks/csv_ingest.py [--rows 1000000]

Generates a realistic lead export (15 columns: ids, names, emails, phones, companies, titles,
countries, lead sources, statuses, dates, notes with commas and quotes) in a temp dir, then times
  1. DuckDB:   create table as select * from read_csv(<file>)   into a fresh DuckDB file
  2. leadsync: ingestion.pipeline.run_source (the real dlt pipeline) into a fresh DuckDB file
  3. leadsync no-op re-sync (nothing changed)
Figures are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leadsync.ingestion.config import parse_config  # noqa: E402
from leadsync.ingestion.pipeline import run_source  # noqa: E402

FIRST = [
    "Anna",
    "Robert",
    "Bob",
    "Jürgen",
    "Sarah",
    "David",
    "Émilie",
    "Marco",
    "Pieter",
    "Lucia",
    "Erik",
    "Claudia",
    "John",
    "Min-jun",
    "Emily",
    "Oliver",
    "Sophie",
    "Lucas",
    "Emma",
    "James",
    "Mia",
    "Noah",
]
LAST = [
    "Fischer",
    "Müller",
    "Kowalski",
    "O'Connor",
    "Chen",
    "Dubois",
    "Rossi",
    "Jansen",
    "Nowak",
    "Schmidt",
    "García",
    "Andersson",
    "Weber",
    "Smith",
    "Kim",
    "Brown",
    "Taylor",
    "Martin",
    "Meyer",
    "Wilson",
]
COMPANY = [
    "Acme Robotics GmbH",
    "Nordwind Logistics Ltd",
    "Brightpath Software, Inc.",
    "Logistica Rossi S.r.l.",
    "Van der Berg Freight B.V.",
    "Transportes García S.L.",
    "Nordic Haulage AB",
    "Weber & Söhne KG",
    "Northstar Distribution Ltd.",
    "Alpine Cargo AG",
    "Pacific Rim Shipping Inc.",
    "Lone Star Logistics LLC",
]
TITLE = [
    "Head of Operations",
    "VP Supply Chain",
    "CTO",
    "Director of Marketing",
    "Fleet Manager",
    "CEO",
    "Logistics Analyst",
    "Procurement Lead",
    "Operations Manager",
    "Managing Director",
]
COUNTRY = ["Germany", "United Kingdom", "USA", "France", "Italy", "Netherlands", "Spain", "Sweden", "Poland"]
SOURCE = ["Web", "Event", "Cold Call", "Outsourced Telemarketing", "Referral", "Partner", "Paid Social"]
STATUS = ["Open - Not Contacted", "Working - Contacted", "Qualified", "Unqualified", "Nurturing"]
NOTES = [
    "",
    "Wants a demo",
    "Budget Q1, asked for pricing",
    'Said "call me in March"',
    "Met at expo",
    "Compare with current TMS, needs SSO",
    "",
]


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(path: Path, rows: int) -> None:
    """Write the lead CSV with DuckDB (seconds for 1M rows, not minutes)."""

    def pick(values: list[str], salt: int) -> str:
        return f"{_list(values)}[1 + (hash(i * {salt}) % {len(values)})::int]"

    duckdb.execute(f"""
        copy (
          select
            'L' || lpad(i::varchar, 8, '0') as "Lead ID",
            {pick(FIRST, 3)} as "First Name",
            {pick(LAST, 5)} as "Last Name",
            {pick(COMPANY, 7)} as "Company",
            {pick(TITLE, 11)} as "Title",
            lower(replace({pick(FIRST, 3)}, ' ', '')) || '.' || i || '@example-' || (i % 5000) || '.com' as "Email",
            '+49 89 ' || (1000000 + hash(i * 13) % 8999999)::varchar as "Phone",
            {pick(COUNTRY, 17)} as "Country",
            {pick(SOURCE, 19)} as "Lead Source",
            {pick(STATUS, 23)} as "Lead Status",
            strftime(date '2026-09-14' + (i % 70)::int, '%Y-%m-%d') as "Created Date",
            (10 + hash(i * 29) % 5000)::varchar as "No. of Employees",
            '$' || (1 + hash(i * 31) % 500)::varchar || 'M' as "Annual Revenue",
            {pick(NOTES, 37)} as "Description",
            'https://www.linkedin.com/in/' || i as "LinkedIn URL"
          from range(1, {rows} + 1) t(i)
        ) to '{path}' (header true, delimiter ',', quote '"')
    """)


def time_duckdb(csv: Path, db: Path) -> float:
    started = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        con.execute(f"create table leads as select * from read_csv('{csv}')")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadsync_bench_") as tmp:
        tmp_path = Path(tmp)
        csv = tmp_path / "inbox" / "leads.csv"
        csv.parent.mkdir()
        started = time.perf_counter()
        generate(csv, args.rows)
        size_mb = csv.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f}s")

        duck = time_duckdb(csv, tmp_path / "duckdb_only.duckdb")
        print(f"duckdb  create table as select * from read_csv: {duck:6.2f}s")

        config = parse_config(
            {
                "warehouse": {"path": str(tmp_path / "wh" / "leads.duckdb")},
                "sources": [{"name": "bench", "type": "csv", "path": str(csv)}],
            }
        )
        started = time.perf_counter()
        result = run_source(config, "bench")
        ours = time.perf_counter() - started
        assert result.rows_by_table.get("csv_leads") == args.rows, result.rows_by_table
        print(
            f"leadsync run_source (dlt, full load):         {ours:6.2f}s  "
            f"({ours / duck:.1f}x duckdb, {args.rows / ours:,.0f} rows/s)"
        )

        started = time.perf_counter()
        noop = run_source(config, "bench")
        again = time.perf_counter() - started
        assert noop.rows_by_table.get("csv_leads") == 0, noop.rows_by_table
        print(f"leadsync no-op re-sync:                        {again:6.2f}s")
        print(f"cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
