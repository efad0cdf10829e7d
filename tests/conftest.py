"""Shared fixtures. Every test works in its own tmp_path: its own warehouse, landing dir and dbt target."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test inherits the developer's config or warehouse overrides."""
    monkeypatch.delenv("LEADSYNC_CONFIG", raising=False)
    monkeypatch.delenv("LEADSYNC_WAREHOUSE", raising=False)
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))
