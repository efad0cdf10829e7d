"""A real PostgreSQL server for the warehouse tests (see tests/pg_server.py)."""

from __future__ import annotations

import os

import pytest
from pg_server import PostgresUnavailable, start_server


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway cluster per test session. Missing in CI is a failure, never a skip."""
    try:
        server = start_server()
    except PostgresUnavailable as err:
        message = f"a PostgreSQL server is needed for the warehouse tests: {err}"
        if os.environ.get("CI") or os.geteuid() == 0:
            pytest.fail(message)
        pytest.skip(message)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server, monkeypatch):
    """A fresh database's URL, exported as LEADSYNC_TEST_PG_URL (the configs' credentials_env)."""
    url = pg_server.url(pg_server.create_database())
    monkeypatch.setenv("LEADSYNC_TEST_PG_URL", url)
    return url
