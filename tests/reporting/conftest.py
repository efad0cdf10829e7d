"""Fixtures for the report: a crafted marts warehouse per test (Chromium comes from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_marts import build_marts, report_config

from leadsync.ingestion.config import LeadsyncConfig


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_marts(tmp_path / "leads.duckdb")


@pytest.fixture
def config(tmp_path: Path, warehouse: Path) -> LeadsyncConfig:
    return report_config(tmp_path, warehouse)
