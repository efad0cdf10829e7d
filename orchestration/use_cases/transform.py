"""`dbt build` with the config's vars, the same way for the CLI, the demo and Dagster.

`build_args` is the one dbt invocation and `failure_summary` the one reading of a failed run:
the Dagster dbt asset calls both, `transform` below calls both, so a failure reads the same in
the terminal and in the Dagster UI.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.dbt_project import cli_run_folder, dbt_resource, dbt_vars_arg
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.use_cases.errors import Progress, UserError, one_line, progress
from leadsync.orchestration.use_cases.publish import publish

_RESULT_EVENTS = {"LogModelResult": "model", "LogSeedResult": "seed", "LogTestResult": "test"}
_FAILED = ("error", "fail", "runtime error")
MAX_LISTED_FAILURES = 5


def build_args(config: LeadsyncConfig, select: list[str] | None = None) -> list[str]:
    """The dbt command leadsync runs: build (models, seeds, tests) with the config as vars."""
    args = ["build", *dbt_vars_arg(config)]
    if select:
        args += ["--select", *select]
    return args


def failure_summary(run_results: Mapping[str, Any] | None) -> str:
    """The failed nodes of a dbt run (from run_results.json), at most five, one clause each."""
    results = (run_results or {}).get("results", [])
    bad = [
        f"{r.get('unique_id')} ({r.get('status')}): {' '.join((r.get('message') or '').split())[:200]}"
        for r in results
        if r.get("status") in _FAILED
    ]
    more = f"; and {len(bad) - MAX_LISTED_FAILURES} more" if len(bad) > MAX_LISTED_FAILURES else ""
    return "; ".join(bad[:MAX_LISTED_FAILURES]) + more


def log_file(target_path: Path | str | None) -> Path | None:
    """dbt's debug log of one invocation (dagster-dbt writes it into the invocation's target path)."""
    if target_path is None:
        return None
    path = Path(target_path) / "dbt.log"
    return path if path.exists() else None


def run_results_of(invocation: Any) -> Mapping[str, Any] | None:
    try:
        return invocation.get_artifact("run_results.json")
    except Exception:  # noqa: BLE001 - no artifact when dbt failed before running anything
        return None


def failure_message(invocation: Any) -> str:
    """One sentence for a failed `dbt build`: what failed and where the full log is."""
    summary = failure_summary(run_results_of(invocation))
    if not summary:
        summary = one_line(invocation.get_error() or Exception("dbt stopped before running a model"))
    log = log_file(getattr(invocation, "target_path", None))
    where = f" (full log: {log})" if log else ""
    return f"The transform failed: {summary}{where}."


def transform(
    config: LeadsyncConfig,
    *,
    report: Progress = progress,
    publish_copy: bool = True,
    project_dir: Path | None = None,
) -> None:
    """`dbt build` with progress lines, then publish the BI copy. Raises UserError on failure.

    `project_dir` lets tests build a small dbt project of their own."""
    with warehouse_lock(config, "transform", report=report):
        _transform(config, report=report, publish_copy=publish_copy, project_dir=project_dir)


def _transform(
    config: LeadsyncConfig, *, report: Progress, publish_copy: bool, project_dir: Path | None
) -> None:
    report("transform: dbt build")
    started = time.perf_counter()
    invocation = dbt_resource(config, project_dir).cli(
        build_args(config), raise_on_error=False, target_path=cli_run_folder(config)
    )
    done = {"model": 0, "test": 0, "seed": 0}
    # dagster-dbt echoes every raw dbt line to stdout; the summary below is what users need
    # (the full log is in the invocation's dbt.log).
    with contextlib.redirect_stdout(io.StringIO()):
        for event in invocation.stream_raw_events():
            info = event.raw_event.get("info", {})
            kind = _RESULT_EVENTS.get(info.get("name"))
            if kind is None:
                continue
            node = event.raw_event.get("data", {}).get("node_info", {})
            done[kind] += 1
            if str(node.get("node_status", "")) in _FAILED:
                report(f"  dbt: {info.get('msg', '').strip()}")
            elif kind == "model":
                relation = node.get("node_relation") or {}
                name = relation.get("alias") or node.get("node_name")
                report(f"  dbt: built {relation.get('schema', '?')}.{name} ({done['model']} models so far)")
            elif done[kind] % 25 == 0:
                report(f"  dbt: {done['test']} tests, {done['seed']} seeds run")
    report(f"transform: {done['model']} models, {done['seed']} seeds, {done['test']} tests run")
    if not invocation.is_successful():
        raise UserError(
            failure_message(invocation)
            + " Fix the model or data named there and run `leadsync transform` again."
        )
    report(f"transform: built in {time.perf_counter() - started:.1f}s")
    if publish_copy:
        publish(config, report=report)
