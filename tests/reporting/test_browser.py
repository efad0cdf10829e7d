"""The report opened in real headless Chromium: charts drawn, no errors, no network, XSS inert.

Screenshots land in tests/artifacts/reporting/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import json

from report_browser import LAPTOP, open_page
from report_marts import PERIOD_DAYS, XSS, build_marts, report_config

from leadsync.reporting import build_report

SORT_BY_RECORDS = """(() => {
  const table = document.getElementById('table-sources');
  const first = () => Array.from(table.tBodies[0].rows).map(r => r.cells[0].textContent);
  const button = table.tHead.rows[0].cells[1].querySelector('button');
  button.click(); const up = first(); button.click(); const down = first();
  return JSON.stringify({up, down, sort: table.tHead.rows[0].cells[1].getAttribute('aria-sort')});
})()"""


def test_report_renders_in_chromium(chromium, config, artifacts):
    page = build_report(config, period_days=PERIOD_DAYS)
    result = open_page(
        chromium,
        page,
        {
            "viewport": artifacts / "report_laptop.png",
            "full": artifacts / "report_full.png",
        },
        evaluate={"sorted": SORT_BY_RECORDS},
    )
    assert result.errors == []
    assert result.dialogs == []  # no alert: the XSS lead did not run
    assert result.requests == [page.resolve().as_uri()]  # nothing fetched: works offline
    assert [c["id"] for c in result.charts] == [
        "chart-flow",
        "chart-share",
        "chart-duplicates",
        "chart-funnel",
        "chart-origin",
        "chart-speed",
        "chart-accounts",
        "chart-reasons",
    ]
    assert all(c["rendered"] and c["svg"] and c["marks"] > 10 for c in result.charts), result.charts
    assert XSS in result.text  # shown as text
    assert result.scroll_width <= LAPTOP[0]  # no sideways scrolling on a 1366 px laptop
    assert (artifacts / "report_laptop.png").stat().st_size > 10_000
    sorted_ = json.loads(result.values["sorted"])
    assert sorted_ == {
        "up": ["cold_calls", "web_forms", "trade_shows"],
        "down": ["trade_shows", "web_forms", "cold_calls"],
        "sort": "descending",
    }


def test_bare_warehouse_report_renders_too(chromium, tmp_path, artifacts):
    wh = build_marts(tmp_path / "bare.duckdb", spend=None, with_accounts=False, with_activity=False)
    page = build_report(report_config(tmp_path, wh), period_days=PERIOD_DAYS)
    result = open_page(chromium, page, {"full": artifacts / "report_bare.png"})
    assert result.errors == [] and result.dialogs == []
    assert [c["id"] for c in result.charts] == [
        "chart-flow",
        "chart-share",
        "chart-duplicates",
        "chart-funnel",
        "chart-origin",
        "chart-reasons",
    ]
    assert all(c["rendered"] for c in result.charts)
    assert "No target-account list is loaded" in result.text


def test_the_browser_check_does_catch_script_and_errors(chromium, tmp_path):
    """Guards the guard: an unescaped payload and a broken script are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        f"<html><body><p>{XSS}</p><script>undefinedFunction()</script>"
        "<div class='chart' id='chart-x'></div></body></html>",
        encoding="utf-8",
    )
    result = open_page(chromium, bad, {}, timeout=1.5)
    assert result.dialogs == ["1"]
    assert any("undefinedFunction" in e for e in result.errors)
    assert result.charts == [{"id": "chart-x", "svg": False, "marks": 0, "rendered": False}]
