"""A real PostgreSQL server for the warehouse tests (see tests/pg_server.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_url(pg_server, monkeypatch):
    """A fresh database's URL, exported as LEADSYNC_TEST_PG_URL (the configs' credentials_env)."""
    url = pg_server.url(pg_server.create_database())
    monkeypatch.setenv("LEADSYNC_TEST_PG_URL", url)
    return url
