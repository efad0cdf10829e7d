"""`leadsync check` for a Google Ads lead forms source: version active, OAuth and developer token
valid, customer reachable (through its manager when login_customer_id is set)."""

from __future__ import annotations

from leadsync.ingestion.ad_platforms.common import Backoff, PlatformError
from leadsync.ingestion.ad_platforms.google_ads import GoogleAdsClient, google_ads_version, settings
from leadsync.ingestion.ad_platforms.lifecycle import VersionRetiredError
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.source_types import GoogleAdsLeadFormsSource

_ONE_TRY = Backoff(max_attempts=1)


def probe(config: LeadsyncConfig, source: GoogleAdsLeadFormsSource) -> CheckResult:
    """One cheap GAQL query (the customer's time zone) on the version a sync would use."""
    try:
        version = google_ads_version(source)
    except VersionRetiredError as exc:
        return CheckResult("failed", str(exc))
    try:
        GoogleAdsClient(config, source, _ONE_TRY).search_stream(settings.TIME_ZONE_QUERY)
    except (ConfigError, PlatformError) as exc:
        hint = (
            " Set login_customer_id to the manager account's id."
            if "login-customer-id" in str(exc) and not source.login_customer_id
            else ""
        )
        return CheckResult("failed", f"{exc}{hint}", version.label)
    if version.warning:
        return CheckResult("warning", version.warning, version.label)
    return CheckResult("ok", f"credentials accepted, customer {source.customer_id} reachable", version.label)
