"""The dbt manifest is prepared once and only read afterwards, by any number of processes at once.

Issue 12: every step process ran `dbt parse` into the same target folder, so concurrent steps read
a half-written manifest.json and died. Now `ensure_manifest` parses once (make dev / deploy /
the first code-location load) and every later load compares a stamp and reads the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus
from orch_helpers import (
    CODE_LOCATION,
    dagster_env,
    make_config,
    people,
    step_windows,
    write_config_file,
    write_csv,
)

from leadsync.ingestion.config import load_config
from leadsync.orchestration.dbt_project import (
    MANIFEST_STAMP,
    PARTIAL_PARSE,
    default_dbt_target,
    ensure_manifest,
)
from leadsync.orchestration.jobs import FULL_SYNC_JOB

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)


def test_the_manifest_is_parsed_once_and_again_only_when_the_project_changes(tmp_path, tiny_project):
    config = make_config(tmp_path, [{"name": "expo", "type": "csv", "path": "in/*.csv"}])
    target = tmp_path / "target"
    manifest = ensure_manifest(config, target, tiny_project)
    first = manifest.stat().st_mtime_ns
    assert "model.tiny.fct_lead_touches" in json.loads(manifest.read_text())["nodes"]

    started = time.monotonic()
    assert ensure_manifest(config, target, tiny_project) == manifest
    assert time.monotonic() - started < 2  # a stamp comparison, no dbt
    assert manifest.stat().st_mtime_ns == first

    model = tiny_project / "models" / "marts" / "lead_counts.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    ensure_manifest(config, target, tiny_project)
    assert manifest.stat().st_mtime_ns != first  # the project changed: parsed again
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [".prepare.lock", "manifest.json", MANIFEST_STAMP, PARTIAL_PARSE]
    )


_LOADER = """
import json, sys
from pathlib import Path
from orch_helpers import make_config
from leadsync.orchestration.dbt_project import ensure_manifest
config = make_config(Path(sys.argv[1]), [{"name": "expo", "type": "csv", "path": "in/*.csv"}])
manifest = ensure_manifest(config, Path(sys.argv[2]), Path(sys.argv[3]))
print(len(json.loads(manifest.read_text())["nodes"]))
"""


def test_processes_loading_at_once_all_read_a_whole_manifest(tmp_path, tiny_project):
    """Four processes start on an unprepared folder together: one parses, all read whole JSON."""
    target = tmp_path / "target"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _LOADER, str(tmp_path), str(target), str(tiny_project)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-2000:] for _, err in outputs]
    counts = {out.strip().splitlines()[-1] for out, _ in outputs}
    assert len(counts) == 1 and int(counts.pop()) >= 3


def test_steps_starting_together_in_the_multiprocess_executor_all_succeed(tmp_path, tiny_project):
    """full_sync under `dagster job execute` (multiprocess executor, the shipped one-slot pool):
    steps start side by side in their own processes, each loading the code location with its dbt
    assets; the prepared manifest is read, never rewritten, and every step succeeds."""
    write_csv(tmp_path / "in" / "expo" / "a.csv", people("expo", 5))
    write_csv(tmp_path / "in" / "web" / "b.csv", people("web", 3))
    config_file = write_config_file(
        tmp_path,
        [
            {"name": "expo", "type": "csv", "path": "in/expo/*.csv"},
            {"name": "web_list", "type": "csv", "path": "in/web/*.csv"},
        ],
    )
    env = dagster_env(tmp_path, config_file, tiny_project)
    config = load_config(config_file)
    manifest = ensure_manifest(config, default_dbt_target(config), tiny_project)  # what `make dev` does
    prepared = manifest.stat().st_mtime_ns

    done = subprocess.run(
        ["dagster", "job", "execute", "-f", str(CODE_LOCATION), "-j", FULL_SYNC_JOB],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    home = Path(env["DAGSTER_HOME"])
    with DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_runs(limit=1)[0]
    assert run.status == DagsterRunStatus.SUCCESS
    steps = step_windows(home, run.run_id)
    assert {"load_expo", "load_web_list", "transform", "bi_copy", "source_quarantine"} <= set(steps)
    assert all("STEP_SUCCESS" in s and "STEP_FAILURE" not in s for s in steps.values()), steps
    assert all("STEP_WORKER_STARTING" in s for s in steps.values())  # each step its own process
    windows = sorted((s["STEP_WORKER_STARTING"], s["STEP_SUCCESS"]) for s in steps.values())
    overlapping = [(a, b) for a, b in zip(windows, windows[1:], strict=False) if b[0] < a[1]]
    assert overlapping, f"no two steps ran at the same time: {steps}"
    assert manifest.stat().st_mtime_ns == prepared  # no step parsed the project again
