"""Secrets never reach output, logs or the warehouse; every failure names a log that exists.

Each API source (two ad platforms, two CRMs, each against its sandbox) is given wrong
credentials whose values are unique strings; the syncs fail, and then every byte leadsync wrote
(stdout, stderr, the run logs, dlt's working folders, the DuckDB file) is searched for them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from workspace import Workspace

from leadsync.ingestion.sandboxes import STARTERS

SECRETS = {
    "META_ACCESS_TOKEN": "S3cret-meta-token-7f1c9a",
    "LINKEDIN_CLIENT_ID": "S3cret-li-client-id-22aa",
    "LINKEDIN_CLIENT_SECRET": "S3cret-li-client-secret-51be",
    "LINKEDIN_REFRESH_TOKEN": "S3cret-li-refresh-93cd",
    "HUBSPOT_TOKEN": "S3cret-hubspot-pat-na1-0c4d",
    "SF_CLIENT_ID": "S3cret-sf-client-id-77e1",
    "SF_CLIENT_SECRET": "S3cret-sf-client-secret-f00d",
    "SF_REFRESH_TOKEN": "S3cret-sf-refresh-beef",
    "TYPEFORM_SECRET": "S3cret-typeform-signing-4242",
}
LOG_LINE = re.compile(r"Log: (\S+\.log)$")


@pytest.fixture(scope="module")
def sandboxes():
    started = {name: STARTERS[name](port=0) for name in ("meta", "linkedin", "hubspot", "salesforce")}
    yield started
    for sandbox in started.values():
        sandbox.stop()


@pytest.fixture
def ws(tmp_path, sandboxes) -> Workspace:
    li, sf = sandboxes["linkedin"], sandboxes["salesforce"]
    config = {
        "warehouse": {"path": "warehouse/leads.duckdb", "lock_timeout_seconds": 0},
        "sources": [
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "form_ids": ["771000000000001"],
                "access_token_env": "META_ACCESS_TOKEN",
                "base_url": sandboxes["meta"].url,
            },
            {
                "name": "linkedin_ads",
                "type": "linkedin_lead_gen",
                "sponsored_account_ids": ["510000001"],
                "base_url": li.url,
                "token_url": li.token_url,
                "client_id_env": "LINKEDIN_CLIENT_ID",
                "client_secret_env": "LINKEDIN_CLIENT_SECRET",
                "refresh_token_env": "LINKEDIN_REFRESH_TOKEN",
            },
            {
                "name": "hubspot_crm",
                "type": "hubspot",
                "access_token_env": "HUBSPOT_TOKEN",
                "base_url": sandboxes["hubspot"].url,
            },
            {
                "name": "salesforce_crm",
                "type": "salesforce",
                "login_url": sf.login_url,
                "base_url": sf.url,
                "client_id_env": "SF_CLIENT_ID",
                "client_secret_env": "SF_CLIENT_SECRET",
                "refresh_token_env": "SF_REFRESH_TOKEN",
            },
            {
                "name": "website_forms",
                "type": "webhook",
                "provider": "typeform",
                "secret_env": "TYPEFORM_SECRET",
            },
        ],
    }
    (tmp_path / "leadsync.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return Workspace(tmp_path, sandboxes["meta"].url, dict(SECRETS))


def _leaks(ws: Workspace, *outputs: str) -> list[str]:
    found = [
        f"output {i}: {name}" for i, out in enumerate(outputs) for name, v in SECRETS.items() if v in out
    ]
    for path in ws.root.rglob("*"):
        if path.is_file() and path.name != "leadsync.yaml":
            data = path.read_bytes()
            found += [f"{path.relative_to(ws.root)}: {n}" for n, v in SECRETS.items() if v.encode() in data]
    return found


def _named_log(stderr: str) -> Path:
    last = stderr.strip().splitlines()[-1]
    match = LOG_LINE.search(last)
    assert match, f"the failure line names no log: {last!r}"
    log = Path(match.group(1))
    assert log.exists() and last.split(" Log: ")[0] in log.read_text(encoding="utf-8")
    return log


def test_wrong_credentials_fail_without_leaking_them(ws):
    done = ws.run("sync", "--no-transform", timeout=300)
    assert done.returncode == 1
    for name in ("meta_ads", "linkedin_ads", "hubspot_crm", "salesforce_crm"):
        assert f"{name}: FAILED" in done.stderr, done.stderr[-3000:]
    log = _named_log(done.stderr)
    assert "hubspot_crm: FAILED" in log.read_text(encoding="utf-8")
    checked = ws.run("check", timeout=300)
    assert checked.returncode == 1
    _named_log(checked.stderr)
    assert _leaks(ws, done.stdout, done.stderr, checked.stdout, checked.stderr) == []


def test_every_failure_names_a_log_that_exists(ws, tmp_path):
    # a config mistake
    bad = tmp_path / "bad.yaml"
    bad.write_text("warehouse: {target: duckdb, pathh: x}\n", encoding="utf-8")
    done = ws.run("--config", str(bad), "transform")
    assert done.returncode == 2
    _named_log(done.stderr)
    # a missing secret
    ws.env.pop("HUBSPOT_TOKEN")
    done = ws.run("sync", "--source", "hubspot_crm")
    assert done.returncode == 1 and "HUBSPOT_TOKEN" in done.stderr
    _named_log(done.stderr)
    # a user mistake in the arguments of a command
    done = ws.run("forget", "not-an-address")
    assert done.returncode == 1
    _named_log(done.stderr)
    # the warehouse held by another leadsync process
    from leadsync.orchestration.locking import warehouse_lock

    with warehouse_lock(ws.config, "sync", timeout_seconds=0):
        done = ws.run("transform")
    assert done.returncode == 1 and "is in use by `leadsync sync`" in done.stderr
    _named_log(done.stderr)


def test_dagster_failures_and_metadata_never_show_secrets(ws, monkeypatch, tmp_path):
    import sys

    from dagster import DagsterInstance

    sys.path.insert(0, str(Path(__file__).parents[1] / "orchestration"))
    from orch_helpers import write_tiny_project

    from leadsync.orchestration.definitions import build_definitions
    from leadsync.orchestration.jobs import sync_job_name

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    defs = build_definitions(
        ws.config,
        dbt_target_path=tmp_path / "dbt_target",
        dbt_project_dir=write_tiny_project(tmp_path / "tiny_dbt"),
        with_report=False,
    )
    instance = DagsterInstance.ephemeral()
    texts = []
    for source in ("meta_ads",):  # a token in the query string (Graph API), the likeliest to leak
        result = defs.resolve_job_def(sync_job_name(source)).execute_in_process(
            instance=instance, raise_on_error=False
        )
        assert not result.success
        texts += [repr(e) for e in result.all_events]
    texts += [repr(r) for r in instance.all_logs(result.run_id)]
    leaks = [name for name, value in SECRETS.items() if any(value in t for t in texts)]
    assert leaks == []
