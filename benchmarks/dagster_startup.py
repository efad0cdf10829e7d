"""How long Dagster takes to start work: `sync_<csv source>` with nothing new, as `dagster dev` runs it.

Builds a scratch folder with the demo's CSV sources (examples/csv) and the real dbt project, loads
them once with `leadsync sync`, then launches the source's job with `dagster job execute` against
a real instance (DAGSTER_HOME in the scratch folder, the repository's dagster.yaml copied in), the
way the daemon launches a run. From the run's event log it prints:

- run start -> first step's first event, and run start -> last step's end;
- per step: worker launch -> STEP_START (the step process importing and loading the code location),
  and the step's own work;
- the same with a plain baseline in the same run: `leadsync sync --source NAME` (the CLI doing
  the same load + transform + publish without Dagster).

    .venv/bin/python benchmarks/dagster_startup.py                  # sync_purchased_list
    .venv/bin/python benchmarks/dagster_startup.py --source expo_2026 --repeat 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CSV_SOURCES = [
    {
        "name": "expo_2026",
        "type": "csv",
        "path": str(REPO / "examples/csv/expo_2026*.csv"),
        "channel": "Event",
    },
    {
        "name": "purchased_list",
        "type": "csv",
        "path": str(REPO / "examples/csv/purchased_list*.tsv"),
        "origin": "outbound",
        "channel": "Purchased List",
    },
    {"name": "crm_export", "type": "csv", "path": str(REPO / "examples/csv/crm_export*.csv")},
]


def scratch(root: Path) -> dict[str, str]:
    config = {
        "warehouse": {"path": "wh/leads.duckdb", "bi_copy": "wh/leads_bi.duckdb"},
        "webhooks": {"landing_dir": "wh/landing"},
        "sources": CSV_SOURCES,
    }
    (root / "leadsync.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "LEADSYNC_CONFIG": str(root / "leadsync.yaml"),
        "DAGSTER_HOME": str(home),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


_LOAD = (
    "import time; t = time.perf_counter(); "
    "from leadsync.orchestration.definitions import defs; d = defs(); "
    "print(time.perf_counter() - t, len(list(d.resolve_asset_graph().get_all_asset_keys())))"
)
_FLOOR = (
    "import time; t = time.perf_counter(); import dagster, dagster_dbt, dagster_dlt, dlt, duckdb; "
    "print(time.perf_counter() - t)"
)


def code_location_load(env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds to load the code location in a fresh process (what every step process of a
    multiprocess run and every code-server start pays), and the floor: importing the libraries."""
    py = str(BIN / "python")
    load = subprocess.run([py, "-c", _LOAD], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    floor = subprocess.run([py, "-c", _FLOOR], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return float(load.stdout.split()[0]), float(floor.stdout.split()[0])


def run_figures(home: Path, job: str) -> dict:
    from dagster import DagsterEventType, DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        run_record = instance.get_run_records(RunsFilter(job_name=job), limit=1)[0]
        records = instance.all_logs(run_record.dagster_run.run_id)
    events = [r for r in records if r.dagster_event is not None]
    t0 = next(r.timestamp for r in events if r.dagster_event.event_type == DagsterEventType.RUN_START)
    step_events = [r for r in events if r.step_key]
    steps: dict[str, dict[str, float]] = {}
    for r in step_events:
        kind = r.dagster_event.event_type
        s = steps.setdefault(r.step_key, {"first": r.timestamp})
        if kind == DagsterEventType.STEP_WORKER_STARTING:
            s["launch"] = r.timestamp
        elif kind == DagsterEventType.STEP_START:
            s["start"] = r.timestamp
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            s["end"] = r.timestamp
    started = [
        r.timestamp
        for r in step_events
        if r.dagster_event.event_type in (DagsterEventType.STEP_WORKER_STARTING, DagsterEventType.STEP_START)
    ]
    return {
        "t0": t0,
        # (ASSET_MATERIALIZATION_PLANNED carries a step key too, but comes before the run starts)
        "first_step_event": min(started) - t0,
        "first_step_start": min(s["start"] for s in steps.values() if "start" in s) - t0,
        "last_step_end": max(s.get("end", 0) for s in steps.values()) - t0,
        "steps": steps,
        "run_status": run_record.dagster_run.status.value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="purchased_list")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--load-only", action="store_true", help="only the code-location load figures")
    args = parser.parse_args()
    job = f"sync_{args.source}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = scratch(root)
        if (
            args.load_only
        ):  # no warehouse needed: the prepared manifest (if this version has one), then a load
            if (REPO / "orchestration" / "prepare.py").exists():
                run([str(BIN / "python"), "-m", "leadsync.orchestration.prepare"], env, root)
            loaded, floor = code_location_load(env, root)
            print(
                f"code location load, fresh process: {loaded:.1f} s (floor: importing the libraries {floor:.1f} s)"
            )
            return
        print(f"priming: leadsync sync (loads the CSVs, builds the marts) in {root}")
        run([str(BIN / "leadsync"), "sync"], env, root)
        if (REPO / "orchestration" / "prepare.py").exists():
            prep = run([str(BIN / "python"), "-m", "leadsync.orchestration.prepare"], env, root)
            print(f"prepare (once, at `make dev`): {prep:.1f} s")
        loaded, floor = code_location_load(env, root)
        print(
            f"code location load, fresh process: {loaded:.1f} s (floor: importing the libraries {floor:.1f} s)"
        )
        for i in range(args.repeat):
            cli = run([str(BIN / "leadsync"), "sync", "--source", args.source], env, root)
            wall = run(
                [
                    str(BIN / "dagster"),
                    "job",
                    "execute",
                    "-m",
                    "leadsync.orchestration.definitions",
                    "-j",
                    job,
                ],
                env,
                root,
            )
            figures = run_figures(Path(env["DAGSTER_HOME"]), job)
            print(
                f"\n[{i + 1}] {job}, nothing new ({figures['run_status']}); load avg {os.getloadavg()[0]:.2f}"
            )
            print(f"  baseline `leadsync sync --source {args.source}` (no Dagster): {cli:6.1f} s")
            print(f"  `dagster job execute` wall time:                    {wall:6.1f} s")
            t0 = figures["t0"]
            steps = figures["steps"]
            work_total = sum(s["end"] - s["start"] for s in steps.values() if "start" in s and "end" in s)
            print(
                f"  run start -> first step's first event:              {figures['first_step_event']:6.1f} s"
            )
            print(
                f"  run start -> first STEP_START:                      {figures['first_step_start']:6.1f} s"
            )
            print(f"  run start -> last step's end:                       {figures['last_step_end']:6.1f} s")
            print(f"    of which steps' own work (sum):                   {work_total:6.1f} s")
            for key, s in sorted(steps.items(), key=lambda kv: kv[1].get("start", kv[1]["first"])):
                if "start" not in s:
                    continue
                # start-up: worker launch -> STEP_START (multiprocess); for in-process steps, the
                # step became runnable when the last step before it ended (or the run started).
                ready = s.get("launch") or max(
                    [o["end"] for o in steps.values() if o.get("end", float("inf")) <= s["start"]] or [t0]
                )
                work = s.get("end", float("nan")) - s["start"]
                print(f"    {key:<40} start-up {s['start'] - ready:6.1f} s   work {work:6.1f} s")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main()
