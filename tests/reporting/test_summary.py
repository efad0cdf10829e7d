"""The plain-language lines, word for word, for the crafted marts."""

from __future__ import annotations

from dataclasses import replace

from report_marts import PERIOD_DAYS, build_marts, report_config

from leadsync.reporting import report_data
from leadsync.reporting.summary import summary_lines


def test_summary_lines_for_the_crafted_period(config):
    assert summary_lines(report_data(config, period_days=PERIOD_DAYS)) == [
        "From 2 Mar 2026 to 29 Mar 2026 (dated by when each lead happened), 26 lead records came "
        "from 3 sources: 24 new people and 2 duplicates (8%); 46% of the new people are MQLs.",
        "trade_shows brought 42% of new leads but 100% of opportunities.",
        "web_forms brought 33% of new leads but no opportunities: volume more than results.",
        "web_forms is the steadiest source (about 2 records every week, no famine week).",
        "cold_calls is feast-and-famine: 3 of 4 full weeks were famine weeks "
        "(under 50% of its weekly average).",
        "Sales contacted cold_calls leads fastest (median 1.0 h); web_forms leads waited longest "
        "(median 48 h).",
        "Among the 2 paid sources (those with spend loaded), trade_shows has the lowest cost per "
        "qualified lead: 1,000 EUR (300 EUR per new lead).",
        "3 of 4 target accounts have leads; 1 reached opportunity or won.",
        "The most common disqualification reason is “not in ICP” (3 leads).",
        "No records in this period from: partner_referrals.",
    ]


def test_summary_without_activity_spend_or_accounts_says_what_is_missing(tmp_path):
    wh = build_marts(tmp_path / "bare.duckdb", spend=None, with_accounts=False, with_activity=False)
    lines = summary_lines(report_data(report_config(tmp_path, wh), period_days=PERIOD_DAYS))
    # Without sales activity the comparison falls back to MQLs: trade_shows 6 of 11.
    assert "trade_shows brought 42% of new leads but 55% of MQLs." in lines
    assert "cold_calls brought 25% of new leads but only 9% of MQLs: volume more than results." in lines
    assert (
        "No sales activity is loaded yet, so the funnel stops at MQL and the time to first "
        "contact is unknown."
    ) in lines
    assert "No spend data is loaded, so cost per lead is not shown." in lines
    assert "No target-account list is loaded, so account coverage is not shown." in lines
    assert "The most common disqualification reason is “not in ICP” (3 leads)." in lines


def test_summary_over_all_data_calls_a_one_off_a_one_off(config):
    lines = summary_lines(report_data(config))
    assert lines[0].startswith(
        "From 5 Jan 2026 to 29 Mar 2026 (dated by when each lead happened), "
        "31 lead records came from 4 sources"
    )
    steadiness = [line for line in lines if "week" in line and "median" not in line]
    assert steadiness == [
        "expo_2025 is a one-off: all 3 records came in the week of 12 Jan 2026, none in its other "
        "10 full weeks.",
        "cold_calls is feast-and-famine: 10 of 12 full weeks were famine weeks "
        "(under 50% of its weekly average).",
    ]


def test_summary_does_not_judge_steadiness_on_too_few_weeks(config):
    for days in (7, 14, 21):
        lines = summary_lines(report_data(config, period_days=days))
        assert not [
            line for line in lines if "steadiest" in line or "feast-and-famine" in line or "one-off" in line
        ], (days, lines)


def test_summary_says_when_dates_are_load_times(tmp_path):
    wh = build_marts(tmp_path / "old.duckdb", touched_at=False)
    lines = summary_lines(report_data(report_config(tmp_path, wh), period_days=PERIOD_DAYS))
    assert lines[0].startswith(
        "From 2 Mar 2026 to 29 Mar 2026 (dated by when leadsync received "
        "each record), 26 lead records came from 3 sources"
    )


def test_lowest_cost_is_among_paid_sources(config):
    """A free source (spend 0) is not "the cheapest": it would always win."""
    data = report_data(config, period_days=PERIOD_DAYS)
    data.groups = [replace(g, spend=0.0) if g.name == "web_forms" else g for g in data.groups]
    assert (
        "trade_shows, the only paid source (with spend loaded), costs 1,000 EUR per qualified lead "
        "(300 EUR per new lead)." in summary_lines(data)
    )


def test_several_one_offs_share_one_line(config):
    data = report_data(config)
    expo = next(s for s in data.steadiness if s.source_name == "expo_2025")
    data.steadiness.append(replace(expo, source_name="expo_2024"))
    data.weekly_flow += [
        replace(w, source_name="expo_2024") for w in data.weekly_flow if w.source_name == "expo_2025"
    ]
    lines = summary_lines(data)
    assert [line for line in lines if "one-off" in line.lower()] == [
        "One-offs (every record in the source's first week, none since): expo_2025 (3 in the week of "
        "12 Jan 2026); expo_2024 (3 in the week of 12 Jan 2026)."
    ]
