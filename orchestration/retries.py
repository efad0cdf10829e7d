"""Which failures Dagster's retry policy should retry, and which should fail the step at once.

A retry helps when the world was briefly in the way: a timeout, a dropped or refused connection,
HTTP 408/425/429 or a 5xx, the warehouse locked by another process a moment too long. It cannot
help when the input or the setup is wrong: credentials refused (401/403, `AuthExpiredError`), a
config mistake (`ConfigError`), a `UserError`, any other 4xx, a bug. Those fail the step at once
with the plain message (Dagster's `Failure(allow_retries=False)` skips the job's retry policy),
instead of failing the same way three more times over four minutes.

Sources retry their own HTTP calls with backoff first (ingestion/ad_platforms/common.py); what
reaches here is what those retries could not absorb.
"""

from __future__ import annotations

from collections.abc import Iterator

from dagster import Failure

from leadsync.ingestion.ad_platforms.common import PlatformError, QuotaExhaustedError
from leadsync.ingestion.config import ConfigError
from leadsync.orchestration.use_cases.errors import UserError, one_line, root_cause

TRANSIENT_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
# The API sources' retrying session (ingestion/ad_platforms/common.py, used by the CRMs too)
# raises PlatformError "... gave up after N attempts (...)" when retryable answers (5xx, 429,
# network errors) outlasted its backoff: later may work. Its other PlatformErrors are refusals.
_GAVE_UP = "gave up after"
_LOCK_WORDS = ("could not set lock", "conflicting lock", "database is locked")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (dlt's `.exception`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "exception", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                todo.append(inner)


def _http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _is_transport_error(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, ConnectionError)):  # includes reset / refused / aborted
        return True
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return True
    except ImportError:  # pragma: no cover - httpx is a dependency
        pass
    try:
        import requests

        if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            return True
    except ImportError:  # pragma: no cover - requests comes with dlt
        pass
    return False


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same step later may succeed (see the module docstring)."""
    chain = list(_chain(exc))
    if any(isinstance(e, (UserError, ConfigError, QuotaExhaustedError)) for e in chain):
        return False  # QuotaExhausted: the day's quota; the next scheduled sync resumes
    platform = [e for e in chain if isinstance(e, PlatformError)]
    if platform:
        return any(_GAVE_UP in str(e) for e in platform)
    statuses = [s for s in (_http_status(e) for e in chain) if s is not None]
    if statuses:
        return all(s in TRANSIENT_HTTP for s in statuses)
    if any(_is_transport_error(e) for e in chain):
        return True
    return any(word in str(e).lower() for e in chain for word in _LOCK_WORDS)


def failure_for(exc: BaseException, what: str) -> Failure | None:
    """None when the error is transient (re-raise it: the retry policy takes over), else the
    `Failure` to raise instead: the plain message, no retries."""
    if is_transient(exc):
        return None
    cause = root_cause(exc)
    return Failure(
        f"{what} failed and a retry would fail the same way: {one_line(cause)}",
        allow_retries=False,
        metadata={"error_type": type(cause).__name__},
    )
