"""HubSpot: reading answers (errors, 429 policies), searching past the 10,000-result cap,
chunked GET property lists, and turning contacts, histories and deals into rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import requests

from leadsync.ingestion.ad_platforms.common import (
    FieldSink,
    PlatformError,
    RecordContext,
    RetryingSession,
    Verdict,
    json_body,
    lead_row,
    quarantine_row,
)
from leadsync.ingestion.crm.common import (
    RECORD_ERRORS,
    ModifiedCursor,
    event_row,
    parse_crm_time,
    to_millis,
)
from leadsync.ingestion.crm.hubspot import settings

log = logging.getLogger(__name__)


def classify(response: requests.Response) -> Verdict:
    """HubSpot's answers. 429 names its window in ``policyName``: SECONDLY / TEN_SECONDLY_ROLLING
    are waited out (Retry-After when sent), DAILY stops the run: retrying would only burn the
    next day's quota."""
    status = response.status_code
    if status < 400 or status == 207:  # 207: a batch read where some ids no longer exist
        return Verdict.ok()
    body = json_body(response)
    message = body.get("message") or f"HTTP {status}"
    if status == 429:
        policy = str(body.get("policyName") or "")
        if policy in settings.STOP_POLICIES:
            return Verdict(
                "fail",
                f"HubSpot's {policy} API limit is reached ({message}); run again tomorrow "
                "or raise the limit. Nothing was loaded; the next sync resumes where the last one ended.",
            )
        retry_after = response.headers.get("Retry-After")
        wait = (
            float(retry_after)
            if retry_after and retry_after.isdigit()
            else settings.WAIT_POLICIES.get(policy)
        )
        return Verdict("retry", f"rate limited ({policy or 'unknown policy'}): {message}", wait)
    if status == 401:
        return Verdict("reauth", f"HTTP 401 {body.get('category') or ''}: {message}".strip())
    if status >= 500:
        return Verdict("retry", f"HubSpot answered HTTP {status}")
    return Verdict("fail", f"HubSpot refused the request (HTTP {status}, {body.get('category')}): {message}")


def property_chunks(properties: list[str], limit: int = settings.MAX_QUERY_CHARS) -> list[list[str]]:
    """Split a property list so each ``properties=a,b,c`` query string stays under ``limit``
    characters (HubSpot answers 414 to long URLs). Every chunk keeps at least one property."""
    out: list[list[str]] = [[]]
    size = 0
    for prop in properties:
        cost = len(prop) + 1
        if out[-1] and size + cost > limit:
            out.append([])
            size = 0
        out[-1].append(prop)
        size += cost
    return [c for c in out if c]


def search_modified(
    session: RetryingSession,
    base_url: str,
    obj: str,
    modified_prop: str,
    properties: list[str],
    cursor: ModifiedCursor,
    page_size: int,
) -> Iterator[list[dict[str, Any]]]:
    """Pages of records modified since the cursor, oldest first, each record at most once.

    A search query pages through at most 10,000 results, so before the cap the filter is
    re-anchored on the last timestamp seen (GTE), and records already returned at that instant
    are dropped by id. When 10,000 records share one timestamp no re-anchoring can move past
    it: that instant is swept by ``hs_object_id`` instead, then the search goes on after it.
    """
    url = base_url.rstrip("/") + settings.SEARCH_PATH.format(object=obj)
    anchor: datetime | None = cursor.last
    op = "GTE"
    while True:
        last_seen: datetime | None = None
        after: str | None = None
        capped = False
        served = 0  # results this query has paged through (``after`` is an opaque cursor)
        while True:
            filters = (
                [{"propertyName": modified_prop, "operator": op, "value": str(to_millis(anchor))}]
                if anchor
                else []
            )
            body: dict[str, Any] = {
                "filterGroups": [{"filters": filters}] if filters else [],
                "sorts": [{"propertyName": modified_prop, "direction": "ASCENDING"}],
                "properties": properties,
                "limit": page_size,
            }
            if after:
                body["after"] = after
            answer = session.post(url, json=body).json()
            page = []
            served += len(answer.get("results") or [])
            for rec in answer.get("results") or []:
                modified = _modified(rec, modified_prop)
                if modified is not None:
                    last_seen = modified
                    if cursor.already_loaded(str(rec.get("id")), modified):
                        continue
                    cursor.advance(str(rec.get("id")), modified)
                page.append(rec)
            if page:
                yield page
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            if served + page_size > settings.SEARCH_CAP:
                capped = True
                break
        if not capped or last_seen is None:
            return
        if anchor is not None and last_seen == anchor:
            yield from _sweep_instant(session, url, modified_prop, properties, cursor, anchor, page_size)
            op = "GT"
        else:
            op = "GTE"
        anchor = last_seen


def _sweep_instant(
    session: RetryingSession,
    url: str,
    modified_prop: str,
    properties: list[str],
    cursor: ModifiedCursor,
    instant: datetime,
    page_size: int,
) -> Iterator[list[dict[str, Any]]]:
    """Every record modified exactly at ``instant``, by ascending id (re-anchored on the id)."""
    last_id = 0
    while True:
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": modified_prop, "operator": "EQ", "value": str(to_millis(instant))},
                        {"propertyName": settings.OBJECT_ID, "operator": "GT", "value": str(last_id)},
                    ]
                }
            ],
            "sorts": [{"propertyName": settings.OBJECT_ID, "direction": "ASCENDING"}],
            "properties": properties,
            "limit": page_size,
        }
        after: str | None = None
        moved = False
        served = 0
        while True:
            if after:
                body["after"] = after
            answer = session.post(url, json=body).json()
            page = []
            served += len(answer.get("results") or [])
            for rec in answer.get("results") or []:
                rid = str(rec.get("id"))
                last_id, moved = max(last_id, int(rid)), True
                if not cursor.already_loaded(rid, instant):
                    cursor.advance(rid, instant)
                    page.append(rec)
            if page:
                yield page
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            if served + page_size > settings.SEARCH_CAP:
                break
        if not moved:
            return


def _modified(rec: dict[str, Any], prop: str) -> datetime | None:
    try:
        return parse_crm_time((rec.get("properties") or {}).get(prop) or rec.get("updatedAt"))
    except ValueError:
        return None


def batch_read(
    session: RetryingSession,
    base_url: str,
    obj: str,
    ids: list[str],
    properties: list[str],
    history: list[str],
) -> dict[str, dict[str, Any]]:
    """Records by id with ``propertiesWithHistory`` (50 per request, HubSpot's limit with history)."""
    url = base_url.rstrip("/") + settings.BATCH_READ_PATH.format(object=obj)
    size = settings.BATCH_WITH_HISTORY if history else settings.BATCH_INPUTS
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), size):
        body = {
            "inputs": [{"id": i} for i in ids[start : start + size]],
            "properties": properties,
            "propertiesWithHistory": history,
        }
        for rec in session.post(url, json=body).json().get("results") or []:
            out[str(rec.get("id"))] = rec
    return out


def list_archived(
    session: RetryingSession, base_url: str, obj: str, properties: list[str]
) -> Iterator[dict[str, Any]]:
    """Every archived record with ``properties``: one request per property chunk and page (so
    no URL grows past HubSpot's limit), merged by id."""
    url = base_url.rstrip("/") + settings.LIST_PATH.format(object=obj)
    merged: dict[str, dict[str, Any]] = {}
    for chunk in property_chunks(properties):
        after: str | None = None
        while True:
            params: dict[str, Any] = {
                "archived": "true",
                "limit": settings.LIST_PAGE,
                "properties": ",".join(chunk),
            }
            if after:
                params["after"] = after
            answer = session.get(url, params=params).json()
            for rec in answer.get("results") or []:
                have = merged.setdefault(str(rec.get("id")), {**rec, "properties": {}})
                have["properties"].update(rec.get("properties") or {})
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
    yield from merged.values()


# ---------------------------------------------------------------------------------------------
# Answers -> rows
# ---------------------------------------------------------------------------------------------
def parse_contact(
    ctx: RecordContext, rec: dict[str, Any], now: datetime, custom_properties: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One search result -> a canonical lead row (ValueError when it cannot be one)."""
    if not isinstance(rec, dict) or not rec.get("id"):
        raise ValueError("the contact has no id")
    props = rec.get("properties")
    if not isinstance(props, dict):
        raise ValueError("the contact has no properties object")
    created = parse_crm_time(props.get("createdate") or rec.get("createdAt"))
    if created is None:
        raise ValueError(f"createdate {props.get('createdate')!r} is missing")
    sink = FieldSink(settings.FIELD_MAP)
    for key, value in props.items():
        if key in settings.CUSTOM_ONLY or key in custom_properties:
            sink.extra(key, value)
        else:
            sink.put(key, value)
    sink.set("channel", props.get("hs_analytics_source"))
    sink.set("campaign_name", props.get("hs_analytics_source_data_1"))
    return lead_row(
        ctx,
        record_id=str(rec["id"]),
        received_at=created,
        is_test=False,
        location="hubspot contacts",
        sink=sink,
    )


def read_contact_page(
    ctx: RecordContext, page: list[Any], now: datetime, custom_properties: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """One search page -> (lead rows, merge evidence, quarantine rows): an unreadable contact is
    quarantined with its reason and never takes the page's other contacts down."""
    rows, events, bad = [], [], []
    for rec in page:
        try:
            row = parse_contact(ctx, rec, now, custom_properties)
            merged = merge_events(ctx, rec, now)
        except RECORD_ERRORS as exc:
            bad.append(quarantined(ctx, rec, exc, "contact"))
            continue
        rows.append(row)
        events.extend(merged)
    return rows, events, bad


def history_events(
    ctx: RecordContext,
    rec: dict[str, Any],
    now: datetime,
    obj: str = "contact",
    persons: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each value a history property took, with HubSpot's own timestamp, as status evidence."""
    rows = []
    rid = str(rec["id"])
    for prop, entries in (rec.get("propertiesWithHistory") or {}).items():
        for entry in entries or []:
            at = parse_crm_time(entry.get("timestamp"))
            if at is None or not entry.get("value"):
                continue
            for person in persons if persons is not None else [rid]:
                rows.append(
                    event_row(
                        ctx.source_name,
                        object_type=obj,
                        object_id=rid,
                        kind="status",
                        occurred_at=at,
                        person=person,
                        field_name=prop,
                        value=entry["value"],
                        custom={
                            "sourceType": entry.get("sourceType"),
                            **(extra or {}).get(entry["value"], {}),
                        },
                        location=f"hubspot {obj} history",
                        received_at=now,
                    )
                )
    return rows


def merge_events(ctx: RecordContext, rec: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """``hs_merged_object_ids`` on a survivor: each listed contact merged into it."""
    props = rec.get("properties") or {}
    at = parse_crm_time(props.get("lastmodifieddate"))
    rows = []
    for loser in str(props.get("hs_merged_object_ids") or "").split(";"):
        loser = loser.strip()
        if loser and loser != str(rec["id"]):
            rows.append(
                event_row(
                    ctx.source_name,
                    object_type="contact",
                    object_id=loser,
                    kind="merged",
                    occurred_at=at,
                    person=loser,
                    related=str(rec["id"]),
                    location="hubspot contacts",
                    received_at=now,
                    event_id=f"contact|{loser}|merged",
                )
            )
    return rows


def archived_event(ctx: RecordContext, obj: str, rec: dict[str, Any], now: datetime) -> dict[str, Any]:
    at = parse_crm_time(rec.get("archivedAt") or rec.get("updatedAt"))
    rid = str(rec["id"])
    return event_row(
        ctx.source_name,
        object_type=obj,
        object_id=rid,
        kind="deleted",
        occurred_at=at,
        person=rid if obj == "contact" else None,
        custom={"email": (rec.get("properties") or {}).get("email")},
        location=f"hubspot archived {obj}s",
        received_at=now,
        event_id=f"{obj}|{rid}|deleted|{at}",
    )


def pipeline_stages(session: RetryingSession, base_url: str) -> dict[str, dict[str, Any]]:
    """Deal stage id -> label, pipeline and whether it is closed / won (from probability)."""
    answer = session.get(base_url.rstrip("/") + settings.PIPELINES_PATH).json()
    stages = {}
    for pipeline in answer.get("results") or []:
        for stage in pipeline.get("stages") or []:
            meta = stage.get("metadata") or {}
            stages[str(stage.get("id"))] = {
                "pipeline": pipeline.get("id"),
                "stage_label": stage.get("label"),
                "is_closed": str(meta.get("isClosed")).lower() == "true",
                "probability": meta.get("probability"),
            }
    return stages


def associated_contacts(
    session: RetryingSession, base_url: str, ids: list[str], obj: str = "deals"
) -> dict[str, list[str]]:
    """Deal or engagement id -> the contacts it is associated with (v4 batch read)."""
    url = base_url.rstrip("/") + settings.ASSOCIATIONS_PATH.format(object=obj)
    out: dict[str, list[str]] = {}
    for start in range(0, len(ids), settings.BATCH_INPUTS):
        body = {"inputs": [{"id": i} for i in ids[start : start + settings.BATCH_INPUTS]]}
        out.update(association_targets(session.post(url, json=body).json()))
    return out


def association_targets(answer: dict[str, Any]) -> dict[str, list[str]]:
    """A v4 associations batch-read answer -> from id -> the ids it is associated with."""
    return {
        str(result["from"]["id"]): [str(t["toObjectId"]) for t in result.get("to") or []]
        for result in answer.get("results") or []
    }


def engagement_events(
    ctx: RecordContext, obj: str, rec: dict[str, Any], persons: list[str], now: datetime
) -> list[dict[str, Any]]:
    """A call, email or meeting -> one contact-attempt row per associated contact, at its
    hs_timestamp (ValueError when unreadable: the engagement is quarantined)."""
    if not isinstance(rec, dict) or not rec.get("id"):
        raise ValueError("the engagement has no id")
    props = rec.get("properties")
    if not isinstance(props, dict):
        raise ValueError("the engagement has no properties object")
    singular, value_prop, extra = settings.ENGAGEMENTS[obj]
    at = parse_crm_time(props.get(settings.ENGAGEMENT_TIME))
    if at is None:
        raise ValueError(f"{settings.ENGAGEMENT_TIME} is missing")
    rid = str(rec["id"])
    return [
        event_row(
            ctx.source_name,
            object_type=singular,
            object_id=rid,
            kind="activity",
            occurred_at=at,
            person=person,
            field_name=singular,
            value=props.get(value_prop),
            custom={p: props.get(p) for p in extra},
            location=f"hubspot {obj}",
            received_at=now,
            event_id=f"{singular}|{rid}|{person}",
        )
        for person in persons
    ]


def quarantined(ctx: RecordContext, rec: Any, exc: Exception, what: str) -> dict[str, Any]:
    rid = rec.get("id") if isinstance(rec, dict) else None
    return quarantine_row(
        ctx,
        location=f"hubspot {what}",
        reason=f"unreadable HubSpot {what}: {exc}",
        raw=rec,
        record_id=str(rid) if rid else None,
    )


__all__ = ["classify", "property_chunks", "search_modified", "PlatformError"]
