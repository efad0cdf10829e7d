"""Fixtures for ad-platform sources: tiny retry waits, a config builder, warehouse readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import duckdb
import pytest

from ingestion.ad_platforms import common
from ingestion.config import LeadsyncConfig, parse_config

@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch) -> list[float]:
    """Retries wait at most 10 ms; the requested waits are recorded for assertions."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)

    backoff = common.Backoff(max_attempts=4, base_seconds=0.001, max_seconds=0.01, sleep=sleep)
    monkeypatch.setattr(common, "DEFAULT_BACKOFF", backoff)
    return waits


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[dict[str, Any]], LeadsyncConfig]:
    def build(source: dict[str, Any]) -> LeadsyncConfig:
        return parse_config({"warehouse": {"path": "warehouse/leads.duckdb"}, "sources": [source]},
                            base_dir=tmp_path)
    return build


def _query(config: LeadsyncConfig, sql: str) -> list[tuple]:
    """Rows of ``sql`` against the config's warehouse ([] when it does not exist yet)."""
    if not config.warehouse_path.exists():
        return []
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        try:
            return con.sql(sql).fetchall()
        except duckdb.CatalogException:  # the table was never created
            return []


@pytest.fixture
def sql() -> Callable[[LeadsyncConfig, str], list[tuple]]:
    return _query
