"""What every ad-platform source shares: retries with backoff, OAuth, the incremental cursor and
turning parsed leads into Arrow batches of the canonical raw lead schema.

Each platform says how to read its own answers (``classify``: fine / retry after N seconds /
re-authenticate / stop); the retry loop lives here once. It sits under dlt's ``RESTClient`` as
its HTTP session, so paginators re-send the *same* page request after a rate limit: a run
resumes from the cursor it was on, with no gap and no duplicate.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import requests
from requests.auth import AuthBase
from requests.hooks import dispatch_hook

from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.lead import LEAD_FIELD_NAMES, canonical_field_for, raw_lead_schema
from leadsync.ingestion.raw_tables import QUARANTINE, quarantine_table
from leadsync.ingestion.source_types import GoogleAdsLeadFormsSource, LinkedInLeadGenSource, MetaLeadAdsSource

ApiSource = (
    MetaLeadAdsSource | LinkedInLeadGenSource | GoogleAdsLeadFormsSource
)  # the ad platforms served here

HTTP_TIMEOUT_SECONDS = 60.0


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
class PlatformError(RuntimeError):
    """The platform kept failing (or refused the request); the sync stops and loads nothing."""


class QuotaExhaustedError(PlatformError):
    """The platform's quota for the day is used up: the source stops, its position kept."""


class AuthExpiredError(ConfigError):
    """The credentials were refused: the user must renew a token (names source and env var)."""


# ---------------------------------------------------------------------------------------------
# Retry with backoff
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Backoff:
    """How long to wait between attempts. Platform hints (Retry-After, Meta's
    estimated_time_to_regain_access, Google's retryDelay) win over the exponential guess,
    but never beyond ``max_seconds``: tests and the demo shrink both numbers.
    """

    max_attempts: int = 8
    base_seconds: float = 2.0
    max_seconds: float = 600.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, hint: float | None = None) -> float:
        if hint is not None and hint >= 0:
            return min(hint, self.max_seconds)
        guess = self.base_seconds * (2 ** (attempt - 1))
        return min(guess * (0.5 + random.random() / 2), self.max_seconds)


# Module default, read at call time so tests (and the demo) can swap in tiny waits.
DEFAULT_BACKOFF = Backoff()


def current_backoff(explicit: Backoff | None = None) -> Backoff:
    return explicit or DEFAULT_BACKOFF


@dataclass(frozen=True)
class Verdict:
    """What a platform's answer means for the client."""

    action: Literal["ok", "retry", "reauth", "fail", "stop"]  # stop: quota gone until a reset
    reason: str = ""
    wait_seconds: float | None = None

    @classmethod
    def ok(cls) -> Verdict:
        return cls("ok")


Classifier = Callable[[requests.Response], Verdict]


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON error body, or {} when the platform (or a proxy) answered with HTML or nothing."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class RetryingSession(requests.Session):
    """A requests session that retries what the platform says is retryable.

    ``on_reauth`` (OAuth sources) fetches a fresh access token once when a request is refused;
    a second refusal stops the run with ``fail_auth`` as the message. ``pace`` (Meta's usage
    headers) says how long to pause after a good answer so the next one stays inside the limits.
    """

    def __init__(
        self,
        classify: Classifier,
        backoff: Backoff,
        source_label: str,
        on_reauth: Callable[[], str] | None = None,
        fail_auth: Callable[[str], Exception] | None = None,
        pace: Callable[[requests.Response], float | None] | None = None,
    ) -> None:
        super().__init__()
        self.pace = pace
        self.paused = 0  # pauses taken to stay inside usage limits (tests read it)
        self.classify = classify
        self.backoff = backoff
        self.source_label = source_label
        self.on_reauth = on_reauth
        self.fail_auth = fail_auth or (lambda reason: PlatformError(f"{source_label}: {reason}"))
        self.retries = 0  # how many retries this run needed (reported in logs/tests)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        # The caller's response hooks (dlt's raise-for-status) run once, on the final answer.
        hooks, request.hooks = request.hooks, {"response": []}
        attempt = 0
        reauthed = False
        while True:
            attempt += 1
            try:
                response = super().send(request, **kwargs)
                verdict = self.classify(response)
            except (requests.ConnectionError, requests.Timeout) as exc:
                verdict = Verdict("retry", f"network error: {exc.__class__.__name__}")
            if verdict.action == "ok":
                pause = self.pace(response) if self.pace else None
                if pause:
                    self.paused += 1
                    self.backoff.sleep(min(pause, self.backoff.max_seconds))
                request.hooks = hooks
                return dispatch_hook("response", hooks, response, **kwargs)
            if verdict.action == "reauth":
                if self.on_reauth is None or reauthed:
                    raise self.fail_auth(verdict.reason)
                request.headers["Authorization"] = f"Bearer {self.on_reauth()}"
                reauthed = True
                continue
            if verdict.action == "fail":
                raise PlatformError(f"{self.source_label}: {verdict.reason}")
            if verdict.action == "stop":
                raise QuotaExhaustedError(f"{self.source_label}: {verdict.reason}.")
            if attempt >= self.backoff.max_attempts:
                raise PlatformError(
                    f"{self.source_label}: gave up after {attempt} attempts ({verdict.reason}). "
                    "Nothing was loaded; the next sync resumes from the last loaded lead."
                )
            self.retries += 1
            self.backoff.sleep(self.backoff.delay(attempt, verdict.wait_seconds))


# ---------------------------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------------------------
class BearerAuth(AuthBase):
    """A fixed access token in the Authorization header (kept out of URLs and logs)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class RefreshTokenAuth(BearerAuth):
    """OAuth 2.0 refresh-token grant: a fresh access token on first use and when one is refused.

    ``token`` may start as a configured access token; it is refreshed only when refused.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        source_label: str,
        refresh_token_env: str,
        token: str | None = None,
    ) -> None:
        super().__init__(token or "")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.source_label = source_label
        self.refresh_token_env = refresh_token_env

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.token:
            self.refresh()
        return super().__call__(r)

    def refresh(self) -> str:
        try:
            response = requests.post(
                self.token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": self.refresh_token,
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise PlatformError(
                f"{self.source_label}: cannot reach the token endpoint "
                f"{self.token_url} ({exc.__class__.__name__})"
            ) from exc
        body = json_body(response)
        if response.status_code != 200 or not body.get("access_token"):
            detail = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise AuthExpiredError(
                f"Source {self.source_label!r}: the platform refused the refresh token in "
                f"{self.refresh_token_env} ({detail}). Re-authorise the app, export the new refresh "
                f"token as {self.refresh_token_env} and run again. Nothing was loaded."
            )
        self.token = body["access_token"]
        if body.get("refresh_token"):  # rotating refresh tokens (LinkedIn may send a new one)
            self.refresh_token = body["refresh_token"]
        return self.token


def expired_token_error(source: ApiSource, env_name: str, detail: str) -> AuthExpiredError:
    return AuthExpiredError(
        f"Source {source.name!r}: the platform refused the access token in {env_name} ({detail}). "
        f"Create a new token, export it as {env_name} and run again. Nothing was loaded."
    )


# ---------------------------------------------------------------------------------------------
# Incremental cursor
# ---------------------------------------------------------------------------------------------
def to_utc(value: str | date | datetime | None) -> datetime | None:
    """A config date ('2026-01-01'), date or datetime as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class LeadCursor:
    """Which leads a run asks for and keeps: ``received_at`` newer than the last loaded one.

    Platforms filter with second (or millisecond) precision, so the request starts *at* the last
    value and the leads already loaded at that instant are dropped here by id: nothing created in
    the same second as the previous run's last lead can be missed.

    dlt's ``incremental`` does the same for one table per resource; these resources also write
    quarantine batches (which have no ``received_at``) and that would break its Arrow filter, so
    the value lives in the resource state that dlt commits together with the load.

    With an explicit range (a partitioned backfill) the state is neither read nor written.
    """

    state: dict[str, Any] | None
    range_start: datetime | None = None
    range_end: datetime | None = None
    _max: datetime | None = None
    _ids_at_max: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, source: ApiSource, start: Any = None, end: Any = None) -> LeadCursor:
        import dlt  # deferred: reading resource state needs a running extract

        if start is not None or end is not None:
            return cls(None, to_utc(start) or to_utc(source.start_date), to_utc(end))
        state = dlt.current.resource_state()
        return cls(state, to_utc(source.start_date))

    @property
    def last_value(self) -> datetime | None:
        if self.state and self.state.get("last_received_at"):
            return datetime.fromisoformat(self.state["last_received_at"])
        return None

    @property
    def start(self) -> datetime | None:
        """Request leads received at or after this instant (None: everything)."""
        return self.last_value or self.range_start

    @property
    def end(self) -> datetime | None:
        return self.range_end

    def keep_new(self, table: pa.Table) -> pa.Table:
        """Drop leads already loaded (at the boundary) or outside the range; remember the newest."""
        if table.num_rows == 0:
            return table
        received = table["received_at"]
        mask = pc.is_valid(received)
        if self.start is not None:
            mask = pc.and_(mask, pc.greater_equal(received, pa.scalar(self.start, received.type)))
        if self.end is not None:
            mask = pc.and_(mask, pc.less(received, pa.scalar(self.end, received.type)))
        seen = set(self.state.get("ids_at_last", [])) if self.state else set()
        if seen and self.last_value is not None:
            at_last = pc.equal(received, pa.scalar(self.last_value, received.type))
            known = pc.is_in(table["source_record_id"], pa.array(sorted(seen), pa.string()))
            mask = pc.and_(mask, pc.invert(pc.and_(at_last, known)))
        kept = table.filter(pc.fill_null(mask, False))
        self._remember(kept)
        return kept

    def _remember(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        newest = pc.max(table["received_at"]).as_py()
        ids = table.filter(pc.equal(table["received_at"], pa.scalar(newest, table["received_at"].type)))
        ids_at = {str(i) for i in ids["source_record_id"].to_pylist()}
        if self._max is None or newest > self._max:
            self._max, self._ids_at_max = newest, ids_at
        elif newest == self._max:
            self._ids_at_max |= ids_at

    def commit(self) -> None:
        """Write the newest value into the resource state (committed by dlt with the load)."""
        if self.state is None or self._max is None:
            return
        last = self.last_value
        if last is not None and self._max < last:
            return
        ids = self._ids_at_max | (set(self.state.get("ids_at_last", [])) if self._max == last else set())
        self.state["last_received_at"] = self._max.isoformat()
        self.state["ids_at_last"] = sorted(ids)


# ---------------------------------------------------------------------------------------------
# Rows -> Arrow
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordContext:
    """The per-source values every row of a source carries."""

    source_name: str
    source_type: str
    lead_origin: str

    @classmethod
    def of(cls, source: ApiSource) -> RecordContext:
        return cls(source.name, source.type, source.origin)


class FieldSink:
    """Collects one record's answers: canonical columns first come first served, the rest custom.

    ``platform_map`` names platform keys that mean a canonical field (e.g. Meta's
    ``work_email``); everything else is tried against the canonical synonyms, then kept in
    ``custom_fields`` under its own name.
    """

    def __init__(self, platform_map: dict[str, str]) -> None:
        self.platform_map = platform_map
        self.fields: dict[str, str | None] = {}
        self.custom: dict[str, Any] = {}

    def put(self, key: str, value: Any) -> None:
        if value is None or value == "" or value == []:
            return
        target = self.platform_map.get(key.lower()) or canonical_field_for(key)
        text = (
            value
            if isinstance(value, str)
            else (", ".join(map(str, value)) if isinstance(value, list) else str(value))
        )
        if target and target in LEAD_FIELD_NAMES and target not in self.fields:
            self.fields[target] = text
        else:
            self.custom[key if key not in self.custom else f"{key}_{len(self.custom)}"] = value

    def set(self, canonical: str, value: Any) -> None:
        """A platform attribute with a fixed home (campaign ids, form id): always wins."""
        if value is not None and value != "":
            self.fields[canonical] = str(value)

    def extra(self, key: str, value: Any) -> None:
        if value is not None:
            self.custom[key] = value


def lead_row(
    ctx: RecordContext,
    *,
    record_id: str,
    received_at: datetime,
    is_test: bool,
    location: str,
    sink: FieldSink,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source_name": ctx.source_name,
        "source_type": ctx.source_type,
        "lead_origin": ctx.lead_origin,
        "source_record_id": record_id,
        "received_at": received_at,
        "is_test": is_test,
        "custom_fields": json.dumps(sink.custom, sort_keys=True, ensure_ascii=False, default=str),
        "source_location": location,
        "source_line": None,
    }
    row.update(sink.fields)
    return row


def leads_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """One page of parsed leads as an Arrow table with exactly ``raw_lead_schema()``."""
    schema = raw_lead_schema()
    return pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)


def quarantine_row(
    ctx: RecordContext, *, location: str, reason: str, raw: Any, record_id: str | None = None
) -> dict[str, Any]:
    return {
        "source_name": ctx.source_name,
        "source_type": ctx.source_type,
        "source_location": location,
        "source_record_id": record_id,
        "reason": reason,
        "raw_content": json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str),
        "quarantined_at": datetime.now(UTC),
    }


# What a malformed record can raise while its fields are read: it is quarantined with the reason,
# never allowed to take the page (or the sync) down.
RECORD_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
)


def parse_records(
    ctx: RecordContext,
    records: Iterable[Any],
    *,
    location: str,
    platform: str,
    record_id: Callable[[Any], Any],
    parse_one: Callable[[Any, str], dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of platform records -> (canonical rows, quarantine rows), the loop every ad
    platform shares: a record without an id, or one whose fields ``parse_one`` cannot read,
    goes to quarantine with ``"unreadable <platform> lead: <why>"`` and the rest of the page loads.

    ``record_id(record)`` finds the id (or None) without raising; ``parse_one(record, id)`` returns
    the row (``lead_row``) or raises one of ``RECORD_ERRORS``.
    """
    rows, bad = [], []
    for record in records:
        try:
            found = record_id(record)
        except RECORD_ERRORS:
            found = None
        try:
            if not found:
                raise ValueError("the record has no id")
            rows.append(parse_one(record, str(found)))
        except RECORD_ERRORS as exc:
            bad.append(
                quarantine_row(
                    ctx,
                    location=location,
                    reason=f"unreadable {platform} lead: {exc}",
                    raw=record,
                    record_id=str(found) if found else None,
                )
            )
    return rows, bad


def quarantine_batch(rows: list[dict[str, Any]]) -> pa.Table:
    return quarantine_table(rows)


def page_batches(cursor: LeadCursor, rows: list[dict[str, Any]], bad: list[dict[str, Any]]) -> Iterator[Any]:
    """What a lead resource yields for one parsed page: the leads the cursor keeps as Arrow,
    then the unreadable records as a batch for the quarantine table."""
    import dlt  # deferred like in LeadCursor.open: only a running resource gets here

    table = cursor.keep_new(leads_table(rows))
    if table.num_rows:
        yield table
    if bad:
        yield dlt.mark.with_table_name(quarantine_batch(bad), QUARANTINE)


def lead_source(source: ApiSource, leads: Any) -> Any:
    """The dlt source of one configured source: its single lead resource, no nested tables.

    The config section stays the platform's (the resource's module), as if declared there.
    """
    import dlt

    @dlt.source(name=source.name, section=leads.section, max_table_nesting=0)
    def one_resource() -> Any:
        return leads

    return one_resource()


def source_label(config: LeadsyncConfig, source: ApiSource) -> str:
    del config  # kept for a uniform call shape
    return f"source {source.name!r} ({source.type})"
