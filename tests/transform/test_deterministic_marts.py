"""The same raw data gives the same marts (issue #15): two warehouses built from one raw file,
every mart compared by an ordered checksum of all its rows.

The raw rows include ties survivorship must break (two records of one person with the same
touched_at and different job titles, and equal-time activity events). Columns named as
wall-clock values (`refreshed_at`, `lead_refreshed_at`, `merged_at`: when this run wrote or
merged a row) are left out; everything else must be identical.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt
from tests.transform.raw_builder import append_raw

RECEIVED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
WALL_CLOCK = {"refreshed_at", "lead_refreshed_at", "merged_at", "linked_at"}


def _lead(source: str, source_type: str, record_id: str, **fields) -> dict:
    return {
        "source_name": source,
        "source_type": source_type,
        "lead_origin": "inbound",
        "source_record_id": record_id,
        "received_at": RECEIVED,
        "is_test": False,
        **fields,
    }


def _raw(db: Path) -> None:
    same_time = "2026-03-01 09:00:00"
    append_raw(
        db,
        "csv_leads",
        [
            _lead(
                "expo",
                "csv",
                "e1",
                email="ada@acme.com",
                job_title="CTO",
                company_name="Acme",
                submitted_at=same_time,
                need="speed",
            ),
            _lead(
                "expo",
                "csv",
                "e2",
                email="ada@acme.com",
                job_title="VP Engineering",
                company_name="Acme Inc",
                submitted_at=same_time,
                need="scale",
            ),
            _lead(
                "expo",
                "csv",
                "e3",
                email="bob@globex.io",
                full_name="Bob Stone",
                company_name="Globex",
                submitted_at="2026-03-02 10:00:00",
            ),
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "webhook_leads",
        [
            _lead(
                "site_forms",
                "webhook",
                "w1",
                email="ADA@acme.com",
                job_title="Chief Technology Officer",
                submitted_at=same_time,
            ),
        ],
        load_id="1000.1",
    )
    append_raw(
        db,
        "activity_events",
        [
            {
                "source_name": "sales_activity",
                "source_record_id": f"a{i}",
                "email": "ada@acme.com",
                "event": event,
                "occurred_at": "2026-03-03 09:00:00",
                "rep": rep,
                "received_at": RECEIVED,
            }
            for i, (event, rep) in enumerate([("contacted", "Zoe"), ("contacted", "Al"), ("won", "Al")])
        ],
        load_id="1000.2",
    )


def _checksums(db: Path) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        out = {}
        for name in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? order by ordinal_position",
                    [name],
                ).fetchall()
                if r[0] not in WALL_CLOCK
            ]
            listed = ", ".join(f'"{c}"' for c in cols)
            out[name] = con.execute(
                f"select count(*), md5(coalesce(string_agg(row_text, '\n' order by row_text), '')) "
                f"from (select cast(({listed},) as varchar) as row_text from marts.{name})"
            ).fetchone()
    return out


def test_two_builds_of_the_same_raw_data_give_identical_marts(tmp_path):
    first = tmp_path / "first" / "leads.duckdb"
    first.parent.mkdir()
    _raw(first)
    second = tmp_path / "second" / "leads.duckdb"
    second.parent.mkdir()
    shutil.copy(first, second)
    sources = [
        {"name": "expo", "type": "csv", "path": "x/*.csv"},
        {"name": "site_forms", "type": "webhook", "provider": "standard"},
        {"name": "sales_activity", "type": "activity_csv", "path": "a/*.csv"},
    ]
    for db in (first, second):
        config = parse_config({"warehouse": {"path": str(db)}, "sources": sources})
        result = run_dbt(config, ["build"], target_path=db.parent / "target", raise_on_error=False)
        assert result.is_successful(), "dbt build failed; see the dbt log above"
    a, b = _checksums(first), _checksums(second)
    assert set(a) >= {
        "dim_leads",
        "fct_lead_touches",
        "fct_lead_funnel",
        "dim_accounts",
        "fct_source_quality",
    }
    assert a == b
    assert all(count > 0 for name, (count, _) in a.items() if name in ("dim_leads", "fct_lead_funnel"))
