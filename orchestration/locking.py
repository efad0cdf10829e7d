"""One leadsync writer per warehouse: the lock `sync`, `transform` and `forget` hold while they run.

- DuckDB: an exclusive `flock` on `<warehouse file>.lock` beside the DuckDB file. The kernel drops
  it when the process dies (SIGKILL, power loss), so a crashed sync never leaves the warehouse
  locked; the file itself may stay, and that is harmless.
- PostgreSQL: the server's session-level advisory lock (`ingestion.warehouse.advisory_lock`),
  released with the session when the process dies.

Who holds it is written as one JSON line (pid, command, since) into `<lock>.holder` (DuckDB) or
`<state_dir>/warehouse.lock.holder` (server targets) once the lock is taken, so the one that waits
can say who it waits for. The note is only read while the lock is busy, so a stale note from a
killed process is never believed.

The lock is re-entrant within one process: `sync` holds it and calls `transform`, which takes it
again without waiting for itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.use_cases.errors import Progress, UserError, progress

POLL_SECONDS = 0.2
LOCK_SCOPE = "leadsync"

_held: dict[str, int] = {}  # lock key -> depth, for re-entry from the same process
_held_guard = threading.Lock()


@dataclass(frozen=True)
class LockHolder:
    """Who holds the warehouse lock: their pid, the leadsync command, since when (UTC)."""

    pid: int | None
    command: str
    since: str

    def describe(self) -> str:
        pid = f"PID {self.pid}" if self.pid else "an unknown PID"
        return f"`leadsync {self.command}` ({pid}, since {self.since})"


def lock_path(config: LeadsyncConfig) -> Path:
    """`<warehouse file>.lock`: beside the DuckDB file, so every config naming that file shares it."""
    if config.warehouse.target == "duckdb":
        path = config.warehouse_path
        return path.with_name(path.name + ".lock")
    return config.state_dir / "warehouse.lock"


def _holder_path(config: LeadsyncConfig) -> Path:
    lock = lock_path(config)
    return lock.with_name(lock.name + ".holder")


def _command_line() -> str:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return args[0] if args else Path(sys.argv[0]).name


def lock_holder(config: LeadsyncConfig) -> LockHolder | None:
    """Who holds the warehouse lock now, or None when nobody does (DuckDB: checked with the kernel)."""
    if config.warehouse.target == "duckdb":
        path = lock_path(config)
        if not path.exists():
            return None
        with open(path, "a+b") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read_holder(config)
            fcntl.flock(fh, fcntl.LOCK_UN)
            return None
    from leadsync.ingestion.warehouse import WarehouseBusy, advisory_lock

    try:
        with advisory_lock(config, LOCK_SCOPE, wait=False):
            return None
    except WarehouseBusy:
        return _read_holder(config)


def _read_holder(config: LeadsyncConfig) -> LockHolder:
    try:
        note = json.loads(_holder_path(config).read_text(encoding="utf-8"))
        return LockHolder(int(note["pid"]), str(note["command"]), str(note["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return LockHolder(None, "(another process)", "an unknown time")


def _write_holder(config: LeadsyncConfig, command: str) -> None:
    note = {
        "pid": os.getpid(),
        "command": command,
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    path = _holder_path(config)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(note), encoding="utf-8")
    os.replace(tmp, path)


def _busy_error(config: LeadsyncConfig, waited: float) -> UserError:
    holder = lock_holder(config) or LockHolder(None, "(another process)", "an unknown time")
    where = (
        config.warehouse_path
        if config.warehouse.target == "duckdb"
        else f"the {config.warehouse.target} warehouse"
    )
    return UserError(
        f"{where} is in use by {holder.describe()}; waited {waited:.0f}s "
        "(warehouse.lock_timeout_seconds): let it finish, or stop it, and run again."
    )


def _key(config: LeadsyncConfig) -> str:
    return str(lock_path(config))


@contextlib.contextmanager
def warehouse_lock(
    config: LeadsyncConfig,
    command: str | None = None,
    *,
    timeout_seconds: float | None = None,
    report: Progress = progress,
) -> Iterator[None]:
    """Hold the warehouse's leadsync lock while the block runs.

    Waits up to `timeout_seconds` (default `warehouse.lock_timeout_seconds`) for another leadsync
    process to let go, saying once who it waits for; then raises UserError naming the holder.
    """
    key = _key(config)
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return

    timeout = config.warehouse.lock_timeout_seconds if timeout_seconds is None else timeout_seconds
    command = command or _command_line()
    lock_cm = _duckdb_lock if config.warehouse.target == "duckdb" else _server_lock
    with lock_cm(config, timeout, report):
        _write_holder(config, command)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            with contextlib.suppress(OSError):
                _holder_path(config).unlink()


@contextlib.contextmanager
def _duckdb_lock(config: LeadsyncConfig, timeout: float, report: Progress) -> Iterator[None]:
    path = lock_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise _busy_error(config, waited) from None
                if not told:
                    holder = _read_holder(config)
                    report(f"waiting up to {timeout:.0f}s for the warehouse: {holder.describe()} holds it")
                    told = True
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _server_lock(config: LeadsyncConfig, timeout: float, report: Progress) -> Iterator[None]:
    from leadsync.ingestion.warehouse import WarehouseBusy, advisory_lock

    config.state_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(advisory_lock(config, LOCK_SCOPE, wait=False))
        except WarehouseBusy:
            report(
                f"waiting up to {timeout:.0f}s for the warehouse: {_read_holder(config).describe()} holds it"
            )
            started = time.monotonic()
            try:
                stack.enter_context(
                    advisory_lock(config, LOCK_SCOPE, wait=True, timeout_seconds=max(timeout, 0.001))
                )
            except WarehouseBusy:
                raise _busy_error(config, time.monotonic() - started) from None
        yield
