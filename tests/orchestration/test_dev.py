"""`make dev` (orchestration/dev.py): the demo's sandboxes and secrets, so jobs in the UI succeed."""

from __future__ import annotations

import socket
from contextlib import ExitStack

import httpx
import yaml
from dagster import DagsterInstance
from orch_helpers import people, write_csv

from leadsync.ingestion.config import load_config
from leadsync.orchestration.definitions import build_definitions
from leadsync.orchestration.dev import SANDBOXED_CONFIG, prepare_demo
from leadsync.orchestration.jobs import sync_job_name


def test_dev_starts_the_sandboxes_sets_the_secrets_and_the_source_job_succeeds(
    tmp_path, tiny_project, monkeypatch
):
    monkeypatch.delenv("DEV_HS_TOKEN", raising=False)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))  # the port written in the config is busy: the sandbox takes another
    busy_port = taken.getsockname()[1]
    write_csv(tmp_path / "in" / "a.csv", people("expo", 2))
    config_file = tmp_path / "leadsync.yaml"
    config_file.write_text(
        yaml.safe_dump(
            {
                "warehouse": {"path": "wh/leads.duckdb", "bi_copy": "wh/leads_bi.duckdb"},
                "webhooks": {"landing_dir": "wh/landing"},
                "sources": [
                    {"name": "expo", "type": "csv", "path": "in/*.csv"},
                    {
                        "name": "crm",
                        "type": "hubspot",
                        "access_token_env": "DEV_HS_TOKEN",
                        "base_url": f"http://127.0.0.1:{busy_port}",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    try:
        with ExitStack() as stack:
            served_file = prepare_demo(config_file, stack)
            assert served_file == tmp_path / SANDBOXED_CONFIG  # rewritten: the sandbox's real port
            config = load_config(served_file)
            assert config.warehouse_path == load_config(config_file).warehouse_path  # same relative paths
            url = config.source("crm").base_url
            assert str(busy_port) not in url
            assert httpx.get(url + "/crm/v3/objects/contacts", timeout=5).status_code == 401  # it is up

            defs = build_definitions(
                config, dbt_target_path=tmp_path / "dbt", dbt_project_dir=tiny_project, with_report=False
            )
            result = defs.resolve_job_def(sync_job_name("crm")).execute_in_process(
                instance=DagsterInstance.ephemeral()
            )
            assert result.success  # with the demo token the sandbox accepts
        try:
            httpx.get(url + "/crm/v3/objects/contacts", timeout=2)
            raise AssertionError("the sandbox outlived make dev")
        except httpx.TransportError:
            pass
    finally:
        taken.close()
