"""A full run launched over Dagster's GraphQL API, against `dagster dev` on a loopback port.

What a user does from the UI (the UI is a GraphQL client of the same server): `dagster dev`
serves a code location built by the real `build_definitions` (with the small dbt project so the
whole run takes seconds); `full_sync` is submitted over HTTP with dagster-graphql's client, runs
through the daemon's run queue and the multiprocess executor, and succeeds with every step's
events in the run's log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError
from orch_helpers import CODE_LOCATION, dagster_env, people, step_windows, write_config_file, write_csv

from leadsync.orchestration.jobs import FULL_SYNC_JOB

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

LOCATION = "leadsync_test"
STEP_STATS = """
query StepStats($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status stepStats { stepKey status } }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dagster_dev(tmp_path, tiny_project):
    write_csv(tmp_path / "in" / "expo" / "a.csv", people("expo", 5))
    write_csv(tmp_path / "in" / "web" / "b.csv", people("web", 3))
    config_file = write_config_file(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/expo/*.csv"},
            {"name": "web_list", "type": "csv", "path": "in/web/*.csv"},
        ],
    )
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        f"load_from:\n  - python_file:\n      relative_path: {CODE_LOCATION}\n"
        f"      location_name: {LOCATION}\n",
        encoding="utf-8",
    )
    env = dagster_env(tmp_path, config_file, tiny_project)
    port = _free_port()
    log = (tmp_path / "dagster_dev.log").open("w")
    proc = subprocess.Popen(
        ["dagster", "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its webserver and daemon share the group: stopped together below
    )
    try:
        yield port, Path(env["DAGSTER_HOME"]), tmp_path / "dagster_dev.log"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _submit_when_loaded(client: DagsterGraphQLClient, port: int, log: Path, deadline: float) -> str:
    """The webserver answers before the code location has loaded: retry until the job is there."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).raise_for_status()
            return client.submit_job_execution(
                FULL_SYNC_JOB, repository_location_name=LOCATION, repository_name="__repository__"
            )
        except (httpx.HTTPError, DagsterGraphQLClientError) as exc:
            last = exc
            time.sleep(1)
    raise AssertionError(f"dagster dev never accepted the run ({last}); log:\n{log.read_text()[-3000:]}")


def test_full_sync_launched_over_graphql_against_dagster_dev_succeeds(dagster_dev):
    port, home, log = dagster_dev
    client = DagsterGraphQLClient("127.0.0.1", port_number=port, timeout=30)
    # ~1 min on an idle 2-core machine; generous for a loaded one (dagster dev alone starts 3 processes)
    deadline = time.monotonic() + 480
    run_id = _submit_when_loaded(client, port, log, deadline)

    status = None
    while time.monotonic() < deadline:
        status = client.get_run_status(run_id)
        if status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
            break
        time.sleep(1)
    assert status == DagsterRunStatus.SUCCESS, f"run {run_id} ended {status}; log:\n{log.read_text()[-3000:]}"

    # Over GraphQL: every planned step reports success.
    answer = client._execute(STEP_STATS, {"runId": run_id})["runOrError"]
    stats = {s["stepKey"]: s["status"] for s in answer["stepStats"]}
    expected = {"load_expo", "load_web_list", "transform", "bi_copy", "source_quarantine", "source_freshness"}
    assert expected <= set(stats), stats
    assert set(stats.values()) == {"SUCCESS"}, stats
    # In the event log: each step started and succeeded (none vanished "without success or failure").
    steps = step_windows(home, run_id)
    assert set(steps) == set(stats)
    for key, events in steps.items():
        assert {"STEP_START", "STEP_SUCCESS"} <= set(events), (key, events)
