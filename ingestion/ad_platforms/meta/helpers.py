"""Meta Graph API: the Graph version, reading errors and usage headers, cursor paging, flattening
``field_data``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.ad_platforms.common import (
    FieldSink,
    RecordContext,
    Verdict,
    json_body,
    lead_row,
    parse_records,
)
from leadsync.ingestion.ad_platforms.meta import settings
from leadsync.ingestion.config_base import ConfigError
from leadsync.ingestion.source_types import MetaLeadAdsSource


def graph_endpoint(source: MetaLeadAdsSource, today: Any = None) -> tuple[str, lifecycle.ResolvedVersion]:
    """(the versioned Graph base URL, the version) for a source.

    The version comes from ``graph_version`` or a ``/vNN.N`` at the end of ``base_url``; neither
    means the newest in the table. Raises ``VersionRetiredError`` past the version's sunset.
    """
    match = settings.GRAPH_VERSION.search(source.base_url)
    root = source.base_url[: match.start()] if match else source.base_url.rstrip("/")
    in_url = match.group(1) if match else None
    if in_url and source.graph_version and in_url != source.graph_version:
        raise ConfigError(
            f"Source {source.name!r}: base_url names Graph {in_url} but graph_version says "
            f"{source.graph_version}; keep one of them."
        )
    unpin = f"the /{in_url} from `base_url`" if in_url else "`graph_version`"
    resolved = lifecycle.resolve_version(
        lifecycle.version_table(settings.VERSIONS_DIR),
        in_url or source.graph_version,
        source_name=source.name,
        today=today,
        how_to_unpin=unpin,
    )
    return f"{root}/{resolved.name}", resolved


def usage_entries(response: requests.Response) -> list[dict[str, Any]]:
    """Every bucket entry of Meta's usage headers (BUC entries are keyed by object id)."""
    entries: list[dict[str, Any]] = []
    for header in settings.USAGE_HEADERS:
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        if isinstance(usage, dict) and "call_count" not in usage:
            values = [e for v in usage.values() for e in (v if isinstance(v, list) else [v])]
        else:
            values = [usage]
        entries.extend(e for e in values if isinstance(e, dict))
    return entries


class MetaCursorPaginator(JSONResponseCursorPaginator):
    """``paging.cursors.after`` as the next ``after``; the last page is the one without ``paging.next``.

    (Meta keeps sending an ``after`` cursor on the last page, so the cursor alone cannot tell.)
    """

    def __init__(self) -> None:
        super().__init__(cursor_path="paging.cursors.after", cursor_param="after")

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        super().update_state(response, data)
        if not (response.json().get("paging") or {}).get("next"):
            self._has_next_page = False


def regain_access_seconds(response: requests.Response) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in Meta's usage headers, in seconds."""
    minutes = [
        float(e["estimated_time_to_regain_access"])
        for e in usage_entries(response)
        if e.get("estimated_time_to_regain_access") is not None
    ]
    return max(minutes) * 60 if minutes else None


def pace(response: requests.Response) -> float | None:
    """How long to pause after a good answer so the next read stays inside the usage limits.

    Meta throttles a bucket once a share reaches 100%; near it, leadsync waits the regain time
    Meta estimates (or a minute) instead of running into the limit.
    """
    entries = usage_entries(response)
    shares = [float(e.get(k) or 0) for e in entries for k in ("call_count", "total_cputime", "total_time")]
    if not shares or max(shares) < settings.BUC_PACE_PERCENT:
        return None
    regain = regain_access_seconds(response)
    return regain if regain else settings.BUC_PACE_SECONDS


def classify(response: requests.Response) -> Verdict:
    """Meta's answers: rate limits come as HTTP 400 with a code in the body, not as 429."""
    if response.status_code < 400:
        return Verdict.ok()
    error = json_body(response).get("error") or {}
    code = error.get("code")
    message = error.get("message") or f"HTTP {response.status_code}"
    trace = f" (fbtrace_id {error['fbtrace_id']})" if error.get("fbtrace_id") else ""
    if code == settings.EXPIRED_TOKEN_CODE:
        return Verdict("reauth", f"code 190: {message}")
    if code in settings.RATE_LIMIT_CODES or response.status_code == 429:
        wait = regain_access_seconds(response)
        return Verdict("retry", f"rate limited, code {code}: {message}{trace}", wait)
    if response.status_code >= 500 or error.get("is_transient") or code in settings.TRANSIENT_CODES:
        return Verdict("retry", f"transient error, HTTP {response.status_code} code {code}: {message}{trace}")
    return Verdict(
        "fail", f"Meta refused the request (HTTP {response.status_code}, code {code}): {message}{trace}"
    )


def time_filter(since: datetime | None, until: datetime | None) -> str | None:
    """Meta's ``filtering`` parameter for leads created at/after ``since`` and before ``until``.

    GREATER_THAN is strict and works in whole seconds, so the bound is one second earlier;
    the cursor drops the leads already loaded at that instant.
    """
    rules = []
    if since is not None:
        rules.append(
            {"field": "time_created", "operator": "GREATER_THAN", "value": int(since.timestamp()) - 1}
        )
    if until is not None:
        rules.append({"field": "time_created", "operator": "LESS_THAN", "value": int(until.timestamp()) + 1})
    return json.dumps(rules, separators=(",", ":")) if rules else None


def parse_created_time(value: Any) -> datetime:
    return datetime.strptime(str(value), settings.TIME_FORMAT).astimezone(UTC)


def parse_leads(
    ctx: RecordContext, form_id: str, leads: list[dict[str, Any]], test_ids: frozenset[str] = frozenset()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of Graph API leads -> (canonical rows, quarantine rows).

    ``test_ids``: the ids the form's ``test_leads`` edge lists (those rows get ``is_test``).
    """
    location = f"meta form {form_id}"

    def parse_one(lead: dict[str, Any], lead_id: str) -> dict[str, Any]:
        return _lead_row(ctx, form_id, lead, lead_id, lead_id in test_ids, location)

    return parse_records(
        ctx,
        leads,
        location=location,
        platform="Meta",
        record_id=lambda lead: lead.get("id"),
        parse_one=parse_one,
    )


def _lead_row(
    ctx: RecordContext, form_id: str, lead: dict[str, Any], lead_id: str, is_test: bool, location: str
) -> dict[str, Any]:
    try:
        created = parse_created_time(lead.get("created_time"))
    except (TypeError, ValueError):
        raise ValueError(f"created_time {lead.get('created_time')!r} is not a Graph API time") from None
    sink = FieldSink(settings.FIELD_MAP)
    answers = lead.get("field_data") or []
    if not isinstance(answers, list):
        raise ValueError("field_data is not a list of answers")
    for answer in answers:
        name, vals = answer.get("name"), answer.get("values") or []
        if not name:
            raise ValueError("an answer in field_data has no name")
        sink.put(str(name), vals[0] if len(vals) == 1 else vals)
    for attr, column in settings.ATTRIBUTE_COLUMNS.items():
        sink.set(column, lead.get(attr))
    sink.set("form_id", lead.get("form_id") or form_id)
    for attr in settings.EXTRA_ATTRIBUTES:
        sink.extra(attr, lead.get(attr))
    sink.set("channel", settings.CHANNEL_ORGANIC if lead.get("is_organic") else settings.CHANNEL_PAID)
    return lead_row(
        ctx, record_id=lead_id, received_at=created, is_test=is_test, location=location, sink=sink
    )
