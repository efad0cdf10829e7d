"""Fixtures for the report: a crafted marts warehouse per test, and a real headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.config import LeadsyncConfig
from report_browser import ChromiumUnavailable, ensure_chromium
from report_marts import build_marts, report_config

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reporting"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_marts(tmp_path / "leads.duckdb")


@pytest.fixture
def config(tmp_path: Path, warehouse: Path) -> LeadsyncConfig:
    return report_config(tmp_path, warehouse)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed on first use. Missing in CI is a failure, never a skip."""
    try:
        return ensure_chromium()
    except ChromiumUnavailable as err:
        message = f"headless Chromium is needed for the report's browser tests: {err}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
