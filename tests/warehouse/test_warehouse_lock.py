"""The leadsync warehouse lock on a PostgreSQL target is the server's advisory lock."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from leadsync.ingestion.config import load_config
from leadsync.orchestration.locking import lock_holder, warehouse_lock


def _config_file(tmp_path, **warehouse):
    file = tmp_path / "leadsync.yaml"
    file.write_text(yaml.safe_dump({"warehouse": {"path": "wh/leads.duckdb", **warehouse}}), encoding="utf-8")
    return file


def test_postgres_target_uses_the_advisory_lock(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("LEADSYNC_WAREHOUSE_URL", pg_url)
    config = load_config(_config_file(tmp_path, target="postgres", credentials_env="LEADSYNC_WAREHOUSE_URL"))
    with warehouse_lock(config, "sync", timeout_seconds=0):
        assert lock_holder(config).pid == os.getpid()
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from leadsync.ingestion.config import load_config;"
                "from leadsync.orchestration.locking import warehouse_lock;"
                "c = load_config(sys.argv[1])\n"
                "try:\n    with warehouse_lock(c, 'transform', timeout_seconds=0.5): print('taken')\n"
                "except Exception as e: print(e)",
                str(tmp_path / "leadsync.yaml"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "LEADSYNC_WAREHOUSE_URL": pg_url},
        )
        assert "taken" not in probe.stdout and f"PID {os.getpid()}" in probe.stdout, probe
    assert lock_holder(config) is None
