"""The dbt project (transform/) as Python sees it: where it is, how to call it, with which vars.

Dagster's dbt assets and the `leadsync transform` command both run dbt through `dbt_resource`,
so the two paths build the same thing the same way.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject

from leadsync.ingestion.config import LeadsyncConfig

# What dbt's profile reads (transform/profiles.yml) comes from ingestion/warehouse.py: dbt_env.
# Deliberately not $LEADSYNC_WAREHOUSE, the user's override: setting that here would leak this
# config's path into every later config loaded in the same process (a Dagster code location).
from leadsync.ingestion.warehouse import dbt_env

TRANSFORM_DIR = Path(__file__).resolve().parents[1] / "transform"


def default_dbt_target(config: LeadsyncConfig) -> Path:
    """The Dagster code location's dbt target folder, beside the warehouse (never transform/target)."""
    return config.state_dir / "dagster_dbt"


def dbt_executable() -> str:
    """The venv's dbt beside this interpreter (dagster-dbt needs it; PATH may not have it)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def dbt_project(target_dir: Path | None = None, project_dir: Path | None = None) -> DbtProject:
    """The dbt project; `project_dir` lets tests point at a small project of their own."""
    project_dir = Path(project_dir or TRANSFORM_DIR)
    return DbtProject(
        project_dir=project_dir,
        profiles_dir=project_dir,
        target_path=target_dir or project_dir / "target",
    )


def configure_dbt_env(config: LeadsyncConfig) -> None:
    """dbt's profile reads the target and its connection from the environment (set anew before every call)."""
    os.environ.update(dbt_env(config))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def dbt_vars_arg(config: LeadsyncConfig) -> list[str]:
    return ["--vars", json.dumps(config.dbt_vars())]


def dbt_resource(config: LeadsyncConfig, project_dir: Path | None = None) -> DbtCliResource:
    configure_dbt_env(config)
    project_dir = Path(project_dir or TRANSFORM_DIR)
    return DbtCliResource(
        project_dir=str(project_dir),
        profiles_dir=str(project_dir),
        dbt_executable=dbt_executable(),
    )


def prepare_manifest(
    config: LeadsyncConfig, target_path: Path | None = None, project_dir: Path | None = None
) -> Path:
    """Parse the dbt project into `target_path` and return its manifest.json (always parses).

    Concurrent callers must give each their own `target_path`; `ensure_manifest` is the safe,
    shared way (Dagster uses that).
    """
    configure_dbt_env(config)
    project = dbt_project(target_path, project_dir)
    dbt_resource(config, project_dir).cli(
        ["parse", "--quiet", *dbt_vars_arg(config)],
        target_path=project.target_path,
    ).wait()
    return project.manifest_path


MANIFEST = "manifest.json"
MANIFEST_STAMP = "manifest.stamp"
# dbt's partial-parse state: with it a run re-parses only the files that changed (and everything
# when the vars changed, which dbt checks itself), instead of the whole project every time.
PARTIAL_PARSE = "partial_parse.msgpack"
KEPT_CLI_RUNS = 3  # `leadsync transform` run folders kept beside the warehouse (logs, run_results)
_NOT_PROJECT_INPUTS = {"target", "logs", "dbt_packages", ".user.yml"}


def manifest_stamp(config: LeadsyncConfig, project_dir: Path | None = None) -> str:
    """What the parsed manifest depends on: every project file (path, size, mtime), the vars, the target.

    Cheap (a stat per file, no dbt), so every process loading the code location can tell whether
    the prepared manifest is still the project's without parsing it again.
    """
    root = Path(project_dir or TRANSFORM_DIR)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in _NOT_PROJECT_INPUTS or not path.is_file():
            continue
        st = path.stat()
        digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    digest.update(json.dumps(config.dbt_vars(), sort_keys=True, default=str).encode())
    digest.update(json.dumps(sorted(dbt_env(config).items())).encode())
    return digest.hexdigest()


def ensure_manifest(config: LeadsyncConfig, target_path: Path, project_dir: Path | None = None) -> Path:
    """The prepared manifest in `target_path`, parsing only when it is missing or out of date.

    Run once by `make dev` / deploy (`python -m leadsync.orchestration.prepare`); every later
    code-location load (the webserver, the daemon, each step process) only compares the stamp and
    reads the file. When a parse is needed, one process parses (an exclusive lock on
    `target_path/.prepare.lock`; the others wait, then find it done) into a folder of its own and
    renames the finished manifest into place, so a reader never sees a half-written file.
    """
    target_path = Path(target_path)
    manifest, stamp_file = target_path / MANIFEST, target_path / MANIFEST_STAMP
    stamp = manifest_stamp(config, project_dir)

    def current() -> bool:
        return manifest.exists() and stamp_file.exists() and stamp_file.read_text() == stamp

    if current():
        return manifest
    target_path.mkdir(parents=True, exist_ok=True)
    with open(target_path / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current():  # another process parsed while this one waited
            return manifest
        scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=target_path))
        try:
            parsed = prepare_manifest(config, target_path=scratch, project_dir=project_dir)
            if (scratch / PARTIAL_PARSE).exists():  # each run's folder starts from it (seed_run_folder)
                os.replace(scratch / PARTIAL_PARSE, target_path / PARTIAL_PARSE)
            os.replace(parsed, manifest)
            tmp_stamp = scratch / MANIFEST_STAMP
            tmp_stamp.write_text(stamp)
            os.replace(tmp_stamp, stamp_file)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def seed_run_folder(run_target: Path, parsed_in: Path | None) -> Path:
    """`run_target`, created, holding a copy of the partial-parse state found in `parsed_in`.

    A copy, never a link: dbt rewrites the file at the end of the run, and the source must stay
    as it is for the next run (or a concurrent reader).
    """
    run_target.mkdir(parents=True, exist_ok=True)
    state = parsed_in / PARTIAL_PARSE if parsed_in else None
    if state and state.is_file():
        shutil.copyfile(state, run_target / PARTIAL_PARSE)
    return run_target


def cli_run_folder(config: LeadsyncConfig) -> Path:
    """A new folder for one `leadsync transform` (dbt's target and its dbt.log), beside the warehouse.

    Seeded with the newest earlier run's partial-parse state, so a run whose project and vars are
    unchanged skips dbt's parse; only the newest `KEPT_CLI_RUNS` folders are kept. Called under
    the warehouse lock, so no other transform of this warehouse is using the folders it prunes.
    """
    parent = config.state_dir / "dbt_runs"
    parent.mkdir(parents=True, exist_ok=True)
    earlier = sorted((p for p in parent.iterdir() if p.is_dir()), key=lambda p: p.name)
    for stale in earlier[: max(0, len(earlier) - (KEPT_CLI_RUNS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
    newest = next((p for p in reversed(earlier) if (p / PARTIAL_PARSE).is_file()), None)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**9:09d}"
    return seed_run_folder(parent / stamp, newest)


def run_dbt(
    config: LeadsyncConfig,
    args: list[str],
    *,
    raise_on_error: bool = True,
    target_path: Path | None = None,
    project_dir: Path | None = None,
) -> Any:
    """Run a dbt command (e.g. ["build"]) outside Dagster; returns the finished invocation.

    Tests pass their own `target_path` so concurrent dbt runs never share transform/target.
    """
    invocation = dbt_resource(config, project_dir).cli(
        [*args, *dbt_vars_arg(config)],
        raise_on_error=raise_on_error,
        target_path=target_path,
    )
    return invocation.wait()
