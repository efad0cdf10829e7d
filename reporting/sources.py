"""Per source, per channel, per origin and overall: volume, duplicates, validity and the funnel.

One grouping-sets query over the period's records (touches.period_touches_cte), so the four
roll-ups count the same records the same way. Rates and medians are computed per group here, not
summed from fct_source_quality's weekly rows: rates do not add up across weeks, and the reader
picks the period.
"""

from __future__ import annotations

import datetime as dt

from leadsync.reporting.figures import ALL_SOURCES, GroupFigures
from leadsync.reporting.touches import period_touches_cte, reached_column
from leadsync.reporting.warehouse import Marts


def group_figures(
    marts: Marts, basis: str, stages: tuple[str, ...], start: dt.date, end: dt.date
) -> list[GroupFigures]:
    stage_cols = ",\n".join(
        f"count(*) filter (where is_first_touch and {reached_column(s)} = 1) as {reached_column(s)}"
        for s in stages
    )
    sql = f"""
        with {period_touches_cte(marts, basis, stages)}
        select case when grouping(source_name) = 0 then 'source'
                    when grouping(channel) = 0 then 'channel'
                    when grouping(origin) = 0 then 'origin'
                    else 'overall' end as level,
               coalesce(source_name, channel, origin, '{ALL_SOURCES}') as name,
               case when grouping(source_name) = 0 then max(origin)
                    when grouping(origin) = 0 then origin end as origin,
               count(*) as records,
               count(*) filter (where is_first_touch) as new_leads,
               count(*) filter (where is_test) as test_records,
               count(*) filter (where is_valid) as valid_records,
               count(*) filter (where is_first_touch and disqualification_reason is not null
                                and disqualification_reason <> '') as disqualified,
               percentile_cont(0.5) within group (
                   order by case when is_first_touch then hours_to_contact end) as median_hours,
               {stage_cols}
        from period_touches
        group by grouping sets ((source_name), (channel), (origin), ())
    """
    out = []
    for row in marts.rows(sql, [start, end]):
        level, name, origin, records, new, tests, valid, dq, median, *counts = row
        out.append(
            GroupFigures(
                level=level,
                name=name,
                origin=origin,
                records=int(records),
                new_leads=int(new),
                valid_records=int(valid),
                stage_counts={s: int(n) for s, n in zip(stages, counts, strict=True)},
                disqualified=int(dq),
                median_hours_to_contact=None if median is None else float(median),
                test_records=int(tests),
            )
        )
    # sorted here, not in SQL: text order (collation) differs between DuckDB and PostgreSQL
    return sorted(out, key=lambda g: (g.level, -g.records, g.name))
