"""The dbt project (transform/) as Python sees it: where it is, how to call it, with which vars.

Dagster's dbt assets and the `leadsync transform` command both run dbt through `dbt_resource`,
so the two paths build the same thing the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject

from leadsync.ingestion.config import LeadsyncConfig

# What dbt's profile reads (transform/profiles.yml) comes from ingestion/warehouse.py: dbt_env.
# Deliberately not $LEADSYNC_WAREHOUSE, the user's override: setting that here would leak this
# config's path into every later config loaded in the same process (a Dagster code location).
from leadsync.ingestion.warehouse import dbt_env

TRANSFORM_DIR = Path(__file__).resolve().parents[1] / "transform"


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
    """Parse the dbt project and return its manifest.json.

    dagster-dbt parses by itself only under `dagster dev`; Definitions built anywhere else
    (tests, `dagster job execute`, the CLI) must parse first. Give each caller its own
    `target_path` so concurrent parses never overwrite each other's manifest.
    """
    configure_dbt_env(config)
    project = dbt_project(target_path, project_dir)
    dbt_resource(config, project_dir).cli(
        ["parse", "--quiet", *dbt_vars_arg(config)],
        target_path=project.target_path,
    ).wait()
    return project.manifest_path


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
