"""Meta Lead Ads (Facebook / Instagram lead forms) through the Graph API.

Endpoints:
  GET {base_url}/{page_id}/leadgen_forms   the page's forms, when ``form_ids`` is not configured
  GET {base_url}/{form_id}/leads           ``fields``, ``limit``, ``after`` (cursor paging) and
                                           ``filtering`` on ``time_created`` (incremental)
  GET {base_url}/{form_id}/test_leads      which of them are test leads

``base_url`` is the Graph root plus the version: the newest in ``versions.toml`` unless
``graph_version`` (or a ``/vNN.N`` suffix) pins one; a pinned version past its sunset stops the
source with one sentence saying what to change.

Every run asks each form only for leads created since the last loaded one (or since
``start_date``; or within an explicit ``start``/``end`` range for partitioned backfills).
Rate limits (HTTP 400 with codes 4/17/32/613/80000-80014) wait for
``estimated_time_to_regain_access`` and re-send the same page; code 190 stops the run naming
the access-token env var.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources.helpers.rest_client import RESTClient

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.ad_platforms.common import (
    Backoff,
    BearerAuth,
    LeadCursor,
    RecordContext,
    RetryingSession,
    current_backoff,
    expired_token_error,
    lead_source,
    page_batches,
    source_label,
)
from leadsync.ingestion.ad_platforms.meta import helpers, settings
from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.raw_tables import META_LEADS
from leadsync.ingestion.source_types import MetaLeadAdsSource


def meta_client(
    config: LeadsyncConfig, source: MetaLeadAdsSource, backoff: Backoff | None = None
) -> RESTClient:
    """A Graph API client on the resolved Graph version: bearer token from ``access_token_env``,
    Meta's retry rules, pauses when the usage headers near the limit."""
    base_url, _ = helpers.graph_endpoint(source)
    token = config.secret(source, "access_token_env")
    session = RetryingSession(
        helpers.classify,
        current_backoff(backoff),
        source_label(config, source),
        fail_auth=lambda reason: expired_token_error(source, source.access_token_env, reason),
        pace=helpers.pace,
    )
    return RESTClient(base_url=base_url, auth=BearerAuth(token), session=session)


def test_lead_ids(client: RESTClient, form_id: str) -> frozenset[str]:
    """The ids the form's documented ``test_leads`` edge lists."""
    ids: set[str] = set()
    for page in client.paginate(
        settings.TEST_LEADS_PATH.format(form_id=form_id),
        params={"fields": "id", "limit": 100},
        paginator=helpers.MetaCursorPaginator(),
        data_selector="data",
    ):
        ids.update(str(lead["id"]) for lead in page if isinstance(lead, dict) and lead.get("id"))
    return frozenset(ids)


def list_form_ids(client: RESTClient, source: MetaLeadAdsSource) -> list[str]:
    if source.form_ids:
        return list(source.form_ids)
    forms = []
    for page in client.paginate(
        settings.FORMS_PATH.format(page_id=source.page_id),
        params={"fields": "id,name,status", "limit": 100},
        paginator=helpers.MetaCursorPaginator(),
        data_selector="data",
    ):
        forms.extend(str(f["id"]) for f in page)
    return forms


def meta_lead_ads_source(
    config: LeadsyncConfig,
    source: MetaLeadAdsSource,
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    backoff: Backoff | None = None,
) -> Any:
    """The dlt source for one configured Meta Lead Ads source.

    Args:
        start, end: load exactly leads created in [start, end) without touching the incremental
            state (Dagster's date partitions); omit both for the normal incremental run.
        backoff: retry timing (default ``common.DEFAULT_BACKOFF``).
    """
    ctx = RecordContext.of(source)

    @dlt.resource(name=META_LEADS, write_disposition="append")
    def leads() -> Iterator[pa.Table]:
        lifecycle.announce(helpers.graph_endpoint(source)[1])
        client = meta_client(config, source, backoff)
        cursor = LeadCursor.open(source, start, end)
        params: dict[str, Any] = {"fields": ",".join(settings.LEAD_FIELDS), "limit": source.page_size}
        flt = helpers.time_filter(cursor.start, cursor.end)
        if flt:
            params["filtering"] = flt
        for form_id in list_form_ids(client, source):
            tests = test_lead_ids(client, form_id)
            for page in client.paginate(
                settings.LEADS_PATH.format(form_id=form_id),
                params=dict(params),
                paginator=helpers.MetaCursorPaginator(),
                data_selector="data",
            ):
                rows, bad = helpers.parse_leads(ctx, form_id, list(page), tests)
                yield from page_batches(cursor, rows, bad)
        cursor.commit()

    return lead_source(source, leads)


__all__ = ["meta_lead_ads_source", "meta_client", "list_form_ids", "test_lead_ids"]
