"""Spend files through the real dlt pipeline: header synonyms, months and bad rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.spend import month_sql


def load(tmp_path: Path, source: dict, name: str, text: str, encoding: str = "utf-8"):
    folder = tmp_path / source["name"]
    folder.mkdir()
    (folder / name).write_bytes(text.encode(encoding))
    config = parse_config(
        {
            "warehouse": {"path": str(tmp_path / "wh.duckdb")},
            "sources": [{**source, "path": f"{source['name']}/*"}],
        },
        base_dir=tmp_path,
    )
    return config, run_source(config, source["name"])


def rows(config, sql):
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_spend(tmp_path):
    text = (
        "Source\tMonth\tSpend\tCurrency\tChannel\n"
        "meta_ads\t2026-09\t2450.50\tEUR\tPaid Social\n"
        "linkedin_ads\t2026-10-01\t€ 6,100\tEUR\t\n"
        "google_ads\t11/2026\t2100\tUSD\tPaid Search\n"
        "google_ads\tOct 2026\t500\tEUR\t\n"
        "google_ads\t2026-13\t500\tEUR\t\n"
        "expo_2026\t2026-10\tn/a\tEUR\t\n"
        "\t2026-10\t10\tEUR\t\n"
    )
    config, result = load(tmp_path, {"name": "marketing_spend", "type": "spend_csv"}, "s.tsv", text)
    assert result.rows_by_table == {"spend": 3, "quarantine": 4}
    assert rows(
        config,
        "select lead_source_name, month, amount, currency, channel from raw.spend order by source_line",
    ) == [
        ("meta_ads", "2026-09", "2450.50", "EUR", "Paid Social"),
        ("linkedin_ads", "2026-10", "€ 6,100", "EUR", None),
        ("google_ads", "2026-11", "2100", "USD", "Paid Search"),
    ]
    assert rows(config, "select source_line, reason from raw.quarantine order by source_line") == [
        (5, "month is not YYYY-MM: Oct 2026"),
        (6, "month is not YYYY-MM: 2026-13"),
        (7, "amount is not a number: n/a"),
        (8, "no lead source name"),
    ]


@pytest.mark.parametrize(
    "value,month",
    [
        ("2026-09", "2026-09"),
        ("2026-9-01", "2026-09"),
        ("2026/10", "2026-10"),
        ("3/2026", "2026-03"),
        ("Oct 2026", None),
    ],
)
def test_month_formats(value, month):
    with duckdb.connect() as con:
        assert (
            con.execute(f"select {month_sql('m')} from (select ?::varchar as m)", [value]).fetchall()[0][0]
            == month
        )
