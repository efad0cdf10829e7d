"""Dagster retries what a retry can fix and fails at once on what it cannot (orchestration/retries.py).

Real failures: a loopback HTTP server answering 401 / 503, a closed port, and the HubSpot sandbox
(a wrong token; a run of 502s) behind the real HubSpot source inside a real Dagster run.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
from dagster import DagsterEventType, DagsterInstance, RetryPolicy
from orch_helpers import make_config

from leadsync.ingestion.ad_platforms import common
from leadsync.ingestion.config import ConfigError
from leadsync.ingestion.sandboxes import hubspot as hs
from leadsync.orchestration.definitions import build_definitions
from leadsync.orchestration.jobs import sync_job_name
from leadsync.orchestration.retries import failure_for, is_transient
from leadsync.orchestration.use_cases.errors import UserError


class _Status(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        status = int(self.path.strip("/"))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def status_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raised(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the exception is the test subject
        return exc
    raise AssertionError("nothing was raised")


@pytest.mark.parametrize("status", [401, 403, 400, 404])
def test_refusals_are_not_retried(status_server, status):
    for exc in (
        _raised(lambda: httpx.get(f"{status_server}/{status}").raise_for_status()),
        _raised(lambda: requests.get(f"{status_server}/{status}", timeout=5).raise_for_status()),
    ):
        assert not is_transient(exc)
        wrapped = _raised(lambda exc=exc: _reraise_wrapped(exc))  # dlt wraps the source's error
        assert not is_transient(wrapped)
        failure = failure_for(wrapped, "Loading x")
        assert failure is not None and not failure.allow_retries and str(status) in failure.description


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_server_trouble_is_retried(status_server, status):
    exc = _raised(lambda: httpx.get(f"{status_server}/{status}").raise_for_status())
    assert is_transient(exc) and failure_for(exc, "Loading x") is None
    assert is_transient(_raised(lambda: _reraise_wrapped(exc)))


def test_network_errors_are_retried_and_setup_errors_are_not():
    port = _closed_port()
    assert is_transient(_raised(lambda: httpx.get(f"http://127.0.0.1:{port}/")))
    assert is_transient(_raised(lambda: requests.get(f"http://127.0.0.1:{port}/", timeout=5)))
    assert is_transient(ConnectionResetError(104, "Connection reset by peer"))
    assert is_transient(TimeoutError("timed out"))
    assert not is_transient(ConfigError("Source 'x' needs the environment variable X_TOKEN"))
    assert not is_transient(UserError("The warehouse path is a folder."))
    assert not is_transient(KeyError("a bug"))  # a bug fails the same way every time


def _reraise_wrapped(exc: BaseException) -> None:
    try:
        raise exc
    except Exception as inner:
        raise RuntimeError("Pipeline execution failed at stage extract") from inner


# ---------------------------------------------------------------------------------------------
# inside Dagster runs, with the real HubSpot source against its sandbox
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def hubspot(monkeypatch):
    monkeypatch.setattr(common, "DEFAULT_BACKOFF", common.Backoff(4, 0.001, 0.01, lambda s: None))
    sandbox = hs.start_hubspot_sandbox(port=0)
    yield sandbox
    sandbox.stop()


def _run_hubspot_sync(tmp_path, tiny_project, sandbox):
    config = make_config(
        tmp_path,
        [{"name": "crm", "type": "hubspot", "access_token_env": "T_HS_TOKEN", "base_url": sandbox.url}],
    )
    defs = build_definitions(
        config,
        dbt_target_path=tmp_path / "dbt_target",
        dbt_project_dir=tiny_project,
        with_report=False,
        retry_policy=RetryPolicy(max_retries=2, delay=0),  # the shipped policy waits 30 s and more
    )
    result = defs.resolve_job_def(sync_job_name("crm")).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    kinds = [e.event_type for e in result.all_events if e.step_key == "load_crm"]
    return result, kinds


def test_a_refused_token_fails_at_once_with_the_plain_message(tmp_path, tiny_project, hubspot, monkeypatch):
    monkeypatch.setenv("T_HS_TOKEN", "pat-na1-not-the-right-token")
    result, kinds = _run_hubspot_sync(tmp_path, tiny_project, hubspot)
    assert not result.success
    assert DagsterEventType.STEP_UP_FOR_RETRY not in kinds
    assert kinds.count(DagsterEventType.STEP_FAILURE) == 1
    (failure,) = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    message = failure.event_specific_data.error.message
    assert "T_HS_TOKEN" in message and "a retry would fail the same way" in message


def test_a_run_of_server_errors_is_retried_and_then_loads(tmp_path, tiny_project, hubspot, monkeypatch):
    monkeypatch.setenv("T_HS_TOKEN", hs.VALID_TOKEN)
    hubspot.inject_error("server_error", times=4)  # outlasts the source's own 4 attempts once
    result, kinds = _run_hubspot_sync(tmp_path, tiny_project, hubspot)
    assert kinds.count(DagsterEventType.STEP_UP_FOR_RETRY) == 1
    assert result.success
    assert DagsterEventType.STEP_SUCCESS in kinds
