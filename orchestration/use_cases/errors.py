"""Failures the user can act on, and turning library exceptions into one plain line."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

Progress = Callable[[str], None]
KEPT_RUN_LOGS = 30
MIN_SECRET_LENGTH = 4  # shorter values would blank ordinary words

_run_log: Path | None = None
_secrets: tuple[str, ...] = ()


class UserError(Exception):
    """A failure the user can act on (a config mistake, a failed source, a held lock); its message is
    the one line the CLI prints. Anything else reaching the CLI is a bug in leadsync."""


def progress(message: str) -> None:
    """The default progress callback: a timestamped line on stderr (and in the run log)."""
    line = f"[{time.strftime('%H:%M:%S')}] {redact(message)}"
    print(line, file=sys.stderr, flush=True)
    log_line(line)


# ---------------------------------------------------------------------------------------------
# The run log every failure message points to, and keeping secrets out of it
# ---------------------------------------------------------------------------------------------
def secret_values(config) -> list[str]:
    """The values of every env var the config names as holding a secret (`*_env` keys)."""
    names = {v for s in config.sources for v in s.secret_envs.values()}
    for key, value in config.warehouse.model_dump().items():
        if key.endswith("_env") and value:
            names.add(value)
    if config.monitoring.alert_webhook_url_env:
        names.add(config.monitoring.alert_webhook_url_env)
    return [v for n in sorted(names) if len(v := os.environ.get(n, "")) >= MIN_SECRET_LENGTH]


def keep_secret(values: Iterable[str]) -> None:
    """Every later progress line, log line and error message shows these values as `***`."""
    global _secrets
    extra = set(values)
    for v in list(extra):  # a connection URL's password on its own, too
        if "://" in v and "@" in v:
            userinfo = v.split("://", 1)[1].split("@", 1)[0]
            if ":" in userinfo:
                extra.add(userinfo.split(":", 1)[1])
    _secrets = tuple(
        sorted({*_secrets, *(v for v in extra if len(v) >= MIN_SECRET_LENGTH)}, key=len, reverse=True)
    )


def redact(text: str) -> str:
    for value in _secrets:
        text = text.replace(value, "***")
    return text


def start_run_log(folder: Path, command: str) -> Path:
    """Open `<folder>/<UTC time>-<command>-<pid>.log` for this process; older logs beyond 30 go."""
    global _run_log
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{command}-{os.getpid()}.log"
    path.write_text(f"leadsync {command} (pid {os.getpid()}) started {stamp}\n", encoding="utf-8")
    _run_log = path
    for old in sorted(folder.glob("*.log"))[:-KEPT_RUN_LOGS]:
        old.unlink(missing_ok=True)
    return path


def run_log() -> Path | None:
    """This process's run log, when one was started and still exists."""
    return _run_log if _run_log is not None and _run_log.exists() else None


def log_line(line: str) -> None:
    if _run_log is None:
        return
    try:
        with open(_run_log, "a", encoding="utf-8") as fh:
            fh.write(redact(line).rstrip("\n") + "\n")
    except OSError:
        pass


def log_exception(exc: BaseException) -> None:
    """The full traceback, redacted, into the run log (the terminal gets one line)."""
    log_line("".join(traceback.format_exception(exc)))


def quiet(message: str) -> None:
    """A progress callback that says nothing (Dagster logs through its own context)."""


def root_cause(exc: BaseException) -> BaseException:
    """dlt and dagster wrap the real error several times; the innermost one says what happened."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def one_line(exc: BaseException) -> str:
    text = redact(" ".join(str(exc).split()))
    return text if len(text) <= 400 else text[:397] + "..."
