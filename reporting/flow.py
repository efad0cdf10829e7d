"""Lead flow per source: records per week, each week judged against the source's own average.

Below (1 - band) x mean is famine, above (1 + band) x mean is feast; `band` is
`monitoring.feast_famine_band`, the one the lead-flow mart uses. A source's flow starts in the
week of its first record ever (weeks before it existed are not famine), zeros included from then
on. Weeks cut by the period's edges are shown, never judged (the first week is only cut when
the period leaves out older records; the last may not be over), and a source with fewer than
MIN_JUDGED_WEEKS full weeks, or no record in any of them, is not judged at all.

SQL counts records per source and week; the grid, mean and spread are a few lines of Python.
"""

from __future__ import annotations

import datetime as dt
import statistics

from leadsync.reporting.figures import MIN_JUDGED_WEEKS, SourceSteadiness, WeekFlow
from leadsync.reporting.touches import happened_sql
from leadsync.reporting.warehouse import Marts

WEEK = dt.timedelta(days=7)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def weekly_flow(
    marts: Marts, basis: str, start: dt.date, end: dt.date, band: float, *, cut_start: bool
) -> tuple[list[WeekFlow], list[SourceSteadiness]]:
    happened = happened_sql(basis)
    touches = marts.table("fct_lead_touches")
    counts: dict[str, dict[dt.date, int]] = {}
    for name, week, n in marts.rows(
        f"""
        select t.source_name, cast(date_trunc('week', {happened}) as date), count(*)
        from {touches} t where cast({happened} as date) between ? and ?
        group by 1, 2""",
        [start, end],
    ):
        counts.setdefault(name, {})[_day(week)] = int(n)
    spans = {
        name: (_day(first), _day(last))
        for name, first, last in marts.rows(
            f"""
            select t.source_name, cast(min({happened}) as date),
                   cast(max(case when cast({happened} as date) <= ? then {happened} end) as date)
            from {touches} t group by 1""",
            [end],
        )
        if name in counts
    }
    weeks: list[WeekFlow] = []
    steadiness = []
    for name in sorted(counts):
        first, last = spans[name]
        grid = []
        week = max(_monday(first), _monday(start))
        while week <= end:
            partial = (cut_start and week < start) or week + dt.timedelta(days=6) > end
            grid.append((week, counts[name].get(week, 0), partial))
            week += WEEK
        full = [n for _, n, partial in grid if not partial]
        mean = statistics.fmean(full) if full else 0.0
        sd = statistics.pstdev(full) if full else 0.0
        judged = len(full) >= MIN_JUDGED_WEEKS and mean > 0
        statuses = [_status(n, partial, judged, mean, band) for _, n, partial in grid]
        weeks += [WeekFlow(name, w, n, p, s) for (w, n, p), s in zip(grid, statuses, strict=True)]
        active_from = max(_monday(first), start)  # the span its weeks in the chart cover
        steadiness.append(
            SourceSteadiness(
                source_name=name,
                full_weeks=len(full),
                mean_per_week=mean,
                cv=sd / mean if mean else None,
                famine_weeks=statuses.count("famine"),
                feast_weeks=statuses.count("feast"),
                days_since_last=(end - last).days,
                first_week=_monday(first),
                records_per_week=sum(counts[name].values()) * 7 / ((end - active_from).days + 1),
            )
        )
    return weeks, steadiness


def _status(records: int, partial: bool, judged: bool, mean: float, band: float) -> str:
    if partial:
        return "partial week"
    if not judged:
        return "not judged"
    if records < (1 - band) * mean:
        return "famine"
    if records > (1 + band) * mean:
        return "feast"
    return "steady"
