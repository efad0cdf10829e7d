"""`leadsync transform` keeps its dbt folders beside the warehouse and re-parses only what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from orch_helpers import make_config, people, write_csv

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import KEPT_CLI_RUNS, PARTIAL_PARSE, cli_run_folder
from leadsync.orchestration.use_cases.errors import quiet
from leadsync.orchestration.use_cases.sync import load_sources
from leadsync.orchestration.use_cases.transform import transform

FULL_PARSE = "Unable to do partial parsing"


def _parse_messages(run_folder) -> list[str]:
    """dbt's own lines about how it parsed, from the run's dbt.log (JSON lines)."""
    out = []
    for line in (run_folder / "dbt.log").read_text().splitlines():
        msg = json.loads(line).get("info", {}).get("msg", "")
        if "partial pars" in msg.lower():
            out.append(msg)
    return out


def test_a_second_transform_starts_from_the_first_ones_parse(tmp_path, tiny_project):
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    write_csv(tmp_path / "in" / "a.csv", people("expo", 3, day=today))
    sources = [{"name": "expo", "type": "csv", "path": "in/*.csv"}]
    config = make_config(tmp_path, sources)
    load_sources(config, report=quiet)
    runs = config.state_dir / "dbt_runs"

    transform(config, project_dir=tiny_project, publish_copy=False, report=quiet)
    (first,) = sorted(runs.iterdir())
    assert (first / PARTIAL_PARSE).is_file() and (first / "run_results.json").is_file()
    assert any(FULL_PARSE in m for m in _parse_messages(first))  # nothing to start from

    transform(config, project_dir=tiny_project, publish_copy=False, report=quiet)
    second = sorted(runs.iterdir())[-1]
    assert second != first
    said = _parse_messages(second)
    assert said and not any(FULL_PARSE in m for m in said), said  # partial parse, nothing re-read

    # Changed vars make dbt parse everything again (dbt's own check, not leadsync's).
    other = make_config(tmp_path, sources, qualification={"mql_threshold": 55})
    transform(other, project_dir=tiny_project, publish_copy=False, report=quiet)
    assert any(FULL_PARSE in m for m in _parse_messages(sorted(runs.iterdir())[-1]))


def test_only_the_newest_run_folders_are_kept(tmp_path):
    config = parse_config({"warehouse": {"path": str(tmp_path / "w" / "leads.duckdb")}, "sources": []})
    made = []
    for i in range(KEPT_CLI_RUNS + 3):
        folder = cli_run_folder(config)
        (folder / PARTIAL_PARSE).write_bytes(f"state {i}".encode())
        made.append(folder)
    kept = sorted(p for p in (config.state_dir / "dbt_runs").iterdir())
    assert kept == made[-KEPT_CLI_RUNS:]
    # each new folder starts from the newest earlier one's state (then dbt rewrites it)
    newest = cli_run_folder(config)
    assert (newest / PARTIAL_PARSE).read_bytes() == f"state {KEPT_CLI_RUNS + 2}".encode()
