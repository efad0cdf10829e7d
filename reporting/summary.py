"""The plain-language lines at the top of the report: what marketing reads before any chart.

Each line is plain text (names are escaped when the page is written). Lines are only written
when the data supports them, and missing data is said out loud rather than left blank.
"""

from __future__ import annotations

from leadsync.reporting import formatting as fmt
from leadsync.reporting.figures import GroupFigures, ReportData, outcome


def summary_lines(data: ReportData) -> list[str]:
    """The summary, most important first."""
    overall = data.overall
    if overall is None:
        return [
            "No lead records have arrived yet, so there is nothing to report. "
            "Run `leadsync sync` once the sources are configured."
        ]
    sources = [g for g in data.level("source") if g.new_leads > 0]
    lines = [_overview(data, overall)]
    lines += _delivery(sources, overall)
    lines += _steadiness(data)
    lines += _speed(data, sources)
    lines += _cost(data, sources)
    lines += _accounts(data)
    if data.disqualification_reasons:
        reason, n = data.disqualification_reasons[0]
        lines.append(
            f"The most common disqualification reason is “{reason}” "
            f"({fmt.count(n)} lead{'s' if n != 1 else ''})."
        )
    if data.quiet_sources:
        lines.append("No records in this period from: " + ", ".join(data.quiet_sources) + ".")
    return lines


def _overview(data: ReportData, overall: GroupFigures) -> str:
    n_sources = len(data.level("source"))
    return (
        f"From {fmt.day(data.period_start)} to {fmt.day(data.period_end)} "
        f"({fmt.dated_by(data.time_basis)}), "
        f"{fmt.count(overall.records)} lead records came from {n_sources} "
        f"source{'s' if n_sources != 1 else ''}: {fmt.count(overall.new_leads)} new people and "
        f"{fmt.count(overall.duplicates)} duplicates ({fmt.pct(overall.duplicate_rate)}); "
        f"{fmt.pct(overall.rate('mql'))} of the new people are MQLs."
    )


def _delivery(sources: list[GroupFigures], overall: GroupFigures) -> list[str]:
    """Which source delivers beyond its volume, and which mostly brings volume."""
    if len(sources) < 2:
        return []
    found = outcome(overall)
    if found is None:
        return []
    stage, label, _ = found
    total = overall.stage_counts[stage]
    gaps = sorted(
        ((g.stage_counts.get(stage, 0) / total - g.new_leads / overall.new_leads, g) for g in sources),
        key=lambda item: (item[0], item[1].name),
    )
    lines = []
    gap, best = gaps[-1]
    if gap > 0:
        lines.append(_share_line(best, overall, stage, label, volume_only=False))
    gap, worst = gaps[0]
    if gap < 0 and worst is not best:
        lines.append(_share_line(worst, overall, stage, label, volume_only=True))
    return lines


def _share_line(g: GroupFigures, overall: GroupFigures, stage: str, label: str, *, volume_only: bool) -> str:
    lead_share = fmt.pct(g.new_leads / overall.new_leads)
    outcome = g.stage_counts.get(stage, 0) / overall.stage_counts[stage]
    if not volume_only:
        return f"{g.name} brought {lead_share} of new leads but {fmt.pct(outcome)} of {label}."
    tail = f"no {label}" if outcome == 0 else f"only {fmt.pct(outcome)} of {label}"
    return f"{g.name} brought {lead_share} of new leads but {tail}: volume more than results."


def _steadiness(data: ReportData) -> list[str]:
    """Only sources with enough full weeks since their first record (figures.MIN_JUDGED_WEEKS)
    are judged: a source with one or two weeks of history is neither steady nor uneven yet."""
    judged = [s for s in data.steadiness if s.judged and s.cv is not None]
    if not judged:
        return []
    band = fmt.pct(1 - data.feast_famine_band)
    lines = []
    steady = min(judged, key=lambda s: (s.cv, s.source_name))
    if steady.famine_weeks == 0:
        lines.append(
            f"{steady.source_name} is the steadiest source "
            f"(about {steady.mean_per_week:.0f} records every week, no famine week)."
        )
    # A source whose records all came in its first week, a full one (a trade show, a one-off
    # upload), is a one-off: calling it feast-and-famine would count every later week a failure.
    one_offs = []
    found = []
    for s in judged:
        busy = [w for w in data.weekly_flow if w.source_name == s.source_name and w.records]
        if len(busy) == 1 and not busy[0].partial and busy[0].week_start == s.first_week:
            one_offs.append(s.source_name)
            found.append((s, busy[0]))
    if len(found) == 1:  # one source: the whole sentence
        s, week = found[0]
        lines.append(
            f"{s.source_name} is a one-off: all {fmt.count(week.records)} records "
            f"came in the week of {fmt.day(week.week_start)}, none in its other "
            f"{fmt.count(s.full_weeks - 1)} full weeks."
        )
    elif found:  # several: one line, not one each (a demo has seven)
        lines.append(
            "One-offs (every record in the source's first week, none since): "
            + "; ".join(
                f"{s.source_name} ({fmt.count(w.records)} in the week of {fmt.day(w.week_start)})"
                for s, w in found
            )
            + "."
        )
    judged = [s for s in judged if s.source_name not in one_offs]
    if not judged:
        return lines
    uneven = max(judged, key=lambda s: (s.famine_weeks, s.cv, s.source_name))
    if uneven.famine_weeks:
        lines.append(
            f"{uneven.source_name} is feast-and-famine: {uneven.famine_weeks} of "
            f"{uneven.full_weeks} full weeks were famine weeks (under {band} of its weekly average)."
        )
    return lines


def _speed(data: ReportData, sources: list[GroupFigures]) -> list[str]:
    if not data.has_activity:
        return [
            "No sales activity is loaded yet, so the funnel stops at MQL and the time to "
            "first contact is unknown."
        ]
    timed = [g for g in sources if g.median_hours_to_contact is not None]
    if len(timed) < 2:
        return []
    fast = min(timed, key=lambda g: (g.median_hours_to_contact, g.name))
    slow = max(timed, key=lambda g: (g.median_hours_to_contact, g.name))
    return [
        f"Sales contacted {fast.name} leads fastest (median {fmt.hours(fast.median_hours_to_contact)}); "
        f"{slow.name} leads waited longest (median {fmt.hours(slow.median_hours_to_contact)})."
    ]


def _cost(data: ReportData, sources: list[GroupFigures]) -> list[str]:
    if not data.has_spend:
        return [data.spend_note or "No spend data is loaded, so cost per lead is not shown."]
    # Only paid sources compete for "lowest cost": a free source (spend 0) would always win.
    sources = [g for g in sources if g.spend]
    unit = f" {data.currency}" if data.currency else ""
    for measure, cost, label in (
        ("qualified lead", "cost_per_qualified", "sales-qualified lead"),
        ("new lead", "cost_per_lead", None),
    ):
        priced = [g for g in sources if getattr(g, cost) is not None]
        if not priced:
            continue
        best = min(priced, key=lambda g: (getattr(g, cost), g.name))
        tail = (
            f" ({fmt.money(best.cost_per_lead)}{unit} per new lead)."
            if label
            else "; no paid source has a sales-qualified lead yet."
        )
        if len(sources) == 1:
            return [
                f"{best.name}, the only paid source (with spend loaded), costs "
                f"{fmt.money(getattr(best, cost))}{unit} per {measure}{tail}"
            ]
        return [
            f"Among the {len(sources)} paid sources (those with spend loaded), {best.name} has the "
            f"lowest cost per {measure}: {fmt.money(getattr(best, cost))}{unit}{tail}"
        ]
    return ["Spend is loaded, but none of it matches a source with leads in this period."]


def _accounts(data: ReportData) -> list[str]:
    ta = data.target_accounts
    if ta is None or ta.total == 0:
        return ["No target-account list is loaded, so account coverage is not shown."]
    deep = sum(n for stage, n in ta.by_furthest_stage if stage in ("opportunity", "won"))
    return [
        f"{fmt.count(ta.with_leads)} of {fmt.count(ta.total)} target accounts have leads; "
        f"{fmt.count(deep)} reached opportunity or won."
    ]
