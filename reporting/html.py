"""Assemble the one self-contained HTML page: summary, charts, sortable tables, inlined scripts.

Everything that came from a lead or a source (names, channels, companies, reasons) passes through
`html.escape` before it reaches markup, and chart data is embedded as JSON with `<`, `>` and `&`
written as \\u escapes, so no value can close the <script> element it travels in.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from importlib import resources
from string import Template
from typing import Any

from leadsync.reporting import formatting as fmt
from leadsync.reporting.figures import MIN_JUDGED_WEEKS, GroupFigures, ReportData

VENDOR_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
TITLE = "Lead source quality"

# (chart id, heading, what to say when the chart has no data)
CHART_LAYOUT: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("flow", "Lead flow: steady or feast-and-famine?", "No records in this period."),),
    (
        ("share", "Which sources deliver, which only bring volume", "No records in this period."),
        ("duplicates", "Unique vs duplicate records", "No records in this period."),
    ),
    (("funnel", "Funnel by source", "No records in this period."),),
    (
        ("origin", "Inbound vs outbound", "No records in this period."),
        (
            "speed",
            "Time to first contact",
            "No sales activity is loaded yet, so the time to first contact is unknown.",
        ),
    ),
    (
        (
            "accounts",
            "Target-account coverage",
            "No target-account list is loaded (a `target_accounts` source fills it).",
        ),
        ("reasons", "Top disqualification reasons", "No lead was disqualified in this period."),
    ),
)


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _template() -> Template:
    return Template(
        resources.files(__package__).joinpath("templates", "report.html").read_text(encoding="utf-8")
    )


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, `<!--` or entity can appear."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_script(name: str) -> str:
    code = _static(name)
    if "</script" in code.lower():  # would end the element early; never true for the vendored builds
        raise ValueError(f"reporting/static/{name} contains '</script' and cannot be inlined")
    return f"<script>/* {name}: see reporting/static/LICENSE.* */\n{code}\n</script>"


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_page(
    data: ReportData, summary: list[str], specs: dict[str, dict[str, Any]], generated_at: dt.datetime
) -> str:
    period = (
        f"{fmt.day(data.period_start)} – {fmt.day(data.period_end)}" if data.period_end else "no records yet"
    )
    span = f"last {data.period_days} days of data" if data.period_days else "all data"
    subtitle = (
        f"Period: {period} ({span}, {fmt.dated_by(data.time_basis)}) · read from {data.marts_path} · "
        f"generated {generated_at:%Y-%m-%d %H:%M} UTC"
    )
    body = [_summary_section(summary)]
    for row in CHART_LAYOUT:
        cells = [_chart_section(cid, heading, empty, specs) for cid, heading, empty in row]
        body.append(f'<div class="grid row">{"".join(cells)}</div>' if len(cells) > 1 else cells[0])
    body.append(_tables_section(data))
    return _template().substitute(
        title=e(TITLE),
        subtitle=e(subtitle),
        css=_static("report.css"),
        body="\n".join(body),
        specs=script_json(specs),
        vendor_scripts="\n".join(_inline_script(n) for n in VENDOR_SCRIPTS),
        report_js=_static("report.js"),
    )


def _summary_section(lines: list[str]) -> str:
    items = "".join(f"<li>{e(line)}</li>" for line in lines)
    return f'<section class="summary" id="summary"><h2>In short</h2><ul>{items}</ul></section>'


def _chart_section(cid: str, heading: str, empty: str, specs: dict[str, Any]) -> str:
    inner = (
        f'<div class="chart" id="chart-{e(cid)}" role="img" aria-label="{e(heading)}"></div>'
        if cid in specs
        else f'<p class="note">{e(empty)}</p>'
    )
    return f'<section id="section-{e(cid)}"><h2>{e(heading)}</h2>{inner}</section>'


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
Column = tuple[str, Callable[[GroupFigures], Any], Callable[[Any], str]]


def figure_columns(stages: tuple[str, ...]) -> tuple[Column, ...]:
    """The figures tables' columns; one rate per funnel stage after `new`, in the seed's order."""
    return (
        ("records", lambda g: g.records, fmt.count),
        ("new people", lambda g: g.new_leads, fmt.count),
        ("duplicate rate", lambda g: g.duplicate_rate, fmt.pct),
        ("valid rate", lambda g: g.valid_rate, fmt.pct),
        *(
            (
                f"{stage} rate" if stage == "mql" else f"→ {stage}",
                (lambda s: lambda g: g.rate(s))(stage),
                fmt.pct,
            )
            for stage in stages[1:]
        ),
        ("median h to contact", lambda g: g.median_hours_to_contact, fmt.hours),
        ("spend", lambda g: g.spend, fmt.money),
        ("cost / new lead", lambda g: g.cost_per_lead, fmt.money),
        ("cost / qualified", lambda g: g.cost_per_qualified, fmt.money),
    )


def _cell(value: Any, shown: str, css: str = "") -> str:
    sort = "" if value is None else value
    cls = f' class="{css}"' if css else ""
    return f'<td{cls} data-sort="{e(sort)}">{e(shown)}</td>'


def _header(labels: list[str]) -> str:
    cells = "".join(f'<th scope="col"><button type="button">{e(label)}</button></th>' for label in labels)
    return f"<thead><tr>{cells}</tr></thead>"


def _figures_table(
    data: ReportData, table_id: str, first: str, groups: list[GroupFigures], overall: GroupFigures | None
) -> str:
    unit = f" ({data.currency})" if data.currency else ""
    columns = figure_columns(data.stages)
    labels = [first, *(c[0] + (unit if c[0] == "spend" else "") for c in columns)]

    def cells(g: GroupFigures) -> str:
        return _cell(g.name, g.name, "text") + "".join(
            _cell(get(g), show(get(g))) for _, get, show in columns
        )

    body = "".join(f"<tr>{cells(g)}</tr>" for g in groups)
    foot = f"<tfoot><tr>{cells(overall)}</tr></tfoot>" if overall is not None else ""
    return (
        f'<div class="table-wrap"><table class="sortable" id="{e(table_id)}">'
        f"{_header(labels)}<tbody>{body}</tbody>{foot}</table></div>"
    )


def _flow_table(data: ReportData) -> str:
    origin = {g.name: g.origin or fmt.DASH for g in data.level("source")}

    def judged(s: Any, n: int) -> str:  # not judged: no famine / feast count at all
        return _cell(n if s.judged else None, fmt.count(n if s.judged else None))

    rows = "".join(
        "<tr>"
        + _cell(s.source_name, s.source_name, "text")
        + _cell(origin.get(s.source_name, ""), origin.get(s.source_name, fmt.DASH), "text")
        + _cell(s.first_week and s.first_week.isoformat(), fmt.day(s.first_week))
        + _cell(s.full_weeks, fmt.count(s.full_weeks))
        + _cell(round(s.records_per_week, 3), fmt.per_week(s.records_per_week))
        + _cell(s.cv, fmt.ratio(s.cv))
        + judged(s, s.famine_weeks)
        + judged(s, s.feast_weeks)
        + _cell(s.days_since_last, fmt.count(s.days_since_last))
        + "</tr>"
        for s in data.steadiness
    )
    labels = [
        "source",
        "origin",
        "first record (week of)",
        "full weeks",
        "records / week",
        "variation (CV)",
        "famine weeks",
        "feast weeks",
        "days since last record",
    ]
    return (
        f'<div class="table-wrap"><table class="sortable" id="table-flow">'
        f"{_header(labels)}<tbody>{rows}</tbody></table></div>"
    )


def _simple_table(table_id: str, labels: list[str], rows: list[tuple[Any, ...]]) -> str:
    body = "".join(
        "<tr>"
        + "".join(
            _cell(v, v if isinstance(v, str) else fmt.count(v), "text" if isinstance(v, str) else "")
            for v in r
        )
        + "</tr>"
        for r in rows
    )
    return (
        f'<div class="table-wrap"><table class="sortable" id="{e(table_id)}">'
        f"{_header(labels)}<tbody>{body}</tbody></table></div>"
    )


def _dated_by_long(basis: str) -> str:
    if basis == "touched_at":
        return (
            "dated by when the lead happened (the record's own submit, scan or creation time; "
            "when it has none, when leadsync received it)"
        )
    return (
        "dated by when leadsync received it (these marts have no touched_at, so a file "
        "loaded today counts as today's leads)"
    )


def _tables_section(data: ReportData) -> str:
    parts = [
        '<section class="tables" id="figures"><h2>The figures</h2>',
        '<p class="legend">Click a column heading to sort. Rates of funnel stages are shares '
        "of the group's new people (first-touch attribution); “records” counts every record, "
        f"duplicates included, {_dated_by_long(data.time_basis)}. A lead counts at a stage when the "
        "marts say it reached it (dim_leads.stages_reached: a later sales stage implies the "
        "earlier ones), the same rule as fct_source_quality. Spend is the months the period "
        "touches; costs are spend over the leads of the sources that have spend; cost per "
        "qualified counts sales-qualified leads.</p>",
    ]
    if data.overall is None:
        parts.append('<p class="note">No lead records have arrived yet.</p></section>')
        return "".join(parts)
    band = fmt.pct(data.feast_famine_band)
    parts += [
        "<h3>By source</h3>",
        _figures_table(data, "table-sources", "source", data.level("source"), data.overall),
        "<h3>By channel (the records' own lead-source value)</h3>",
        _figures_table(data, "table-channels", "channel", data.level("channel"), None),
        "<h3>Inbound vs outbound</h3>",
        _figures_table(data, "table-origins", "origin", data.level("origin"), None),
        _priced_note(data),
        f"<h3>Lead flow per source (a famine week is more than {band} under the source's "
        f"weekly average, a feast week more than {band} over it)</h3>",
        '<p class="legend">A source\'s weeks count from the week of its first record (the '
        "weeks before it existed are neither famine nor anything else); only full weeks "
        f"are judged, and only for sources with at least {MIN_JUDGED_WEEKS} of them: a newer "
        "source is too new to judge and shows “–” for famine and feast weeks.</p>",
        _flow_table(data),
    ]
    parts += _evidence_tables(data)
    ta = data.target_accounts
    if ta and ta.top:
        parts += [
            "<h3>Target accounts that got furthest</h3>",
            _simple_table(
                "table-accounts",
                ["account", "leads", "furthest stage"],
                [(a["name"], a["leads"], a["stage"]) for a in ta.top],
            ),
        ]
    if data.invalid_reasons:
        parts += [
            "<h3>Why records were invalid</h3>",
            _simple_table("table-invalid", ["reason", "records"], data.invalid_reasons),
        ]
    parts.append("</section>")
    return "".join(parts)


def _priced_note(data: ReportData) -> str:
    """Which sources a roll-up's spend and costs cover, when not all of them."""
    notes = []
    for g in [*data.level("origin"), *([data.overall] if data.overall else [])]:
        if g.priced_sources and len(g.priced_sources) < len(
            [s for s in data.level("source") if g.level == "overall" or s.origin == g.name]
        ):
            notes.append(
                f"{g.name}: spend and costs cover {', '.join(g.priced_sources)} only "
                f"({fmt.count(g.priced_new_leads)} of {fmt.count(g.new_leads)} new people); "
                "the other sources have no spend loaded"
            )
    return f'<p class="legend">{e("; ".join(notes))}.</p>' if notes else ""


def _evidence_tables(data: ReportData) -> list[str]:
    if not data.stage_evidence:
        return []
    rows = [(ev.stage, ev.kind, ev.leads) for ev in data.stage_evidence]
    parts = [
        "<h3>Where each stage came from</h3>",
        '<p class="legend">For the period\'s new people: the kind of evidence that put a lead at each '
        "stage (its earliest piece: a CRM record, the activity CSV, a form's own status, "
        "leadsync's ICP score), or “implied by a later stage” when only a later stage has "
        "evidence (a won lead was contacted even if nobody logged the call).</p>",
        _simple_table("table-evidence", ["stage", "evidence", "new people"], rows),
    ]
    if data.evidence_note:
        parts.append(f'<p class="note">{e(data.evidence_note)}</p>')
    return parts
