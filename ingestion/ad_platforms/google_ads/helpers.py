"""Google Ads API: error reading (google.rpc.Status + GoogleAdsFailure), GAQL bounds, row parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from leadsync.ingestion.ad_platforms.common import (
    FieldSink,
    RecordContext,
    Verdict,
    json_body,
    lead_row,
    parse_records,
)
from leadsync.ingestion.ad_platforms.google_ads import settings

_RETRY_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def classify(response: requests.Response) -> Verdict:
    if response.status_code < 400:
        return Verdict.ok()
    error = json_body(response).get("error") or {}
    status = error.get("status") or f"HTTP {response.status_code}"
    message = error.get("message") or ""
    inner = [e for d in error.get("details") or [] for e in d.get("errors") or []]
    codes = [e.get("errorCode") for e in inner]
    detail = next((e["message"] for e in inner if e.get("message") and e["message"] != message), "")
    reason = f"{status}: {message} {codes if codes else ''} {detail}".strip()
    if (
        response.status_code == 401
        and any("OAUTH_TOKEN" in str(c) for c in codes + [message])
        or (response.status_code == 401 and not codes)
    ):
        return Verdict("reauth", reason)
    if status == "RESOURCE_EXHAUSTED" or response.status_code == 429:
        return Verdict("retry", reason, retry_delay(error))
    if response.status_code >= 500 or status in ("UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"):
        return Verdict("retry", reason)
    return Verdict("fail", f"Google Ads refused the request ({reason})")


def retry_delay(error: dict[str, Any]) -> float | None:
    """The ``retryDelay`` ("30s") Google puts into QuotaErrorDetails, in seconds."""
    for detail in error.get("details") or []:
        for err in detail.get("errors") or []:
            delay = ((err.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay")
            match = _RETRY_DELAY.match(str(delay or ""))
            if match:
                return float(match.group(1))
    return None


def where_clause(tz: ZoneInfo, since: datetime | None, until: datetime | None) -> str:
    """GAQL bounds on submission_date_time (account-local wall time, second precision)."""
    parts = []
    if since is not None:
        parts.append(
            f"lead_form_submission_data.submission_date_time >= "
            f"'{since.astimezone(tz).strftime(settings.GAQL_TIME_FORMAT)}'"
        )
    if until is not None:
        parts.append(
            f"lead_form_submission_data.submission_date_time < "
            f"'{until.astimezone(tz).strftime(settings.GAQL_TIME_FORMAT)}'"
        )
    return (" WHERE " + " AND ".join(parts)) if parts else ""


def resource_id(name: Any) -> str | None:
    """'customers/1/adGroupAds/155~660' -> '660'; 'customers/1/campaigns/21' -> '21'."""
    if not name:
        return None
    return str(name).rsplit("/", 1)[-1].rsplit("~", 1)[-1]


def parse_submission_time(value: Any, tz: ZoneInfo) -> datetime:
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"submission_date_time {text!r} is not 'YYYY-MM-DD HH:MM:SS'") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def parse_results(
    ctx: RecordContext,
    customer_id: str,
    results: list[dict[str, Any]],
    tz: ZoneInfo,
    names: dict[str, dict[str, str]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """searchStream results -> (canonical rows, quarantine rows); ``names`` maps ids to names."""
    location = f"google ads customer {customer_id}"

    def parse_one(result: dict[str, Any], record_id: str) -> dict[str, Any]:
        return _submission_row(ctx, result["leadFormSubmissionData"], record_id, tz, names, location)

    return parse_records(
        ctx,
        results,
        location=location,
        platform="Google Ads",
        record_id=lambda result: result["leadFormSubmissionData"]["id"],
        parse_one=parse_one,
    )


def _submission_row(
    ctx: RecordContext,
    data: dict[str, Any],
    record_id: str,
    tz: ZoneInfo,
    names: dict[str, dict[str, str]],
    location: str,
) -> dict[str, Any]:
    received = parse_submission_time(data.get("submissionDateTime"), tz)
    sink = FieldSink({k.lower(): v for k, v in settings.FIELD_TYPES.items()})
    for f in data.get("leadFormSubmissionFields") or []:
        sink.put(str(f["fieldType"]), f.get("fieldValue"))
    for f in data.get("customLeadFormSubmissionFields") or []:
        sink.extra(str(f["questionText"]), f.get("fieldValue"))
    campaign_id, ad_group_id = resource_id(data.get("campaign")), resource_id(data.get("adGroup"))
    sink.set("campaign_id", campaign_id)
    sink.set("campaign_name", names.get("campaign", {}).get(campaign_id or ""))
    sink.set("ad_group_id", ad_group_id)
    sink.set("ad_id", resource_id(data.get("adGroupAd")))
    sink.set("form_id", resource_id(data.get("asset")))
    sink.set("channel", settings.CHANNEL)
    sink.extra("gclid", data.get("gclid"))
    sink.extra("ad_group_name", names.get("ad_group", {}).get(ad_group_id or ""))
    sink.extra("asset", data.get("asset"))
    return lead_row(
        ctx, record_id=record_id, received_at=received, is_test=False, location=location, sink=sink
    )
