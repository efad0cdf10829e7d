"""Failures the user can act on, and turning library exceptions into one plain line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Progress = Callable[[str], None]


class UserError(Exception):
    """A failure the user can act on (a config mistake, a failed source, a held lock); its message is
    the one line the CLI prints. Anything else reaching the CLI is a bug in leadsync."""


def progress(message: str) -> None:
    """The default progress callback: a timestamped line on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
    text = " ".join(str(exc).split())
    return text if len(text) <= 400 else text[:397] + "..."
