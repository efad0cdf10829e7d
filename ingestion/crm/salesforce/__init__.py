"""Salesforce (``type: salesforce``) through REST ``queryAll`` and Bulk API 2.0.

Endpoints (see settings.py for the documentation pages):
  POST {login_url}/services/oauth2/token              refresh-token or JWT bearer grant -> instance_url
  GET  {instance}/services/data/vNN.N/queryAll?q=      SOQL, ``nextRecordsUrl`` paging: Lead, LeadHistory
                                                      (Field = 'Status'), Contact, Opportunity,
                                                      OpportunityContactRole, Task, Event
  POST {instance}/services/data/vNN.N/jobs/query       Bulk API 2.0 for a first load above bulk_threshold

Each object is incremental on ``SystemModstamp >=`` (LeadHistory: CreatedDate) ordered by time then
Id; the ids already loaded at the boundary are dropped. Writes ``salesforce_people`` (Leads and
Contacts in the canonical raw lead schema) and ``salesforce_events`` (status history, conversions,
opportunity stages, contact roles, tasks and events, deletions and merges). ``Sforce-Limit-Info`` is
logged; REQUEST_LIMIT_EXCEEDED stops the run with nothing loaded and every cursor where it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import requests

from leadsync.ingestion.ad_platforms.common import (
    Backoff,
    PlatformError,
    RecordContext,
    RetryingSession,
    current_backoff,
    leads_table,
    quarantine_batch,
)
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.crm.common import ModifiedCursor, events_table
from leadsync.ingestion.crm.salesforce import helpers, settings
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.raw_tables import QUARANTINE, SALESFORCE_EVENTS, SALESFORCE_PEOPLE
from leadsync.ingestion.source_types import SalesforceSource


def salesforce_session(
    config: LeadsyncConfig, source: SalesforceSource, backoff: Backoff | None = None
) -> tuple[RetryingSession, str]:
    """An authenticated session and the versioned data URL of the org."""
    label = f"Source {source.name!r}"
    client_id = config.secret(source, "client_id_env")
    if source.auth == "jwt_bearer":
        key = config.secret(source, "private_key_env")
        grant = helpers.SalesforceAuth.jwt_grant(source.login_url, client_id, source.username or "", key)
        hint = (
            f"Check that {source.username} is pre-authorised for the connected app and that "
            f"{source.private_key_env} holds the key of its certificate."
        )
    else:
        grant = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": config.secret(source, "client_secret_env"),
            "refresh_token": config.secret(source, "refresh_token_env"),
        }
        hint = (
            f"Re-authorise the connected app, export the new refresh token as {source.refresh_token_env} "
            "and run again."
        )
    auth = helpers.SalesforceAuth(source.login_url, grant, label, hint)

    def refused(reason: str) -> Exception:
        return helpers.AuthExpiredError(
            f"{label}: Salesforce refused the session ({reason}). {hint} Nothing was loaded."
        )

    session = RetryingSession(
        helpers.classify,
        current_backoff(backoff),
        f"source {source.name!r} (salesforce)",
        on_reauth=auth.refresh,
        fail_auth=refused,
    )
    session.auth = auth
    auth.refresh()
    instance = (source.base_url or auth.instance_url).rstrip("/")
    return session, instance + settings.DATA_PATH.format(version=source.api_version)


def salesforce_source(
    config: LeadsyncConfig, source: SalesforceSource, *, backoff: Backoff | None = None
) -> Any:
    """The dlt source for one configured Salesforce org."""
    ctx = RecordContext(source.name, source.type, source.origin)

    @dlt.resource(name=SALESFORCE_PEOPLE, write_disposition="append")
    def people() -> Iterator[Any]:
        retired = helpers.version_status(source.api_version)
        if retired and retired[0] == "retired":
            raise ConfigError(f"Source {source.name!r}: {retired[1]}.")
        session, data_url = salesforce_session(config, source, backoff)
        state = dlt.current.resource_state()
        now = datetime.now(UTC)
        sleep = current_backoff(backoff).sleep
        for obj, fields, modified in settings.OBJECTS:
            cursor = ModifiedCursor.open(state, obj, source.start_date)
            for page in helpers.load_object(
                session, data_url, obj, fields, modified, cursor, source.bulk_threshold, sleep
            ):
                rows, events, bad = helpers.read_page(ctx, obj, page, now)
                if rows:
                    yield leads_table(rows)
                if events:
                    yield dlt.mark.with_table_name(events_table(events), SALESFORCE_EVENTS)
                if bad:
                    yield dlt.mark.with_table_name(quarantine_batch(bad), QUARANTINE)

    @dlt.source(name=source.name, section="salesforce", max_table_nesting=0)
    def one_resource() -> Any:
        return people

    return one_resource()


def probe(config: LeadsyncConfig, source: SalesforceSource) -> CheckResult:
    """Log in and read one Lead id (`leadsync check`); warns about a version near retirement."""
    version = f"Salesforce API v{source.api_version}"
    status = helpers.version_status(source.api_version)
    if status and status[0] == "retired":
        return CheckResult("failed", status[1], version)
    try:
        session, data_url = salesforce_session(
            config, source, Backoff(max_attempts=2, base_seconds=0.5, max_seconds=2)
        )
        session.get(data_url + "/query", params={"q": "SELECT Id FROM Lead LIMIT 1"}).raise_for_status()
    except ConfigError as exc:
        return CheckResult("failed", str(exc), version)
    except (PlatformError, requests.RequestException) as exc:
        return CheckResult("failed", f"Salesforce did not answer as expected: {exc}", version)
    if status:
        return CheckResult("warning", status[1], version)
    return CheckResult("ok", "logged in and read Leads", version)


__all__ = ["salesforce_source", "salesforce_session", "probe"]
