"""Fixtures for ad-platform sources: tiny retry waits, a config builder, warehouse readers,
a run that must fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from leadsync.ingestion.ad_platforms import common
from leadsync.ingestion.config import LeadsyncConfig, parse_config
from leadsync.ingestion.pipeline import run_source


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
        return parse_config(
            {"warehouse": {"path": "warehouse/leads.duckdb"}, "sources": [source]}, base_dir=tmp_path
        )

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


@pytest.fixture
def custom_fields() -> Callable[[LeadsyncConfig, str, str], dict[str, Any]]:
    """The ``custom_fields`` of one loaded lead (by table and source_record_id), decoded."""

    def read(config: LeadsyncConfig, table: str, record_id: str) -> dict[str, Any]:
        rows = _query(config, f"select custom_fields from raw.{table} where source_record_id = '{record_id}'")
        return json.loads(rows[0][0])

    return read


@pytest.fixture
def failed_run() -> Callable[[LeadsyncConfig, str], str]:
    """Run a source that must fail; returns the error message."""

    def run(config: LeadsyncConfig, source_name: str) -> str:
        with pytest.raises(Exception) as info:
            run_source(config, source_name)
        return str(info.value)

    return run
