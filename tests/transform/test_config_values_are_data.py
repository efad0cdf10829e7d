"""Every leadsync.yaml value that reaches dbt is data, never SQL text (issue #15).

One real `dbt build` with apostrophes and injection-shaped strings in every config key that
reaches dbt (ICP values and keywords, competitor and disposable domains, phone regions, source
priority, numbers): the build succeeds and each value is matched as the string it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt
from tests.transform.raw_builder import append_raw

RECEIVED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
INJECTION = "x') or (1=1) or ('x"


def _lead(record_id: str, **fields) -> dict:
    return {
        "source_name": "expo",
        "source_type": "csv",
        "lead_origin": "outbound",
        "source_record_id": record_id,
        "received_at": RECEIVED,
        "is_test": False,
        **fields,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("config_as_data")
    db = root / "leads.duckdb"
    append_raw(
        db,
        "csv_leads",
        [
            _lead(
                "1",
                email="ann@toys.com",
                full_name="Ann Toy",
                industry="Children's Products",
                job_title="Head of O'Neil Toys",
                country="US",
                phone="(415) 555-0134",
            ),
            _lead(
                "2", email="bob@plain.com", full_name="Bob Plain", industry="Software", phone="0221 9876543"
            ),
        ],
        load_id="1000.0",
    )
    config = parse_config(
        {
            "warehouse": {"path": str(db)},
            "sources": [
                {"name": "expo", "type": "csv", "path": "x/*.csv", "default_phone_region": "US'"},
            ],
            "qualification": {
                "mql_threshold": 10,
                "competitor_domains": [INJECTION],
                "disposable_domains": ["it's.example", INJECTION],
                "rules": {
                    "industry": {"weight": 50, "values": ["Children's Products", INJECTION]},
                    "country": {"weight": 10, "values": ["U'S", INJECTION]},
                    "job_title": {"weight": 20, "keywords": ["o'neil", INJECTION]},
                    "need": {"weight": 5, "keywords": ["o'clock"]},
                },
            },
            "identity": {"default_phone_region": "US'", "source_priority": ["expo"]},
        }
    )
    result = run_dbt(config, ["build"], target_path=root / "target", raise_on_error=False)
    assert result.is_successful(), "dbt build failed on quoted config values; see the dbt log above"
    return db


def _lead_row(db: Path, email: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("select * from marts.dim_leads where email = ?", [email])
        names = [d[0] for d in cur.description]
        (row,) = cur.fetchall()
    return dict(zip(names, row))


def test_apostrophes_match_as_text(warehouse):
    ann = _lead_row(warehouse, "ann@toys.com")
    assert "industry (+50)" in ann["qualification_reasons"]
    assert "job_title (+20)" in ann["qualification_reasons"]
    assert ann["is_mql"] is True


def test_injection_shaped_values_disqualify_nobody(warehouse):
    for email in ("ann@toys.com", "bob@plain.com"):
        lead = _lead_row(warehouse, email)
        assert lead["disqualification_reason"] is None, lead
    assert "industry (+50)" not in _lead_row(warehouse, "bob@plain.com")["qualification_reasons"]


def test_a_phone_region_with_a_quote_is_an_unknown_region_not_sql(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select source_record_id, phone_e164, phone_raw, phone_issue from marts.fct_lead_touches order by 1"
        ).fetchall()
    # record 1 has its own country (US); record 2 falls back to the source's region "US'"
    assert rows == [
        ("1", "+14155550134", "(415) 555-0134", None),
        ("2", None, "0221 9876543", "phone region US' is unknown"),
    ]
