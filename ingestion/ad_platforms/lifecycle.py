"""Which API version an ad-platform source uses, and whether the platform still serves it.

Each platform folder keeps its published version schedule in ``versions.toml`` (release and sunset
dates, cited there). The default is the newest released version in that table; a config may pin
another (``linkedin_version``, ``api_version``, ``graph_version`` or a ``/vNN.N`` base_url).
Within ``WARN_DAYS`` of its sunset a pinned version is a warning; after it, the source stops with
one plain sentence saying what to change, and the other sources go on.

The tables are data files, not code, so the sandboxes (which import nothing of leadsync) read the
very same schedule and refuse what the platform refuses.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from leadsync.ingestion.config_base import ConfigError

WARN_DAYS = 60  # warn this many days before a configured version's sunset
_HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


class VersionRetiredError(ConfigError):
    """The configured API version is past its sunset: the platform no longer answers it."""


@dataclass(frozen=True)
class ApiVersion:
    name: str
    released: date | None
    sunset: date | None
    tentative: str | None = None  # why a date is only projected (e.g. "sunset projected for May 2027")


@dataclass(frozen=True)
class VersionTable:
    """One platform's published version schedule."""

    platform: str  # "LinkedIn"
    label: str  # how the platform writes a version: "LinkedIn-Version {version}"
    config_key: str  # the config key that pins a version
    schedule_url: str
    versions: tuple[ApiVersion, ...]  # oldest first

    def get(self, name: str) -> ApiVersion | None:
        return next((v for v in self.versions if v.name == name), None)

    def newest(self, today: date) -> ApiVersion:
        """The newest version already released (the default)."""
        released = [v for v in self.versions if v.released is None or v.released <= today]
        return released[-1]

    def named(self, version: str) -> str:
        return self.label.format(version=version)


@cache
def version_table(platform_dir: str) -> VersionTable:
    """The table in ``ad_platforms/<platform_dir>/versions.toml``."""
    data = tomllib.loads((_HERE / platform_dir / "versions.toml").read_text(encoding="utf-8"))
    versions = tuple(
        ApiVersion(v["name"], v.get("released"), v.get("sunset"), v.get("tentative"))
        for v in data["versions"]
    )
    return VersionTable(data["platform"], data["label"], data["config_key"], data["schedule_url"], versions)


def today_utc() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class ResolvedVersion:
    """The version a source will call, and what to tell the user about it (None: nothing)."""

    name: str
    label: str  # "LinkedIn-Version 202607", as `leadsync check` names it
    warning: str | None = None


def resolve_version(
    table: VersionTable,
    pinned: str | None,
    *,
    source_name: str,
    today: date | None = None,
    how_to_unpin: str | None = None,
) -> ResolvedVersion:
    """The version to use: the pinned one when it is still served, else the newest.

    Raises ``VersionRetiredError`` with one plain sentence when the pinned version is past its
    sunset. ``how_to_unpin`` names what to remove from the config (default: the config key).
    """
    today = today or today_utc()
    newest = table.newest(today)
    if pinned is None:
        return ResolvedVersion(newest.name, table.named(newest.name))
    unpin = how_to_unpin or f"`{table.config_key}`"
    known = table.get(pinned)
    if known is None:
        return ResolvedVersion(
            pinned,
            table.named(pinned),
            f"source {source_name!r}: {table.platform} API version {pinned} is not in leadsync's table of "
            f"published versions ({table.schedule_url}), so leadsync cannot tell when it sunsets; "
            f"remove {unpin} to use {newest.name}, or pin a version from the table.",
        )
    if known.sunset is not None and today >= known.sunset:
        raise VersionRetiredError(
            f"{table.platform} retired API version {pinned} on {known.sunset:%B %-d, %Y}; remove {unpin} "
            f"to use {newest.name}, or pin an active one (source {source_name!r}, schedule: "
            f"{table.schedule_url})."
        )
    if known.released is not None and today < known.released:
        return ResolvedVersion(
            pinned,
            table.named(pinned),
            f"source {source_name!r}: {table.platform} API version {pinned} is not released until "
            f"{known.released:%B %-d, %Y}.",
        )
    warning = None
    if known.sunset is not None and (known.sunset - today).days <= WARN_DAYS:
        days = (known.sunset - today).days
        when = f"{known.sunset:%B %-d, %Y}" + (f" ({known.tentative})" if known.tentative else "")
        warning = (
            f"source {source_name!r}: {table.platform} retires API version {pinned} on {when}, in {days} "
            f"day(s); remove {unpin} to use {newest.name}, or pin a newer one."
        )
    return ResolvedVersion(pinned, table.named(pinned), warning)


def source_version(source: Any) -> ResolvedVersion | None:
    """The version an ad-platform source will call (None for any other source).

    Raises ``VersionRetiredError`` past the version's sunset, like the source itself.
    """
    from leadsync.ingestion.source_types import (
        GoogleAdsLeadFormsSource,
        LinkedInLeadGenSource,
        MetaLeadAdsSource,
    )

    if isinstance(source, MetaLeadAdsSource):
        from leadsync.ingestion.ad_platforms.meta.helpers import graph_endpoint

        return graph_endpoint(source)[1]
    if isinstance(source, LinkedInLeadGenSource):
        from leadsync.ingestion.ad_platforms.linkedin import linkedin_version

        return linkedin_version(source)
    if isinstance(source, GoogleAdsLeadFormsSource):
        from leadsync.ingestion.ad_platforms.google_ads import google_ads_version

        return google_ads_version(source)
    return None


def version_warnings(sources: Iterable[Any]) -> list[str]:
    """The version warnings of the given sources, for ``LeadsyncConfig.warnings()`` (which
    `leadsync sync` prints before loading and `leadsync check` shows).

    A retired version is not a warning: that source stops with its own plain sentence when it
    runs (and `leadsync check` fails it), while the others go on.
    """
    out = []
    for source in sources:
        try:
            resolved = source_version(source)
        except ConfigError:  # retired, or base_url and graph_version disagree: the source says so
            continue
        if resolved is not None and resolved.warning:
            out.append(resolved.warning)
    return out


def announce(resolved: ResolvedVersion) -> ResolvedVersion:
    """Log the warning of a resolved version (a sync shows it on stderr) and pass it on."""
    if resolved.warning:
        log.warning(resolved.warning)
    return resolved
