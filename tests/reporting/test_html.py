"""The written page: self-contained, escaped, exact figures in its tables."""

from __future__ import annotations

import json
import re

from report_marts import PERIOD_DAYS, XSS

from leadsync.reporting import REPORT_FILE, build_report
from leadsync.reporting.html import script_json

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _row(page: str, table_id: str, first_cell: str) -> list[str]:
    """The shown texts of the row whose first cell is `first_cell` in table `table_id`."""
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in {table_id}")


def test_default_path_is_beside_the_warehouse(config, warehouse):
    out = build_report(config, period_days=PERIOD_DAYS)
    assert out == warehouse.parent / REPORT_FILE
    assert out.stat().st_size < 2_000_000
    assert not list(out.parent.glob(".report-*"))  # the atomic write left no temp file


def test_page_is_self_contained(config, tmp_path):
    page = build_report(config, tmp_path / "out" / "r.html", period_days=PERIOD_DAYS).read_text("utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page and "@import" not in page
    # the specs, the three vendored libraries and the page's own script; nothing else
    assert len(re.findall(r"<script[ >]", page)) == 5
    assert "vegaEmbed" in page and "vega-lite" in page.lower()


def test_every_lead_or_source_string_is_escaped(config):
    page = build_report(config, period_days=PERIOD_DAYS).read_text("utf-8")
    assert XSS not in page
    assert ESCAPED in _row(page, "table-channels", ESCAPED)[0]
    assert f"{ESCAPED} Corp" in page  # target-account name (a lead's company)
    specs_json = page[page.index('id="chart-specs">') + 17 :]
    specs_json = specs_json[: specs_json.index("</script>")]
    assert "<" not in specs_json
    assert XSS in json.dumps(json.loads(specs_json), ensure_ascii=False)  # the data survives intact


def test_script_json_cannot_close_its_script_element():
    text = script_json({"a": "</script><!-- & -->", "b": [1, 2.5, None]})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & -->", "b": [1, 2.5, None]}


def test_tables_show_the_exact_figures(config):
    page = build_report(config, period_days=PERIOD_DAYS).read_text("utf-8")
    header = re.findall(
        r"<button type=\"button\">(.*?)</button>",
        page[page.index('id="table-sources"') : page.index('id="table-channels"')],
    )
    assert header == [
        "source",
        "records",
        "new people",
        "duplicate rate",
        "valid rate",
        "mql rate",
        "→ contacted",
        "→ responded",
        "→ qualified",
        "→ opportunity",
        "→ won",
        "median h to contact",
        "spend (EUR)",
        "cost / new lead",
        "cost / qualified",
    ]
    assert _row(page, "table-sources", "trade_shows") == [
        "trade_shows",
        "12",
        "10",
        "17%",
        "92%",
        "60%",
        "50%",
        "40%",
        "30%",
        "30%",
        "10%",
        "6.0 h",
        "3,000",
        "300",
        "1,000",
    ]
    assert _row(page, "table-sources", "cold_calls")[12:] == ["–", "–", "–"]
    assert _row(page, "table-origins", "inbound")[:3] == ["inbound", "8", "8"]
    assert _row(page, "table-flow", "cold_calls") == [
        "cold_calls",
        "outbound",
        "5 Jan 2026",
        "4",
        "1.5",
        "1.73",
        "3",
        "1",
        "19",
    ]
    assert _row(page, "table-flow", "trade_shows")[2:] == ["2 Mar 2026", "4", "3.0", "0.58", "1", "0", "3"]
    assert "dated by when the lead happened" in page
    assert "weeks count from the week of its first record" in page
    assert _row(page, "table-invalid", "missing email") == ["missing email", "1"]
    # sortable cells carry raw values (not the formatted text) to sort by
    assert '<td data-sort="0.6">60%</td>' in page


def test_every_chart_with_data_has_a_container(config):
    page = build_report(config, period_days=PERIOD_DAYS).read_text("utf-8")
    ids = re.findall(r'<div class="chart" id="chart-([a-z]+)"', page)
    assert ids == ["flow", "share", "duplicates", "funnel", "origin", "speed", "accounts", "reasons"]


def test_flow_table_leaves_new_sources_unjudged(config, tmp_path):
    page = build_report(config, tmp_path / "week.html", period_days=7).read_text("utf-8")
    assert _row(page, "table-flow", "trade_shows") == [
        "trade_shows",
        "outbound",
        "2 Mar 2026",
        "1",
        "4.0",
        "0.00",
        "–",
        "–",
        "3",
    ]
    assert "Period: 23 Mar 2026 – 29 Mar 2026 (last 7 days of data, dated by when each lead happened)" in page


def test_page_says_when_it_dates_by_load_time(tmp_path):
    from report_marts import build_marts, report_config

    wh = build_marts(tmp_path / "old.duckdb", touched_at=False)
    page = build_report(report_config(tmp_path, wh), period_days=PERIOD_DAYS).read_text("utf-8")
    assert "dated by when leadsync received each record" in page
    assert "these marts have no touched_at" in page
    assert "dated by when the lead happened" not in page


def test_flow_chart_starts_each_source_at_its_first_record(config):
    from leadsync.reporting import report_data
    from leadsync.reporting.charts import flow_chart

    spec = flow_chart(report_data(config)).to_dict()
    rows = spec["data"]["values"] if "data" in spec else spec["spec"]["data"]["values"]
    trade = [r for r in rows if r["source"] == "trade_shows"]
    assert [(r["week_start"], r["mark"]) for r in trade] == [
        ("2026-03-02", ""),
        ("2026-03-09", ""),
        ("2026-03-16", "▼ famine"),
        ("2026-03-23", ""),
    ]
    assert "dated by when each lead happened" in json.dumps(spec["title"], ensure_ascii=False)
    assert "first record" in json.dumps(spec["title"], ensure_ascii=False)
