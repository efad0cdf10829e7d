"""LinkedIn Lead Gen Forms through the Lead Sync API (Rest.li 2.0, versioned ``/rest`` endpoints).

Endpoints:
  POST {token_url}                                 OAuth 2.0 refresh-token grant
  GET  {base_url}/rest/leadFormResponses?q=owner   per sponsored account, ``leadType=(leadType:SPONSORED)``,
                                                   ``submittedAtTimeRange=(start:<ms>,end:<ms>)``, ``start``/``count`` paging
  GET  {base_url}/rest/leadForms/{id}              form definitions: answers arrive keyed by ``questionId``

Every request carries ``LinkedIn-Version`` and ``X-Restli-Protocol-Version: 2.0.0``. Incremental by
``submittedAt``; a 429 (a daily quota, reset at midnight UTC, no ``Retry-After``) stops the source
with its position kept; a refused access token is refreshed once through the
refresh-token grant (when configured), otherwise the run stops naming the env var.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.ad_platforms.common import (
    Backoff,
    BearerAuth,
    LeadCursor,
    RecordContext,
    RefreshTokenAuth,
    RetryingSession,
    current_backoff,
    expired_token_error,
    lead_source,
    page_batches,
    source_label,
)
from leadsync.ingestion.ad_platforms.linkedin import helpers, settings
from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.raw_tables import LINKEDIN_LEADS
from leadsync.ingestion.source_types import LinkedInLeadGenSource


def linkedin_auth(config: LeadsyncConfig, source: LinkedInLeadGenSource) -> BearerAuth:
    """Refresh-token auth when the three OAuth env vars are configured, else the fixed token."""
    if source.client_id_env and source.client_secret_env and source.refresh_token_env:
        return RefreshTokenAuth(
            source.token_url,
            config.secret(source, "client_id_env"),
            config.secret(source, "client_secret_env"),
            config.secret(source, "refresh_token_env"),
            source.name,
            source.refresh_token_env,
            token=config.secret(source, "access_token_env") if source.access_token_env else None,
        )
    return BearerAuth(config.secret(source, "access_token_env"))


def linkedin_version(source: LinkedInLeadGenSource) -> lifecycle.ResolvedVersion:
    """The LinkedIn-Version to send (raises VersionRetiredError past its sunset)."""
    return lifecycle.resolve_version(
        lifecycle.version_table(settings.VERSIONS_DIR), source.linkedin_version, source_name=source.name
    )


def linkedin_client(
    config: LeadsyncConfig, source: LinkedInLeadGenSource, backoff: Backoff | None = None
) -> RESTClient:
    auth = linkedin_auth(config, source)
    session = RetryingSession(
        helpers.classify,
        current_backoff(backoff),
        source_label(config, source),
        on_reauth=auth.refresh if isinstance(auth, RefreshTokenAuth) else None,
        fail_auth=lambda reason: expired_token_error(source, source.access_token_env or "", reason),
    )
    headers = {
        "LinkedIn-Version": linkedin_version(source).name,
        "X-Restli-Protocol-Version": settings.RESTLI_PROTOCOL_VERSION,
    }
    return RESTClient(base_url=source.base_url, headers=headers, auth=auth, session=session)


def linkedin_lead_gen_source(
    config: LeadsyncConfig,
    source: LinkedInLeadGenSource,
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    backoff: Backoff | None = None,
) -> Any:
    """The dlt source for one configured LinkedIn Lead Gen source.

    Args:
        start, end: load exactly submissions in [start, end) without touching the incremental
            state (Dagster's date partitions); omit both for the normal incremental run.
        backoff: retry timing (default ``common.DEFAULT_BACKOFF``).
    """
    ctx = RecordContext.of(source)

    @dlt.resource(name=LINKEDIN_LEADS, write_disposition="append")
    def leads() -> Iterator[pa.Table]:
        lifecycle.announce(linkedin_version(source))
        client = linkedin_client(config, source, backoff)
        cursor = LeadCursor.open(source, start, end)
        until = cursor.end or datetime.now(UTC) + timedelta(minutes=1)
        catalog = helpers.FormCatalog(
            lambda form_id: client.get(settings.FORM_PATH.format(form_id=form_id)).json()
        )
        for account_id in source.sponsored_account_ids:
            path = f"{settings.RESPONSES_PATH}?{helpers.responses_query(account_id, cursor.start, until)}"
            paginator = OffsetPaginator(
                limit=source.page_size, offset_param="start", limit_param="count", total_path="paging.total"
            )
            for page in client.paginate(path, paginator=paginator, data_selector="elements"):
                rows, bad = helpers.parse_responses(ctx, account_id, list(page), catalog)
                yield from page_batches(cursor, rows, bad)
        cursor.commit()

    return lead_source(source, leads)


__all__ = ["linkedin_lead_gen_source", "linkedin_client", "linkedin_auth", "linkedin_version"]
