"""HubSpot CRM (``type: hubspot``) through the CRM v3 APIs with a private-app token.

Endpoints (see settings.py for the documentation pages):
  POST /crm/v3/objects/contacts/search      contacts modified since the last run (lastmodifieddate
                                            GTE, ascending, ``after`` paging; re-anchored before the
                                            10,000-result cap, ties dropped by id)
  POST /crm/v3/objects/contacts/batch/read  propertiesWithHistory: lifecyclestage, hs_lead_status
  GET  /crm/v3/objects/contacts?archived=true  deleted contacts (property lists chunked: 414)
  POST /crm/v3/objects/deals/search + batch/read  deals and their dealstage history
  POST /crm/v4/associations/deals/contacts/batch/read  which contacts a deal belongs to
  GET  /crm/v3/pipelines/deals              stage labels; isClosed + probability say won / lost
  POST /crm/v3/objects/{calls|emails|meetings}/search + v4 associations to contacts
                                            contact attempts and responses at hs_timestamp

Writes ``hubspot_contacts`` (canonical raw leads: one row per contact version) and
``hubspot_events`` (status history, deal stages, deletions, merges) in one resource, so both
tables and the cursors commit together. 429 SECONDLY waits; DAILY stops the run and loads
nothing (the next run resumes from the last committed position); 401 names the token env var.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import requests

from leadsync.ingestion.ad_platforms.common import (
    AuthExpiredError,
    Backoff,
    BearerAuth,
    PlatformError,
    RecordContext,
    RetryingSession,
    current_backoff,
    leads_table,
    quarantine_batch,
)
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.crm.common import RECORD_ERRORS, ModifiedCursor, events_table
from leadsync.ingestion.crm.hubspot import helpers, settings
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.raw_tables import HUBSPOT_CONTACTS, HUBSPOT_EVENTS, QUARANTINE
from leadsync.ingestion.source_types import HubSpotSource


def hubspot_session(
    config: LeadsyncConfig, source: HubSpotSource, backoff: Backoff | None = None
) -> RetryingSession:
    token = config.secret(source, "access_token_env")

    def refused(reason: str) -> Exception:
        return AuthExpiredError(
            f"Source {source.name!r}: HubSpot refused the private-app token in {source.access_token_env} "
            f"({reason}). Copy the token from Settings > Integrations > Private apps, export it as "
            f"{source.access_token_env} and run again. Nothing was loaded."
        )

    session = RetryingSession(
        helpers.classify, current_backoff(backoff), f"source {source.name!r} (hubspot)", fail_auth=refused
    )
    session.auth = BearerAuth(token)
    return session


def hubspot_source(config: LeadsyncConfig, source: HubSpotSource, *, backoff: Backoff | None = None) -> Any:
    """The dlt source for one configured HubSpot account."""
    ctx = RecordContext(source.name, source.type, source.origin)
    contact_props = list(dict.fromkeys([*settings.CONTACT_PROPERTIES, *source.custom_properties]))

    @dlt.resource(name=HUBSPOT_CONTACTS, write_disposition="append")
    def contacts() -> Iterator[Any]:
        session = hubspot_session(config, source, backoff)
        state = dlt.current.resource_state()
        now = datetime.now(UTC)
        yield from _contacts(session, state, ctx, contact_props, now)
        yield from _archived(session, state, ctx, now)
        yield from _deals(session, state, ctx, now)
        for obj in settings.ENGAGEMENTS:
            yield from _engagements(session, state, ctx, now, obj)

    def _contacts(session, state, ctx, props, now) -> Iterator[Any]:
        cursor = ModifiedCursor.open(state, "contacts", source.start_date)
        for page in helpers.search_modified(
            session, source.base_url, "contacts", settings.CONTACT_MODIFIED, props, cursor, source.page_size
        ):
            rows, events, bad = helpers.read_contact_page(ctx, page, now, source.custom_properties)
            good_ids = [r["source_record_id"] for r in rows]
            histories = helpers.batch_read(
                session, source.base_url, "contacts", good_ids, [], list(settings.HISTORY_PROPERTIES)
            )
            for rid in good_ids:
                if rid in histories:
                    events.extend(helpers.history_events(ctx, histories[rid], now))
            yield from _batches(rows, events, bad)

    def _archived(session, state, ctx, now) -> Iterator[Any]:
        seen = set(state.get("archived_seen", []))
        for obj, kind in (("contact", "contacts"), ("deal", "deals")):
            props = ["email"] if obj == "contact" else ["dealname"]
            events = []
            for rec in helpers.list_archived(
                session,
                source.base_url,
                kind,
                [*props, *(source.custom_properties if obj == "contact" else ())],
            ):
                row = helpers.archived_event(ctx, obj, rec, now)
                if row["source_record_id"] not in seen:
                    seen.add(row["source_record_id"])
                    events.append(row)
            yield from _batches([], events, [])
        state["archived_seen"] = sorted(seen)

    def _deals(session, state, ctx, now) -> Iterator[Any]:
        cursor = ModifiedCursor.open(state, "deals", source.start_date)
        stages: dict[str, dict[str, Any]] | None = None
        for page in helpers.search_modified(
            session,
            source.base_url,
            "deals",
            settings.DEAL_MODIFIED,
            list(settings.DEAL_PROPERTIES),
            cursor,
            source.page_size,
        ):
            stages = stages if stages is not None else helpers.pipeline_stages(session, source.base_url)
            ids = [str(d["id"]) for d in page if d.get("id")]
            histories = helpers.batch_read(
                session, source.base_url, "deals", ids, [], list(settings.DEAL_HISTORY)
            )
            people = helpers.associated_contacts(session, source.base_url, ids)
            events = []
            for rid in ids:
                if rid in histories:
                    events.extend(
                        helpers.history_events(
                            ctx, histories[rid], now, obj="deal", persons=people.get(rid, []), extra=stages
                        )
                    )
            yield from _batches([], events, [])

    def _engagements(session, state, ctx, now, obj) -> Iterator[Any]:
        singular, value_prop, extra = settings.ENGAGEMENTS[obj]
        cursor = ModifiedCursor.open(state, obj, source.start_date)
        props = [settings.ENGAGEMENT_TIME, settings.ENGAGEMENT_MODIFIED, value_prop, *extra]
        for page in helpers.search_modified(
            session, source.base_url, obj, settings.ENGAGEMENT_MODIFIED, props, cursor, source.page_size
        ):
            ids = [str(e["id"]) for e in page if isinstance(e, dict) and e.get("id")]
            people = helpers.associated_contacts(session, source.base_url, ids, obj)
            events, bad = [], []
            for rec in page:
                try:
                    events.extend(
                        helpers.engagement_events(ctx, obj, rec, people.get(str(rec["id"]), []), now)
                    )
                except RECORD_ERRORS as exc:
                    bad.append(helpers.quarantined(ctx, rec, exc, singular))
            yield from _batches([], events, bad)

    @dlt.source(name=source.name, section="hubspot", max_table_nesting=0)
    def one_resource() -> Any:
        return contacts

    return one_resource()


def _batches(
    rows: list[dict[str, Any]], events: list[dict[str, Any]], bad: list[dict[str, Any]]
) -> Iterator[Any]:
    if rows:
        yield leads_table(rows)
    if events:
        yield dlt.mark.with_table_name(events_table(events), HUBSPOT_EVENTS)
    if bad:
        yield dlt.mark.with_table_name(quarantine_batch(bad), QUARANTINE)


def probe(config: LeadsyncConfig, source: HubSpotSource) -> CheckResult:
    """One authenticated read: the first contact (`leadsync check`)."""
    try:
        session = hubspot_session(config, source, Backoff(max_attempts=2, base_seconds=0.5, max_seconds=2))
        session.get(
            source.base_url.rstrip("/") + settings.LIST_PATH.format(object="contacts"), params={"limit": 1}
        ).raise_for_status()
    except ConfigError as exc:
        return CheckResult("failed", str(exc), settings.API_VERSION)
    except (PlatformError, requests.RequestException) as exc:
        return CheckResult("failed", f"HubSpot did not answer as expected: {exc}", settings.API_VERSION)
    return CheckResult("ok", "the private-app token reads contacts", settings.API_VERSION)


__all__ = ["hubspot_source", "hubspot_session", "probe"]
