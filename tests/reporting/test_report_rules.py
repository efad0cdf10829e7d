"""The report's own rules: stage evidence, per-week rates, famine labels, count axes, the stage list."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from report_marts import PERIOD_DAYS, build_marts, report_config

from leadsync.reporting import build_report, report_data
from leadsync.reporting import formatting as fmt
from leadsync.reporting.charts import WORDS, _label_px, chart_specs, run_labels
from leadsync.reporting.evidence import IMPLIED, MISSING_SOURCE_NOTE
from leadsync.reporting.figures import WeekFlow
from leadsync.reporting.stages import SEED, positive_stages, sales_stages


def test_stage_list_is_the_seeds():
    with SEED.open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["stage_order"]))
    assert positive_stages() == tuple(r["stage"] for r in rows if r["is_exit"] == "false")
    assert sales_stages() == ("contacted", "responded", "qualified", "opportunity", "won")


def test_the_seed_is_the_dbt_projects():
    from leadsync.orchestration.dbt_project import TRANSFORM_DIR

    assert SEED == TRANSFORM_DIR / "seeds" / "funnel_stages.csv"


def test_stage_evidence_says_where_each_stage_came_from(config):
    data = report_data(config, period_days=PERIOD_DAYS)
    found = {(e.stage, e.kind): e.leads for e in data.stage_evidence}
    assert found == {
        ("new", "first touch"): 24,
        ("mql", "icp score"): 11,
        ("contacted", "activity"): 12,
        ("responded", "activity"): 6,
        ("responded", IMPLIED): 1,  # t3: an opportunity with no logged response
        ("qualified", "activity"): 2,
        ("qualified", IMPLIED): 1,
        ("opportunity", "activity"): 3,
        ("won", "hubspot"): 1,
    }
    # the counts agree with the funnel figures (one definition of "reached")
    overall = data.overall
    for stage in positive_stages():
        assert sum(e.leads for e in data.stage_evidence if e.stage == stage) == overall.stage_counts[stage]
    assert data.evidence_note == MISSING_SOURCE_NOTE
    page = build_report(config, period_days=PERIOD_DAYS).read_text("utf-8")
    assert 'id="table-evidence"' in page and "no evidence_source_name column" in page


def test_records_per_week_never_reads_zero_for_a_source_with_records(tmp_path):
    """21 records in a source's first (unfinished) week: no full week, yet 74 a week, not 0.0;
    and a slow source over months reads 0.27, not 0.0."""
    wh = build_marts(tmp_path / "leads.duckdb")
    with duckdb.connect(str(wh)) as con:
        for i in range(21):
            at = dt.datetime(2026, 3, 30, 9) + dt.timedelta(hours=i)  # Mon Mar 30 - Tue Mar 31
            con.execute(
                "insert into marts.fct_lead_touches values (?, ?, 'spring_expo', 'csv', ?, ?, ?, 'Event',"
                " null, true, null, true, 'outbound')",
                [f"s{i}", f"s{i}", f"s{i}", at, at],
            )
    config = report_config(tmp_path, wh)
    steady = {s.source_name: s for s in report_data(config).steadiness}
    spring = steady["spring_expo"]
    assert (spring.full_weeks, spring.mean_per_week) == (0, 0)
    assert spring.records_per_week == 21 * 7 / 2 and fmt.per_week(spring.records_per_week) == "74"
    assert fmt.per_week(steady["expo_2025"].records_per_week) == "0.27"  # 3 records over 11 weeks
    page = build_report(config).read_text("utf-8")
    assert ">0.0<" not in page


def _flow(statuses: list[str], source: str = "s") -> list[WeekFlow]:
    start = dt.date(2026, 1, 5)
    return [WeekFlow(source, start + dt.timedelta(weeks=i), 0, False, s) for i, s in enumerate(statuses)]


def test_one_famine_label_per_run():
    weeks = _flow(["steady", "famine", "famine", "famine", "steady", "feast", "famine"])
    assert run_labels(weeks, step_px=60) == ["", "▼ famine", "", "", "", "▲ feast", "▼ famine"]
    # narrow weeks: the words do not fit next to the previous label, the arrow does, or nothing
    assert run_labels(weeks, step_px=12) == ["", "▼ famine", "", "", "", "▲", ""]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["steady", "famine", "feast", "not judged"]), min_size=1, max_size=60),
    st.floats(min_value=2, max_value=80),
)
def test_flow_labels_never_overlap(statuses, step):
    labels = run_labels(_flow(statuses), step_px=step)
    spans = [
        ((i + 0.5) * step - _label_px(t) / 2, (i + 0.5) * step + _label_px(t) / 2)
        for i, t in enumerate(labels)
        if t
    ]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # every labelled week starts a run, and the first run of all is always labelled
    runs = [i for i, s in enumerate(statuses) if s in WORDS and (i == 0 or statuses[i - 1] != s)]
    assert {i for i, t in enumerate(labels) if t} <= set(runs)
    if runs:
        assert labels[runs[0]]


def _axes(spec):
    """Every axis object in a Vega-Lite spec, with the field it is for."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for channel in ("x", "y"):
                enc = node.get("encoding", {}).get(channel)
                if isinstance(enc, dict) and "axis" in enc and enc["axis"] is not None:
                    found.append((enc.get("field"), enc["axis"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_count_axes_have_whole_number_ticks(config):
    specs = chart_specs(report_data(config, period_days=PERIOD_DAYS))
    for chart, field in (
        ("flow", "records"),
        ("duplicates", "value"),
        ("reasons", "leads"),
        ("accounts", "accounts"),
    ):
        axes = [axis for f, axis in _axes(specs[chart]) if f == field]
        assert axes and all(a.get("tickMinStep") == 1 and a.get("format") == "d" for a in axes), chart


def test_flow_average_is_a_line_over_the_sources_own_weeks(config):
    spec = chart_specs(report_data(config))["flow"]
    layers = spec["spec"]["layer"]
    average = [layer for layer in layers if layer["encoding"]["y"]["field"] == "average"]
    assert len(average) == 1 and average[0]["mark"]["type"] == "line"  # not a rule across the panel
    rows = spec["data"]["values"]
    assert min(r["week_start"] for r in rows if r["source"] == "trade_shows") == "2026-03-02"
