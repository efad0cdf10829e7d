"""The report's charts as Vega-Lite specs (built with Altair), rendered in the page by vega-embed.

Why Vega-Lite in the browser rather than server-rendered SVG: tooltips (exact counts on hover)
matter to a reader comparing sources, and the three bundled scripts (reporting/static, ~0.8 MB)
are inlined, so the page still opens offline. Every chart is readable without colour: bars
carry text labels, famine/feast weeks are written above the bar, and the palette (Okabe-Ito)
is safe for colour-blind readers. Widths fit a 1366 px laptop screen, two charts per row.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from leadsync.reporting import formatting as fmt
from leadsync.reporting.figures import MIN_JUDGED_WEEKS, OUTCOMES, ReportData, WeekFlow, outcome

# Okabe-Ito, colour-blind safe; used with text labels, never alone.
BLUE, ORANGE, VERMILLION, SKY, GREEN, GREY = (
    "#0072B2",
    "#E69F00",
    "#D55E00",
    "#56B4E9",
    "#009E73",
    "#999999",
)
HALF_WIDTH = 470  # two charts side by side inside a 1366 px window
FULL_WIDTH = 1000
BAR_STEP = 22
LIGHT_GREY = "#C8C8C8"
STATUS_COLOURS = {
    "steady": BLUE,
    "feast": GREEN,
    "famine": VERMILLION,
    "partial week": GREY,
    "not judged": LIGHT_GREY,
}
FLOW_PANEL_WIDTH = 400
WORDS = {"famine": "▼ famine", "feast": "▲ feast"}
ARROWS = {"famine": "▼", "feast": "▲"}
LABEL_FONT_PX = 10
# Counts have whole-number ticks only (no "0.5 records").
COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")


def _label_px(text: str) -> float:
    """About how wide a bold 10 px label is: ~0.62 em per character, plus a little air."""
    return len(text) * LABEL_FONT_PX * 0.62 + 6


def run_labels(weeks: list[WeekFlow], *, step_px: float) -> list[str]:
    """The text above each week's bar: one label per run of famine (or feast) weeks, at the run's
    first week, and only where it cannot overlap the previous label of the same panel (a week is
    `step_px` wide on the panels' shared week axis); where the words do not fit, the arrow alone;
    where not even that fits, none. The bars' colour and tooltip still mark every week."""
    position = {week: i for i, week in enumerate(sorted({w.week_start for w in weeks}))}
    out: list[str] = []
    prev: WeekFlow | None = None
    last_end = float("-inf")
    for w in weeks:
        if prev is None or prev.source_name != w.source_name:
            prev, last_end = None, float("-inf")
        label = ""
        if w.status in WORDS and (prev is None or prev.status != w.status):
            centre = (position[w.week_start] + 0.5) * step_px
            for text in (WORDS[w.status], ARROWS[w.status]):
                if centre - _label_px(text) / 2 >= last_end:
                    label, last_end = text, centre + _label_px(text) / 2
                    break
        prev = w
        out.append(label)
    return out


def chart_specs(data: ReportData) -> dict[str, dict[str, Any]]:
    """Chart id -> Vega-Lite spec, only for charts that have something to show."""
    charts: dict[str, alt.TopLevelMixin] = {}
    sources = [g for g in data.level("source") if g.records > 0]
    if data.weekly_flow:
        charts["flow"] = flow_chart(data)
    if sources:
        charts["share"] = share_chart(data)
        charts["funnel"] = funnel_chart(data)
        charts["duplicates"] = duplicates_chart(data)
    origins = data.level("origin")
    if origins:
        charts["origin"] = origin_chart(data)
    if data.has_activity and any(g.median_hours_to_contact is not None for g in sources):
        charts["speed"] = speed_chart(data)
    if data.target_accounts and data.target_accounts.total:
        charts["accounts"] = accounts_chart(data)
    if data.disqualification_reasons:
        charts["reasons"] = reasons_chart(data)
    return {key: chart.to_dict() for key, chart in charts.items()}


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=12, grid=False)
        .configure_legend(orient="bottom", labelFontSize=11, titleFontSize=11)
        .configure_title(fontSize=14, anchor="start")
    )


def flow_chart(data: ReportData) -> alt.TopLevelMixin:
    """Records per week per source, one small panel per source, famine weeks written out.

    Each source's bars start in the week of its first record: the weeks before it existed are
    left empty, not called famine. Weeks are those of `data.time_basis` (when the lead happened).
    """
    multi_year = len({w.week_start.year for w in data.weekly_flow}) > 1
    means = {s.source_name: s.mean_per_week for s in data.steadiness}
    weeks = len({w.week_start for w in data.weekly_flow})
    panel_width = min(FLOW_PANEL_WIDTH, max(240, weeks * 40))
    marks = run_labels(data.weekly_flow, step_px=panel_width / max(weeks, 1))
    rows = [
        {
            "source": w.source_name,
            "week_start": w.week_start.isoformat(),
            "week": f"{w.week_start.day} {w.week_start:%b}" + (f" {w.week_start:%y}" if multi_year else ""),
            "records": w.records,
            "status": w.status,
            "mark": mark,
            "average": round(means.get(w.source_name, 0.0), 2),
        }
        for w, mark in zip(data.weekly_flow, marks, strict=True)
    ]
    x = alt.X(
        "week:O",
        title=None,
        sort=alt.EncodingSortField(field="week_start", op="min"),
        axis=alt.Axis(labelAngle=-45, labelOverlap="greedy"),
    )
    base = alt.Chart().encode(x=x)
    dated = fmt.dated_by(data.time_basis)
    bars = base.mark_bar().encode(
        y=alt.Y("records:Q", title="records per week", axis=COUNT_AXIS),
        color=alt.Color(
            "status:N",
            title="week",
            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
        ),
        tooltip=[
            alt.Tooltip("source:N"),
            alt.Tooltip("week_start:N", title=f"week of ({dated})"),
            alt.Tooltip("records:Q"),
            alt.Tooltip("status:N"),
            alt.Tooltip("average:Q", title="weekly average"),
        ],
    )
    labels = base.mark_text(dy=-6, fontSize=10, fontWeight="bold", baseline="bottom").encode(
        y=alt.Y("records:Q"),
        text="mark:N",
    )
    # A line through the source's own weeks only: its rows start at its first record.
    average = base.mark_line(strokeDash=[4, 3], color="#333", interpolate="step").encode(
        y=alt.Y("average:Q"),
        tooltip=[alt.Tooltip("average:Q", title="weekly average")],
    )
    layered = alt.layer(bars, labels, average, data=alt.Data(values=rows)).properties(
        width=panel_width, height=140
    )
    return _config(
        layered.facet(
            facet=alt.Facet(
                "source:N", title=None, header=alt.Header(labelFontSize=13, labelFontWeight="bold")
            ),
            columns=max(1, FULL_WIDTH // (panel_width + 80)),
        ).properties(
            title=alt.TitleParams(
                f"Records per week, {dated} (dashed line: the source's weekly average)",
                subtitle=[
                    f"▼ famine / ▲ feast: a full week more than {fmt.pct(data.feast_famine_band)} under / "
                    "over the source's weekly average. Each source's bars start at the week of its "
                    "first record;",
                    f"a source with fewer than {MIN_JUDGED_WEEKS} full weeks since then is too new to "
                    "judge (light grey, “not judged”).",
                ],
                subtitleFontSize=11,
            )
        )
    )


def _grouped_bars(
    rows: list[dict[str, Any]],
    *,
    measure_order: list[str],
    colours: list[str],
    title: str | None,
    x_title: str,
    x_format: str,
    width: int = HALF_WIDTH,
    counts: bool = False,
) -> alt.TopLevelMixin:
    """Horizontal bars, one group per row name, each bar labelled with its value and measure."""
    names = list(dict.fromkeys(r["name"] for r in rows))
    y = alt.Y("name:N", title=None, sort=names, axis=alt.Axis(labelLimit=180))
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=y,
        yOffset=alt.YOffset("measure:N", sort=measure_order),
        x=alt.X("value:Q", title=x_title, axis=COUNT_AXIS if counts else alt.Axis(format=x_format)),
    )
    bars = base.mark_bar(height=BAR_STEP - 6).encode(
        color=alt.Color(
            "measure:N", title=None, sort=measure_order, scale=alt.Scale(domain=measure_order, range=colours)
        ),
        tooltip=[
            alt.Tooltip("name:N", title="group"),
            alt.Tooltip("measure:N"),
            alt.Tooltip("label:N", title="value"),
        ],
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(text="label:N")
    height = max(60, len(rows) * BAR_STEP)
    return _config(alt.layer(bars, text).properties(width=width - 200, height=height, title=title or ""))


def _outcome(data: ReportData) -> tuple[str, str]:
    stage, _, label = outcome(data.overall) or OUTCOMES[-1]
    return stage, label


def _share_rows(groups: list, overall: Any, stage: str, label: str) -> list[dict[str, Any]]:
    rows = []
    total_new, total_outcome = overall.new_leads, overall.stage_counts.get(stage, 0)
    for g in groups:
        for measure, part, whole in (
            ("new leads", g.new_leads, total_new),
            (label, g.stage_counts.get(stage, 0), total_outcome),
        ):
            share = part / whole if whole else 0.0
            rows.append(
                {
                    "name": g.name,
                    "measure": f"share of {measure}",
                    "value": share,
                    "label": f"{fmt.pct(share)} of {measure} ({fmt.count(part)})",
                }
            )
    return rows


def share_chart(data: ReportData) -> alt.TopLevelMixin:
    """Share of new leads next to share of the deepest outcome: who delivers, who brings volume."""
    stage, label = _outcome(data)
    rows = _share_rows([g for g in data.level("source") if g.records], data.overall, stage, label)
    return _grouped_bars(
        rows,
        measure_order=["share of new leads", f"share of {label}"],
        colours=[SKY, BLUE],
        title=f"Volume vs results: new leads and {label}",
        x_title="share of the total",
        x_format="%",
    )


def origin_chart(data: ReportData) -> alt.TopLevelMixin:
    stage, label = _outcome(data)
    rows = _share_rows(data.level("origin"), data.overall, stage, label)
    return _grouped_bars(
        rows,
        measure_order=["share of new leads", f"share of {label}"],
        colours=[SKY, BLUE],
        title=f"Share of new leads and of {label}",
        x_title="share of the total",
        x_format="%",
    )


def duplicates_chart(data: ReportData) -> alt.TopLevelMixin:
    rows = []
    for g in data.level("source"):
        rows.append(
            {
                "name": g.name,
                "measure": "new people",
                "value": g.new_leads,
                "label": f"{fmt.count(g.new_leads)} new",
            }
        )
        rows.append(
            {
                "name": g.name,
                "measure": "duplicates",
                "value": g.duplicates,
                "label": f"{fmt.count(g.duplicates)} duplicate{'' if g.duplicates == 1 else 's'} "
                f"({fmt.pct(g.duplicate_rate)})",
            }
        )
    return _grouped_bars(
        rows,
        measure_order=["new people", "duplicates"],
        colours=[BLUE, ORANGE],
        title=None,
        x_title="records",
        x_format="d",
        counts=True,
    )


def funnel_chart(data: ReportData) -> alt.TopLevelMixin:
    """Source x stage grid: share of the source's new leads that reached each stage, with counts."""
    rows = []
    groups = [*data.level("source"), *([data.overall] if data.overall else [])]
    for g in groups:
        for stage in data.stages:
            rate = g.rate(stage) or 0.0
            rows.append(
                {
                    "name": g.name,
                    "stage": stage,
                    "rate": rate,
                    "label": f"{fmt.pct(rate)} ({fmt.count(g.stage_counts.get(stage, 0))})",
                }
            )
    names = [g.name for g in groups]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("stage:N", sort=list(data.stages), title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=180)),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "rate:Q",
            title="share of new leads",
            legend=alt.Legend(format="%"),
            scale=alt.Scale(scheme="blues", domain=[0, 1]),
        ),
        tooltip=[
            alt.Tooltip("name:N", title="group"),
            alt.Tooltip("stage:N"),
            alt.Tooltip("label:N", title="reached"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("datum.rate > 0.55", alt.value("white"), alt.value("#111")),
    )
    return _config(
        alt.layer(cells, text).properties(
            width=FULL_WIDTH - 260,
            height=max(60, 30 * len(names)),
            title="Funnel by source: share of new leads that reached each stage (count)",
        )
    )


def speed_chart(data: ReportData) -> alt.TopLevelMixin:
    rows = [
        {"name": g.name, "hours": g.median_hours_to_contact, "label": fmt.hours(g.median_hours_to_contact)}
        for g in data.level("source")
        if g.median_hours_to_contact is not None
    ]
    return _single_bars(rows, "hours", None, "median hours from first record to first contact", ORANGE)


def reasons_chart(data: ReportData) -> alt.TopLevelMixin:
    rows = [
        {"name": reason, "leads": n, "label": fmt.count(n)} for reason, n in data.disqualification_reasons
    ]
    return _single_bars(rows, "leads", None, "new leads disqualified", VERMILLION, counts=True)


def accounts_chart(data: ReportData) -> alt.TopLevelMixin:
    ta = data.target_accounts
    assert ta is not None
    rows = [{"name": stage, "accounts": n, "label": fmt.count(n)} for stage, n in ta.by_furthest_stage]
    return _single_bars(
        rows,
        "accounts",
        f"Target accounts by furthest stage ({ta.with_leads} of {ta.total} have leads)",
        "accounts",
        GREEN,
        sort_by_value=False,
        counts=True,
    )


def _single_bars(
    rows: list[dict[str, Any]],
    value: str,
    title: str | None,
    x_title: str,
    colour: str,
    *,
    sort_by_value: bool = True,
    counts: bool = False,
) -> alt.TopLevelMixin:
    order = [r["name"] for r in (sorted(rows, key=lambda r: -r[value]) if sort_by_value else rows)]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X(f"{value}:Q", title=x_title, **({"axis": COUNT_AXIS} if counts else {})),
    )
    bars = base.mark_bar(color=colour, height=BAR_STEP - 6).encode(
        tooltip=[alt.Tooltip("name:N", title=""), alt.Tooltip(f"{value}:Q")]
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(text="label:N")
    return _config(
        alt.layer(bars, text).properties(
            width=HALF_WIDTH - 230, height=max(40, len(rows) * BAR_STEP), title=title or ""
        )
    )
