"""The figures read from the crafted marts match the hand-computed table in report_marts.py."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest
from report_marts import PERIOD_DAYS, XSS, build_marts, report_config

from leadsync.reporting import ReportError, build_report, report_data
from leadsync.reporting.figures import NO_CHANNEL
from leadsync.reporting.stages import positive_stages


def _by_name(data, level):
    return {g.name: g for g in data.level(level)}


def test_source_figures_match_the_hand_counts(config):
    """Stages come from dim_leads.stages_reached (implied sales stages included), new leads from
    fct_lead_touches.is_new_lead, contact times from dim_leads.hours_to_first_contact."""
    data = report_data(config, period_days=PERIOD_DAYS)
    assert (data.period_start, data.period_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 29))
    src = _by_name(data, "source")
    expected = {  # records, new, duplicates, valid, then the seed's stage counts
        "trade_shows": (12, 10, 2, 11, (10, 6, 5, 4, 3, 3, 1)),
        "web_forms": (8, 8, 0, 8, (8, 4, 1, 1, 0, 0, 0)),
        "cold_calls": (6, 6, 0, 6, (6, 1, 6, 2, 0, 0, 0)),
    }
    for name, (records, new, dup, valid, stages) in expected.items():
        g = src[name]
        assert (g.records, g.new_leads, g.duplicates, g.valid_records) == (records, new, dup, valid), name
        assert tuple(g.stage_counts[s] for s in positive_stages()) == stages, name
    assert src["trade_shows"].duplicate_rate == pytest.approx(2 / 12)
    assert src["trade_shows"].rate("mql") == pytest.approx(0.6)
    assert [src[n].median_hours_to_contact for n in ("trade_shows", "web_forms", "cold_calls")] == [6, 48, 1]
    assert src["cold_calls"].disqualified == 4
    assert {n: g.origin for n, g in src.items()} == {
        "trade_shows": "outbound",
        "web_forms": "inbound",
        "cold_calls": "outbound",
    }


def test_channel_origin_and_overall_rollups(config):
    data = report_data(config, period_days=PERIOD_DAYS)
    channels = _by_name(data, "channel")
    assert {n: (g.records, g.new_leads) for n, g in channels.items()} == {
        "Event": (12, 10),
        NO_CHANNEL: (8, 8),
        "Cold Call": (5, 5),
        XSS: (1, 1),
    }
    origins = _by_name(data, "origin")
    assert {n: (g.records, g.new_leads, g.stage_counts["opportunity"]) for n, g in origins.items()} == {
        "outbound": (18, 16, 3),
        "inbound": (8, 8, 0),
    }
    overall = data.overall
    assert (overall.records, overall.new_leads, overall.valid_records) == (26, 24, 25)
    assert overall.median_hours_to_contact == pytest.approx(1.5)


def test_spend_rolls_up_over_the_priced_sources_only(config):
    data = report_data(config, period_days=PERIOD_DAYS)
    src, origins = _by_name(data, "source"), _by_name(data, "origin")
    assert data.has_spend and data.currency == "EUR"
    assert (
        src["trade_shows"].spend,
        src["trade_shows"].cost_per_lead,
        src["trade_shows"].cost_per_qualified,
    ) == (3000, 300, 1000)
    assert (src["web_forms"].cost_per_lead, src["web_forms"].cost_per_qualified) == (50, None)
    assert src["cold_calls"].spend is None
    assert (origins["inbound"].spend, origins["inbound"].cost_per_lead) == (400, 50)
    # cold_calls has no spend: outbound's spend is trade_shows', and so is its cost per lead
    # (3000 over trade_shows' 10 new leads, not over all 16: no misleadingly cheap average)
    outbound = origins["outbound"]
    assert (outbound.spend, outbound.priced_sources, outbound.cost_per_lead) == (3000, ("trade_shows",), 300)
    overall = data.overall
    assert (overall.spend, overall.priced_new_leads, overall.cost_per_qualified) == (3400, 18, 3400 / 3)
    assert data.level("channel")[0].spend is None


def test_all_time_spend_only_prices_the_whole_history(tmp_path):
    config = report_config(tmp_path, build_marts(tmp_path / "leads.duckdb", spend="total"))
    period = report_data(config, period_days=PERIOD_DAYS)
    assert not period.has_spend and "only known as a total over all time" in period.spend_note
    whole = report_data(config)
    src = _by_name(whole, "source")
    assert whole.has_spend and whole.currency == "EUR"
    assert (src["trade_shows"].spend, src["trade_shows"].cost_per_qualified) == (3999, 1333)
    assert src["web_forms"].cost_per_lead == pytest.approx(400 / 9)


def test_weekly_flow_marks_famine_and_feast_weeks(config):
    data = report_data(config, period_days=PERIOD_DAYS)
    statuses = {}
    for w in data.weekly_flow:
        statuses.setdefault(w.source_name, []).append((w.records, w.status))
    assert statuses == {
        "cold_calls": [(0, "famine"), (6, "feast"), (0, "famine"), (0, "famine")],
        "trade_shows": [(4, "steady"), (4, "steady"), (0, "famine"), (4, "steady")],
        "web_forms": [(2, "steady")] * 4,
    }
    steady = {s.source_name: s for s in data.steadiness}
    assert steady["web_forms"].cv == 0
    assert steady["trade_shows"].cv == pytest.approx(3**0.5 / 3)
    assert (steady["cold_calls"].famine_weeks, steady["cold_calls"].feast_weeks) == (3, 1)
    assert steady["cold_calls"].days_since_last == 19
    # cold_calls's W1 is a famine week because the source existed (first record Jan 5) and sent
    # nothing; trade_shows's flow starts with its first record, on the period's first day.
    assert {n: s.first_week for n, s in steady.items()} == {
        "cold_calls": dt.date(2026, 1, 5),
        "trade_shows": dt.date(2026, 3, 2),
        "web_forms": dt.date(2026, 2, 2),
    }
    assert all(s.judged for s in steady.values())


def _flows(data):
    out = {}
    for w in data.weekly_flow:
        out.setdefault(w.source_name, []).append((w.week_start, w.records, w.status))
    return out


def test_flow_starts_at_each_sources_first_record(config):
    """Over all data (from Jan 5) no source is in famine before its first record."""
    data = report_data(config)
    flows = _flows(data)
    assert {n: (f[0][0], len(f)) for n, f in flows.items()} == {
        "cold_calls": (dt.date(2026, 1, 5), 12),
        "expo_2025": (dt.date(2026, 1, 12), 11),
        "web_forms": (dt.date(2026, 2, 2), 8),
        "trade_shows": (dt.date(2026, 3, 2), 4),
    }
    assert [(r, s) for _, r, s in flows["trade_shows"]] == [
        (4, "steady"),
        (4, "steady"),
        (0, "famine"),
        (4, "steady"),
    ]
    assert [s for _, _, s in flows["expo_2025"]] == ["feast"] + ["famine"] * 10
    assert [(r, s) for _, r, s in flows["web_forms"][:5]] == [
        (1, "steady"),
        (0, "famine"),
        (0, "famine"),
        (0, "famine"),
        (2, "feast"),
    ]
    assert not any(w.partial for w in data.weekly_flow)  # all data: the first week is not cut
    steady = {s.source_name: s for s in data.steadiness}
    assert {n: (s.full_weeks, s.famine_weeks, s.feast_weeks) for n, s in steady.items()} == {
        "cold_calls": (12, 10, 2),
        "expo_2025": (11, 10, 1),
        "trade_shows": (4, 1, 0),
        "web_forms": (8, 3, 4),
    }


def test_weeks_follow_touched_at_not_received_at(tmp_path, config):
    """The scan file was copied in on Mar 27: by received_at all 12 scans are W4's."""
    assert report_data(config, period_days=PERIOD_DAYS).time_basis == "touched_at"
    old = report_config(tmp_path, build_marts(tmp_path / "old.duckdb", touched_at=False))
    data = report_data(old, period_days=PERIOD_DAYS)
    assert data.time_basis == "received_at"
    assert _flows(data)["trade_shows"] == [(dt.date(2026, 3, 23), 12, "not judged")]
    assert _flows(data)["web_forms"] == _flows(report_data(config, period_days=PERIOD_DAYS))["web_forms"]
    trade = {s.source_name: s for s in data.steadiness}["trade_shows"]
    assert (trade.first_week, trade.full_weeks, trade.judged) == (dt.date(2026, 3, 23), 1, False)
    # the period filter too: the last 7 days hold all 12 scans by received_at, 4 by touched_at
    assert _by_name(report_data(old, period_days=7), "source")["trade_shows"].records == 12
    assert _by_name(report_data(config, period_days=7), "source")["trade_shows"].records == 4


def test_sources_with_under_four_full_weeks_are_not_judged(config):
    for days, weeks in ((7, 1), (14, 2)):
        data = report_data(config, period_days=days)
        assert {w.status for w in data.weekly_flow} == {"not judged"}, days
        assert [(s.source_name, s.full_weeks, s.judged) for s in data.steadiness] == [
            ("trade_shows", weeks, False),
            ("web_forms", weeks, False),
        ]
    three = report_data(config, period_days=21)  # W2-W4: 3 full weeks, still too few
    assert {w.status for w in three.weekly_flow} == {"not judged"}


def test_reasons_accounts_and_quiet_sources(config):
    data = report_data(config, period_days=PERIOD_DAYS)
    assert data.disqualification_reasons == [("not in ICP", 3), (XSS, 1)]
    assert data.invalid_reasons == [("missing email", 1)]
    ta = data.target_accounts
    assert (ta.total, ta.with_leads) == (4, 3)
    assert ta.by_furthest_stage == [("no leads", 1), ("contacted", 1), ("responded", 1), ("won", 1)]
    assert [a["name"] for a in ta.top] == ["Acme", "Globex", f"{XSS} Corp", "Initech"]
    assert data.quiet_sources == ["partner_referrals"]


def test_period_choice_changes_the_window(config):
    everything = report_data(config)
    assert everything.period_start == dt.date(2026, 1, 5)
    assert everything.overall.records == 31
    web = {s.source_name: s for s in everything.steadiness}["web_forms"]
    assert (web.full_weeks, web.famine_weeks) == (8, 3)  # Feb 9, 16, 23 had nothing
    last_week = report_data(config, period_days=7)
    assert last_week.period_start == dt.date(2026, 3, 23)
    src = _by_name(last_week, "source")
    assert (src["trade_shows"].records, src["trade_shows"].new_leads) == (4, 2)
    assert set(src) == {"trade_shows", "web_forms"}
    with pytest.raises(ReportError, match="at least 1 day"):
        report_data(config, period_days=0)


def test_without_optional_marts_the_report_says_so(tmp_path):
    wh = build_marts(tmp_path / "bare.duckdb", spend=None, with_accounts=False, with_activity=False)
    data = report_data(report_config(tmp_path, wh), period_days=PERIOD_DAYS)
    assert not data.has_spend and not data.has_activity
    assert data.target_accounts is None
    assert data.overall.stage_counts["contacted"] == 0
    assert data.overall.stage_counts["mql"] == 11
    assert data.overall.median_hours_to_contact is None


def test_reads_the_bi_copy_first_and_never_writes_the_warehouse(tmp_path):
    wh = build_marts(tmp_path / "leads.duckdb")
    bi = build_marts(tmp_path / "leads_bi.duckdb", spend=None)
    config = report_config(tmp_path, wh).model_copy(
        update={"warehouse": report_config(tmp_path, wh).warehouse.model_copy(update={"bi_copy": str(bi)})}
    )
    before = hashlib.sha256(wh.read_bytes()).hexdigest()
    data = report_data(config)
    assert data.marts_path == str(bi) and not data.has_spend
    build_report(config)
    assert hashlib.sha256(wh.read_bytes()).hexdigest() == before


def test_missing_warehouse_or_marts_is_a_plain_error(tmp_path):
    config = report_config(tmp_path, tmp_path / "nothing.duckdb")
    with pytest.raises(ReportError, match="leadsync sync"):
        report_data(config)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReportError, match="marts.fct_lead_touches is missing.*leadsync transform"):
        report_data(report_config(tmp_path, empty))


def test_no_records_yet_still_gives_a_report(tmp_path):
    wh = build_marts(tmp_path / "leads.duckdb")
    with duckdb.connect(str(wh)) as con:
        con.execute("delete from marts.fct_lead_touches")
    config = report_config(tmp_path, wh)
    data = report_data(config)
    assert data.period_end is None and data.groups == []
    assert "trade_shows" in data.quiet_sources
    page = build_report(config).read_text(encoding="utf-8")
    assert "No lead records have arrived yet" in page


def test_platform_test_submissions_are_neither_new_leads_nor_duplicates(tmp_path):
    wh = build_marts(tmp_path / "leads.duckdb")
    con = duckdb.connect(str(wh))
    con.execute("alter table marts.fct_lead_touches add column is_test boolean default false")
    con.execute("""
        insert into marts.fct_lead_touches
        select 'test-touch', lead_id, source_name, source_type, 'test-1', received_at, touched_at,
               channel, campaign, false, 'platform test lead', false, lead_origin, true
        from marts.fct_lead_touches where source_name = 'web_forms' and is_new_lead limit 1""")
    con.close()
    src = _by_name(report_data(report_config(tmp_path, wh), period_days=PERIOD_DAYS), "source")
    web = src["web_forms"]
    assert (web.records, web.new_leads, web.duplicates, web.test_records) == (9, 8, 0, 1)
