"""The report built from the demo warehouse, opened in real headless Chromium.

The demo data carries a form-spam lead whose fields hold `<script>` and `<img onerror>` markup:
it must show as text, run nothing, and break no chart.
"""

from __future__ import annotations

import pytest
from report_browser import LAPTOP, open_page

pytestmark = pytest.mark.e2e

SPAM_CHANNEL = "<img src=x onerror=alert(1)>"


def test_demo_report_renders_offline_with_markup_shown_as_text(demo_run, chromium, artifacts):
    page = demo_run.report
    result = open_page(
        chromium,
        page,
        {
            "viewport": artifacts / "demo_report_laptop.png",
            "full": artifacts / "demo_report_full.png",
        },
        evaluate={
            "injected": "document.querySelectorAll('img, script:not([type])[src]').length"
            " + document.querySelectorAll('[onerror]').length"
        },
    )
    assert result.errors == []
    assert result.dialogs == []  # neither the <script> nor the onerror handler ran
    assert result.requests == [page.resolve().as_uri()]  # nothing fetched: works offline
    assert len(result.charts) >= 6
    assert all(c["rendered"] and c["svg"] and c["marks"] > 10 for c in result.charts), result.charts
    assert SPAM_CHANNEL in result.text  # the channel value is visible, as text
    assert result.values["injected"] == 0  # no element was created from lead data
    assert result.scroll_width <= LAPTOP[0]
    for source in ("expo_2026", "crm_export", "meta_ads", "website_forms"):
        assert source in result.text
