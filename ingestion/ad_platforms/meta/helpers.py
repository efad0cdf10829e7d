"""Meta Graph API: reading errors and usage headers, cursor paging, flattening ``field_data``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from leadsync.ingestion.ad_platforms.common import (
    FieldSink,
    RecordContext,
    Verdict,
    json_body,
    lead_row,
    quarantine_row,
)
from leadsync.ingestion.ad_platforms.meta import settings


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
    minutes: list[float] = []
    for header in settings.USAGE_HEADERS:
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = (
            [e for v in usage.values() for e in (v if isinstance(v, list) else [v])]
            if isinstance(usage, dict) and "call_count" not in usage
            else [usage]
        )
        for entry in entries:
            if isinstance(entry, dict) and entry.get("estimated_time_to_regain_access") is not None:
                minutes.append(float(entry["estimated_time_to_regain_access"]))
    return max(minutes) * 60 if minutes else None


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
    ctx: RecordContext, form_id: str, leads: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of Graph API leads -> (canonical rows, quarantine rows)."""
    rows, bad = [], []
    location = f"meta form {form_id}"
    for lead in leads:
        lead_id = lead.get("id") if isinstance(lead, dict) else None
        try:
            if not lead_id:
                raise ValueError("the lead has no id")
            try:
                created = parse_created_time(lead.get("created_time"))
            except (TypeError, ValueError):
                raise ValueError(
                    f"created_time {lead.get('created_time')!r} is not a Graph API time"
                ) from None
            sink = FieldSink(settings.FIELD_MAP)
            answers = lead.get("field_data") or []
            if not isinstance(answers, list):
                raise ValueError("field_data is not a list of answers")
            values: list[str] = []
            for answer in answers:
                name, vals = answer.get("name"), answer.get("values") or []
                if not name:
                    raise ValueError("an answer in field_data has no name")
                values.extend(str(v) for v in vals)
                sink.put(str(name), vals[0] if len(vals) == 1 else vals)
            for attr, column in settings.ATTRIBUTE_COLUMNS.items():
                sink.set(column, lead.get(attr))
            sink.set("form_id", lead.get("form_id") or form_id)
            for attr in settings.EXTRA_ATTRIBUTES:
                sink.extra(attr, lead.get(attr))
            sink.set("channel", settings.CHANNEL_ORGANIC if lead.get("is_organic") else settings.CHANNEL_PAID)
            is_test = bool(values) and all(v.startswith(settings.TEST_LEAD_MARKER) for v in values)
            rows.append(
                lead_row(
                    ctx,
                    record_id=str(lead_id),
                    received_at=created,
                    is_test=is_test,
                    location=location,
                    sink=sink,
                )
            )
        except (ValueError, AttributeError, TypeError) as exc:
            bad.append(
                quarantine_row(
                    ctx,
                    location=location,
                    reason=f"unreadable Meta lead: {exc}",
                    raw=lead,
                    record_id=str(lead_id) if lead_id else None,
                )
            )
    return rows, bad
