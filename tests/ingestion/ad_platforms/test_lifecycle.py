"""The version tables and the rule that reads them: newest by default, warn within 60 days, stop after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.sandboxes.base import PublishedVersions

PLATFORMS = ("meta", "linkedin", "google_ads")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tables_are_ordered_and_cited(platform):
    table = lifecycle.version_table(platform)
    assert table.schedule_url.startswith("https://")
    releases = [v.released for v in table.versions if v.released]
    assert releases == sorted(releases)
    sunsets = [v.sunset for v in table.versions if v.sunset]
    assert sunsets == sorted(sunsets)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sandboxes_read_the_same_schedule(platform):
    table, published = lifecycle.version_table(platform), PublishedVersions.of(platform)
    assert published.names == tuple(v.name for v in table.versions)
    today = date(2026, 12, 2)
    assert published.active(today)[-1] == table.newest(today).name


@given(
    platform=st.sampled_from(PLATFORMS),
    today=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    data=st.data(),
)
def test_resolution_follows_the_sunset(platform, today, data):
    table = lifecycle.version_table(platform)
    version = data.draw(st.sampled_from(table.versions))
    try:
        resolved = lifecycle.resolve_version(table, version.name, source_name="s", today=today)
    except lifecycle.VersionRetiredError as exc:
        assert version.sunset is not None and today >= version.sunset
        assert str(exc).startswith(f"{table.platform} retired API version {version.name} on ")
        return
    assert version.sunset is None or today < version.sunset
    near = version.sunset is not None and version.sunset - today <= timedelta(days=lifecycle.WARN_DAYS)
    released = version.released is None or version.released <= today
    assert (resolved.warning is not None) == (near or not released)
    assert resolved.label == table.named(version.name)


def test_default_is_the_newest_released_and_unknown_pins_warn():
    table = lifecycle.version_table("linkedin")
    assert lifecycle.resolve_version(table, None, source_name="s", today=date(2026, 12, 2)).name == "202607"
    unknown = lifecycle.resolve_version(table, "202612", source_name="s", today=date(2026, 12, 2))
    assert unknown.name == "202612" and "not in leadsync's table" in unknown.warning
