"""Helpers for the file-source tests: write small files and configs in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from leadsync.ingestion.config import LeadsyncConfig, parse_config


@pytest.fixture
def make_config(tmp_path: Path):
    """parse_config with a tmp warehouse and the given sources."""

    def make(*sources: dict[str, Any]) -> LeadsyncConfig:
        return parse_config(
            {"warehouse": {"path": str(tmp_path / "wh" / "leads.duckdb")}, "sources": list(sources)},
            base_dir=tmp_path,
        )

    return make


@pytest.fixture
def query():
    """Run SQL read-only against a config's warehouse."""

    def run(config: LeadsyncConfig, sql: str) -> list[tuple]:
        with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    return run
