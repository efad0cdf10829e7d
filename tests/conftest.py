"""Shared fixtures. Every test works in its own tmp_path: its own warehouse, landing dir and dbt target."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def pytest_collection_modifyitems(config, items):
    """Modules marked `heavy` (whole-pipeline runs, fault chains) first, the rest in file order.

    `make test` hands whole modules to pytest-xdist workers in collection order
    (`--dist loadfile --no-loadscope-reorder`); starting the long modules first keeps the run
    from ending on one worker while the other waits. The sort is stable, so tests keep their
    order inside a module.
    """
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test inherits the developer's config or warehouse overrides."""
    monkeypatch.delenv("LEADSYNC_CONFIG", raising=False)
    monkeypatch.delenv("LEADSYNC_WAREHOUSE", raising=False)
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


class DemoRun:
    """The result of one real `leadsync demo` run in its own folder (shared by e2e tests)."""

    def __init__(self, root, completed):
        self.root = root
        self.config_file = root / "leadsync.yaml"
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.returncode = completed.returncode
        self.warehouse = root / "warehouse" / "leads.duckdb"
        self.bi_copy = root / "warehouse" / "leads_bi.duckdb"
        self.report = root / "warehouse" / "report.html"


def _leadsync_cli(*args, cwd, env=None, timeout=600):
    """Run the installed `leadsync` command as a user would (a real subprocess)."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "leadsync"
    full_env = {k: v for k, v in os.environ.items() if k not in ("LEADSYNC_CONFIG", "LEADSYNC_WAREHOUSE")}
    full_env["PATH"] = f"{exe.parent}{os.pathsep}{full_env.get('PATH', '')}"
    full_env.update(env or {})
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def leadsync_cli():
    """`leadsync_cli(*args, cwd=...)` runs the installed command and returns the CompletedProcess."""
    return _leadsync_cli


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed on first use. Missing in CI is a failure, never a skip."""
    from report_browser import ChromiumUnavailable, ensure_chromium

    try:
        return ensure_chromium()
    except ChromiumUnavailable as err:
        message = f"headless Chromium is needed for the report's browser tests: {err}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def artifacts():
    """Screenshots and other files a person may want to look at after the run (gitignored)."""
    folder = REPO / "tests" / "artifacts" / "reporting"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """`leadsync demo --fresh` on a copy of the bundled samples: every source type, for real."""
    import shutil

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copy(REPO / "leadsync.yaml", root / "leadsync.yaml")
    completed = _leadsync_cli("--config", str(root / "leadsync.yaml"), "demo", "--fresh", cwd=root)
    run = DemoRun(root, completed)
    assert run.returncode == 0, f"demo failed:\n{run.stderr[-4000:]}"
    return run


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL cluster per test session (tests/pg_server.py) for every test that
    needs the server target. Missing in CI (or as root, where it can be installed) is a failure,
    never a skip."""
    from pg_server import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as err:
        message = f"a PostgreSQL server is needed for this test: {err}"
        if os.environ.get("CI") or os.geteuid() == 0:
            pytest.fail(message)
        pytest.skip(message)
    yield server
    server.stop()
