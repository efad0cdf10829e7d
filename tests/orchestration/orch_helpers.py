"""Helpers shared by the orchestration tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

import json
import textwrap
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from leadsync.ingestion.config import LeadsyncConfig, parse_config
from leadsync.orchestration.dbt_project import TRANSFORM_DIR

ALERT_ENV = "LEADSYNC_TEST_ALERT_URL"
CSV_HEADER = "Email,First Name,Last Name,Company,Lead Source,Created Date\n"


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CSV_HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def people(prefix: str, n: int, day: str = "2026-11-01") -> list[tuple[str, ...]]:
    """n distinct people (own email domain and company, so identity resolution keeps them apart)."""
    return [
        (
            f"{prefix}{i}@{prefix}co{i}.com",
            f"First{i}",
            f"Last{i}",
            f"{prefix}Co{i}",
            "Event",
            f"{day} 10:{i % 60:02d}",
        )
        for i in range(n)
    ]


def make_config(base: Path, sources: list[dict], **extra: dict) -> LeadsyncConfig:
    raw = {
        "warehouse": {"path": "wh/leads.duckdb", "bi_copy": "wh/leads_bi.duckdb"},
        "webhooks": {"landing_dir": "wh/landing"},
        "sources": sources,
        **extra,
    }
    return parse_config(raw, base_dir=base)


TINY_PROJECT = {
    "dbt_project.yml": """
        name: tiny
        version: "0.1.0"
        config-version: 2
        profile: leadsync
        model-paths: ["models"]
        macro-paths: ["macros"]
        models:
          tiny:
            staging: {+schema: staging, +materialized: view}
            marts: {+schema: marts, +materialized: table}
    """,
    "macros/generate_schema_name.sql": (TRANSFORM_DIR / "macros" / "generate_schema_name.sql").read_text(),
    "models/staging/_sources.yml": """
        version: 2
        sources:
          - name: raw
            schema: raw
            tables:
              - name: csv_leads
                meta: {leadsync: {raw_table: csv_leads}}
    """,
    "models/staging/stg_csv__leads.sql": """
        select
            source_name,
            lower(email) as email,
            received_at,
            coalesce(try_cast(submitted_at as timestamp) at time zone 'UTC', received_at) as touched_at,
            to_timestamp(try_cast(_dlt_load_id as double)) as loaded_at
        from {{ source('raw', 'csv_leads') }}
    """,
    "models/marts/fct_lead_touches.sql": """
        select * from {{ ref('stg_csv__leads') }}
    """,
    "models/marts/lead_counts.sql": """
        select source_name, count(*) as n from {{ ref('fct_lead_touches') }} group by 1
    """,
    "models/marts/_marts.yml": """
        version: 2
        models:
          - name: fct_lead_touches
            columns:
              - name: email
                data_tests: [not_null]
    """,
}


def write_tiny_project(root: Path, extra_files: dict[str, str] | None = None) -> Path:
    profiles = (TRANSFORM_DIR / "profiles.yml").read_text()
    files = {**TINY_PROJECT, "profiles.yml": profiles, **(extra_files or {})}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


class AlertInbox(BaseHTTPRequestHandler):
    """Records the JSON bodies POSTed to it, like a Slack incoming webhook."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Dagster's own processes (dagster job execute / dagster dev) against a real instance
# ---------------------------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]
CODE_LOCATION = Path(__file__).with_name("code_location.py")


def write_config_file(base: Path, sources: list[dict]) -> Path:
    import yaml

    raw = {
        "warehouse": {"path": "wh/leads.duckdb", "bi_copy": "wh/leads_bi.duckdb"},
        "webhooks": {"landing_dir": "wh/landing"},
        "sources": sources,
    }
    path = base / "leadsync.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def dagster_env(base: Path, config_file: Path, dbt_project: Path) -> dict[str, str]:
    """An instance of its own (DAGSTER_HOME with the repository's dagster.yaml: one warehouse slot)."""
    import os
    import shutil
    import sys

    home = base / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "LEADSYNC_CONFIG": str(config_file),
        "LEADSYNC_TEST_DBT_PROJECT": str(dbt_project),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).parent),
    }


def step_windows(home: Path, run_id: str) -> dict[str, dict[str, float]]:
    """step key -> timestamps of its STEP_WORKER_STARTING / STEP_START / STEP_SUCCESS / STEP_FAILURE."""
    from dagster import DagsterInstance

    wanted = {"STEP_WORKER_STARTING", "STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_UP_FOR_RETRY"}
    out: dict[str, dict[str, float]] = {}
    with DagsterInstance.from_config(str(home)) as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or not record.step_key or event.event_type_value not in wanted:
                continue
            out.setdefault(record.step_key, {}).setdefault(event.event_type_value, record.timestamp)
    return out
