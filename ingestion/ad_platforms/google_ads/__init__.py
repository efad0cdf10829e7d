"""Google Ads lead form submissions through the Google Ads API (REST).

Endpoints:
  POST {token_url}                                                   OAuth 2.0 refresh-token grant
  POST {base_url}/{api_version}/customers/{customer_id}/googleAds:searchStream   GAQL queries:
      ``customer.time_zone`` (submission times are account-local wall time),
      ``lead_form_submission_data`` bounded by ``submission_date_time`` (incremental),
      ``campaign`` names for the campaigns seen.

Headers: ``Authorization: Bearer``, ``developer-token`` and ``login-customer-id`` (manager access).
``RESOURCE_EXHAUSTED`` waits for the ``retryDelay`` Google sends; 5xx/UNAVAILABLE retried; a refused
access token is refreshed once, a refused refresh token stops the run naming the env var.
The API carries no test flag for lead form submissions (Google marks test leads only in its
webhook), so ``is_test`` is false here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.sources.helpers.rest_client import RESTClient

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.ad_platforms.common import (
    Backoff,
    LeadCursor,
    RecordContext,
    RefreshTokenAuth,
    RetryingSession,
    current_backoff,
    lead_source,
    page_batches,
    source_label,
)
from leadsync.ingestion.ad_platforms.google_ads import helpers, settings
from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.raw_tables import GOOGLE_ADS_LEADS
from leadsync.ingestion.source_types import GoogleAdsLeadFormsSource


def google_ads_version(source: GoogleAdsLeadFormsSource) -> lifecycle.ResolvedVersion:
    """The API version to call (raises VersionRetiredError past its sunset)."""
    return lifecycle.resolve_version(
        lifecycle.version_table(settings.VERSIONS_DIR), source.api_version, source_name=source.name
    )


class GoogleAdsClient:
    """searchStream over dlt's RESTClient, with OAuth refresh and Google's retry rules."""

    def __init__(
        self, config: LeadsyncConfig, source: GoogleAdsLeadFormsSource, backoff: Backoff | None = None
    ) -> None:
        self.source = source
        auth = RefreshTokenAuth(
            source.token_url,
            config.secret(source, "client_id_env"),
            config.secret(source, "client_secret_env"),
            config.secret(source, "refresh_token_env"),
            source.name,
            source.refresh_token_env,
        )
        session = RetryingSession(
            helpers.classify, current_backoff(backoff), source_label(config, source), on_reauth=auth.refresh
        )
        headers = {"developer-token": config.secret(source, "developer_token_env")}
        if source.login_customer_id:
            headers["login-customer-id"] = source.login_customer_id
        self.rest = RESTClient(base_url=source.base_url, headers=headers, auth=auth, session=session)
        self.version = google_ads_version(source)
        self.path = settings.SEARCH_STREAM_PATH.format(
            version=self.version.name, customer_id=source.customer_id
        )

    def search_stream(self, query: str) -> list[dict[str, Any]]:
        """All result rows of one GAQL query (the stream is a JSON array of batches)."""
        batches = self.rest.post(self.path, json={"query": query}).json()
        return [r for batch in batches for r in batch.get("results") or []]

    def time_zone(self) -> ZoneInfo:
        rows = self.search_stream(settings.TIME_ZONE_QUERY)
        return ZoneInfo(rows[0]["customer"]["timeZone"]) if rows else ZoneInfo("UTC")

    def names(self, resource: str, key: str, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        query = settings.NAMES_QUERY.format(resource=resource, ids=", ".join(sorted(ids)))
        return {str(r[key]["id"]): r[key].get("name") for r in self.search_stream(query)}


def google_ads_lead_forms_source(
    config: LeadsyncConfig,
    source: GoogleAdsLeadFormsSource,
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    backoff: Backoff | None = None,
    batch_rows: int = 1000,
) -> Any:
    """The dlt source for one configured Google Ads lead forms source.

    Args:
        start, end: load exactly submissions in [start, end) without touching the incremental
            state (Dagster's date partitions); omit both for the normal incremental run.
        backoff: retry timing (default ``common.DEFAULT_BACKOFF``).
        batch_rows: rows per Arrow batch yielded.
    """
    ctx = RecordContext.of(source)

    @dlt.resource(name=GOOGLE_ADS_LEADS, write_disposition="append")
    def leads() -> Iterator[pa.Table]:
        lifecycle.announce(google_ads_version(source))
        client = GoogleAdsClient(config, source, backoff)
        cursor = LeadCursor.open(source, start, end)
        tz = client.time_zone()
        results = client.search_stream(
            settings.LEADS_QUERY.format(where=helpers.where_clause(tz, cursor.start, cursor.end))
        )
        data = [r.get("leadFormSubmissionData") or {} for r in results if isinstance(r, dict)]
        names = {
            "campaign": client.names(
                "campaign", "campaign", {i for d in data if (i := helpers.resource_id(d.get("campaign")))}
            ),
            "ad_group": client.names(
                "ad_group", "adGroup", {i for d in data if (i := helpers.resource_id(d.get("adGroup")))}
            ),
        }
        for offset in range(0, len(results), batch_rows):
            rows, bad = helpers.parse_results(
                ctx, source.customer_id, results[offset : offset + batch_rows], tz, names
            )
            yield from page_batches(cursor, rows, bad)
        cursor.commit()

    return lead_source(source, leads)


__all__ = ["google_ads_lead_forms_source", "GoogleAdsClient", "google_ads_version"]
