"""`leadsync check` for a Meta Lead Ads source: version active, token valid, Page/form reachable."""

from __future__ import annotations

from leadsync.ingestion.ad_platforms.common import Backoff, PlatformError
from leadsync.ingestion.ad_platforms.lifecycle import VersionRetiredError
from leadsync.ingestion.ad_platforms.meta import helpers, meta_client, settings
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.source_types import MetaLeadAdsSource

_ONE_TRY = Backoff(max_attempts=1)  # a doctor reports, it does not wait out rate limits


def probe(config: LeadsyncConfig, source: MetaLeadAdsSource) -> CheckResult:
    """One authenticated read of the Page (or the first form) on the version a sync would use."""
    try:
        _, version = helpers.graph_endpoint(source)
    except VersionRetiredError as exc:
        return CheckResult("failed", str(exc))
    except ConfigError as exc:
        return CheckResult("failed", str(exc))
    target = source.page_id or source.form_ids[0]
    try:
        client = meta_client(config, source, _ONE_TRY)
        client.get(settings.PROBE_PATH.format(object_id=target), params={"fields": "id"})
    except (ConfigError, PlatformError) as exc:
        return CheckResult("failed", str(exc), version.label)
    if version.warning:
        return CheckResult("warning", version.warning, version.label)
    return CheckResult("ok", f"token accepted, {target} reachable", version.label)
