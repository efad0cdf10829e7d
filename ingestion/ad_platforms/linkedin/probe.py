"""`leadsync check` for a LinkedIn Lead Gen source: version active, token valid, account reachable."""

from __future__ import annotations

from datetime import UTC, datetime

from leadsync.ingestion.ad_platforms.common import Backoff, PlatformError
from leadsync.ingestion.ad_platforms.lifecycle import VersionRetiredError
from leadsync.ingestion.ad_platforms.linkedin import helpers, linkedin_client, linkedin_version, settings
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.source_types import LinkedInLeadGenSource

_ONE_TRY = Backoff(max_attempts=1)


def probe(config: LeadsyncConfig, source: LinkedInLeadGenSource) -> CheckResult:
    """One leadFormResponses read (count=1) for the first sponsored account, on the sync's version."""
    try:
        version = linkedin_version(source)
    except VersionRetiredError as exc:
        return CheckResult("failed", str(exc))
    account = source.sponsored_account_ids[0]
    now = datetime.now(UTC)
    try:
        client = linkedin_client(config, source, _ONE_TRY)
        client.get(f"{settings.RESPONSES_PATH}?{helpers.responses_query(account, None, now)}&start=0&count=1")
    except (ConfigError, PlatformError) as exc:
        return CheckResult("failed", str(exc), version.label)
    if version.warning:
        return CheckResult("warning", version.warning, version.label)
    return CheckResult("ok", f"token accepted, sponsored account {account} reachable", version.label)
