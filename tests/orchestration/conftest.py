"""Fixtures for the orchestration tests: a tiny dbt project in tmp_path (see orch_helpers).

The tiny dbt project has the real project's shape (a `raw` source table carrying
`meta.leadsync.raw_table`, a staging view, two marts) but builds in seconds, so the Dagster
behaviour (graph wiring, blocking tests, publish) is tested without waiting for the whole
transform. One integration test runs the real transform/ project as well.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from orch_helpers import ALERT_ENV, AlertInbox, write_tiny_project


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    return write_tiny_project(tmp_path / "tiny_dbt")


@pytest.fixture
def alert_inbox(monkeypatch):
    """A local Slack-compatible webhook; ALERT_ENV points at it. Yields the JSON bodies received."""
    AlertInbox.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), AlertInbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(ALERT_ENV, f"http://127.0.0.1:{server.server_address[1]}/hooks/leadsync")
    yield AlertInbox.received
    server.shutdown()
    server.server_close()
