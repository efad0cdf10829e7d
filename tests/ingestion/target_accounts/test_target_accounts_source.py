"""Target-account files through the real dlt pipeline: header synonyms and bad rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from leadsync.ingestion.config import parse_config
from leadsync.ingestion.pipeline import run_source


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


def test_target_accounts(tmp_path):
    text = (
        "Account Name;Website;ABM Tier;Account Owner;Employees;Segment Notes\n"
        "Acme Robotics GmbH;https://www.acme-robotics.de;Tier 1;Lena;350;key\n"
        ";nordwind.co.uk;Tier 1;Lena;800;\n"
        "Weber & Söhne KG;;Tier 3;Mike;40;\n"
        ";;Tier 3;Mike;;orphan\n"
    )
    config, result = load(tmp_path, {"name": "targets", "type": "target_accounts"}, "t.csv", text, "cp1252")
    assert result.rows_by_table == {"target_accounts": 3, "quarantine": 1}
    got = rows(
        config,
        "select company_name, website, tier, account_owner, employee_count, custom_fields"
        " from raw.target_accounts order by source_line",
    )
    assert got[0] == (
        "Acme Robotics GmbH",
        "https://www.acme-robotics.de",
        "Tier 1",
        "Lena",
        "350",
        '{"Segment Notes":"key"}',
    )
    assert got[2][0] == "Weber & Söhne KG"
    assert rows(config, "select source_line, reason from raw.quarantine") == [
        (5, "no company name, domain or website")
    ]
