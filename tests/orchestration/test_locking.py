"""The warehouse lock: one leadsync writer per warehouse, and whoever waits is told who holds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from leadsync.ingestion.config import load_config
from leadsync.orchestration.locking import lock_holder, lock_path, warehouse_lock
from leadsync.orchestration.use_cases.errors import UserError

HOLDER = textwrap.dedent(
    """
    import sys, time
    from leadsync.ingestion.config import load_config
    from leadsync.orchestration.locking import warehouse_lock
    config = load_config(sys.argv[1])
    with warehouse_lock(config, "sync"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", time.monotonic(), flush=True)  # CLOCK_MONOTONIC: one clock for every process
    """
)


def _config_file(tmp_path: Path, **warehouse) -> Path:
    file = tmp_path / "leadsync.yaml"
    file.write_text(yaml.safe_dump({"warehouse": {"path": "wh/leads.duckdb", **warehouse}}), encoding="utf-8")
    return file


def _hold(config_file: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(config_file), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_writer_is_told_who_holds_the_warehouse(tmp_path):
    config = load_config(_config_file(tmp_path))
    holder = _hold(tmp_path / "leadsync.yaml", 60)
    try:
        who = lock_holder(config)
        assert who is not None and who.pid == holder.pid and who.command == "sync"
        assert lock_path(config) == config.warehouse_path.with_name("leads.duckdb.lock")
        started = time.monotonic()
        with pytest.raises(UserError) as err, warehouse_lock(config, "transform", timeout_seconds=0.6):
            pytest.fail("the lock was taken twice")
        assert time.monotonic() - started >= 0.6
        message = str(err.value)
        assert f"PID {holder.pid}" in message and "`leadsync sync`" in message
        assert "lock_timeout_seconds" in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_never_leaves_the_warehouse_locked(tmp_path):
    config = load_config(_config_file(tmp_path))
    holder = _hold(tmp_path / "leadsync.yaml", 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_holder(config) is None  # the stale holder note is not believed
    with warehouse_lock(config, "sync", timeout_seconds=0):
        assert lock_holder(config).pid == os.getpid()
    assert lock_holder(config) is None


def test_waits_for_the_holder_to_finish(tmp_path):
    config = load_config(_config_file(tmp_path))
    holder = _hold(tmp_path / "leadsync.yaml", 1.5)
    said: list[str] = []
    try:
        with warehouse_lock(config, "forget", timeout_seconds=60, report=said.append):
            acquired = time.monotonic()
        released = float(holder.stdout.readline().split()[1])
    finally:
        holder.wait()
    assert acquired >= released  # it got the lock only after the holder let go
    assert len(said) == 1 and f"PID {holder.pid}" in said[0] and "waiting" in said[0]


def test_reentrant_in_one_process(tmp_path):
    config = load_config(_config_file(tmp_path))
    with warehouse_lock(config, "sync", timeout_seconds=0):
        with warehouse_lock(config, "transform", timeout_seconds=0):
            assert lock_holder(config).command == "sync"
        assert lock_holder(config) is not None
    assert lock_holder(config) is None


def test_cli_exits_with_one_sentence_naming_the_holder(tmp_path, leadsync_cli):
    file = _config_file(tmp_path, lock_timeout_seconds=0)
    holder = _hold(file, 60)
    try:
        done = leadsync_cli("--config", str(file), "forget", "ada@example.com", cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("leadsync: ") and f"PID {holder.pid}" in last and "report it" not in last


def test_check_names_the_holder(tmp_path):
    import duckdb

    from leadsync.orchestration.use_cases.check import check_warehouse

    file = _config_file(tmp_path)
    config = load_config(file)
    config.warehouse_path.parent.mkdir(parents=True)
    duckdb.connect(str(config.warehouse_path)).close()
    assert check_warehouse(config).status == "ok"
    holder = _hold(file, 60)
    try:
        result = check_warehouse(config)
    finally:
        holder.kill()
        holder.wait()
    assert result.status == "warning" and f"PID {holder.pid}" in result.message
