"""The report's figures, read from the marts with DuckDB SQL (aggregates only come back to Python).

Why compute per period from `fct_lead_touches` / `dim_leads` / `fct_lead_funnel` instead of summing
the weekly rows of `fct_source_quality`: rates and medians do not add up across weeks, and the
report rolls the same records up three ways (per source, per channel across sources, per
inbound/outbound) for any period the reader picks. The definitions follow the marts':
first-touch attribution, duplicates = records about a person already known, funnel stages as the
contract orders them. Optional marts (a spend table, `dim_accounts`) are used when present and
said to be missing when not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import lead_source_types
from leadsync.reporting.warehouse import ReportError, mart_columns, table

# The contract's funnel (CONTRACT.md, fct_lead_funnel). `mql` is leadsync's own ICP decision and
# does not imply sales stages; the sales stages are cumulative: a lead that reached `won` also
# counts as contacted, responded, qualified and opportunity even where activity skipped a step.
FUNNEL_STAGES: tuple[str, ...] = ("new", "mql", "contacted", "responded", "qualified", "opportunity", "won")
SALES_STAGES: tuple[str, ...] = FUNNEL_STAGES[2:]
NO_CHANNEL = "(none)"  # as fct_source_quality names a missing channel
# A source's lead flow is only judged (famine / feast, steadiest) once it has this many full
# weeks since its first record: one or two weeks say nothing about how steady a source is.
MIN_JUDGED_WEEKS = 4
# Every date in the report is when a record happened: fct_lead_touches.touched_at, the record's
# own submit / scan / creation time (else its load time), as fct_source_quality groups weeks.
# received_at (when leadsync loaded it: for a CSV file, the file's modification time) is only
# used for marts that predate touched_at.
ALL_SOURCES = "All sources"
TOP_REASONS = 8

REQUIRED_MARTS: dict[str, tuple[str, ...]] = {
    "fct_lead_touches": (
        "touch_id",
        "lead_id",
        "source_name",
        "received_at",
        "channel",
        "is_valid",
        "invalid_reason",
    ),
    "dim_leads": ("lead_id", "lead_origin", "is_mql", "disqualification_reason"),
    "fct_lead_funnel": ("lead_id", "stage", "entered_at"),
}


@dataclass(frozen=True)
class GroupFigures:
    """One row of the figures table: a source, a channel, an origin, or everything."""

    level: str  # source | channel | origin | overall
    name: str
    origin: str | None
    records: int  # records received in the period (touches)
    new_leads: int  # people whose first record ever arrived here, in the period
    valid_records: int
    stage_counts: dict[str, int]  # FUNNEL_STAGES -> new leads that reached it
    disqualified: int
    median_hours_to_contact: float | None
    spend: float | None = None
    test_records: int = 0  # platform test submissions: neither new leads nor duplicates

    @property
    def duplicates(self) -> int:
        return self.records - self.new_leads - self.test_records

    @property
    def duplicate_rate(self) -> float | None:
        return _ratio(self.duplicates, self.records)

    @property
    def valid_rate(self) -> float | None:
        return _ratio(self.valid_records, self.records)

    def rate(self, stage: str) -> float | None:
        """Share of this group's new leads that reached `stage`."""
        return _ratio(self.stage_counts.get(stage, 0), self.new_leads)

    @property
    def cost_per_lead(self) -> float | None:
        return None if self.spend is None else _ratio(self.spend, self.new_leads)

    @property
    def cost_per_qualified(self) -> float | None:
        return None if self.spend is None else _ratio(self.spend, self.stage_counts.get("qualified", 0))


@dataclass(frozen=True)
class WeekFlow:
    source_name: str
    week_start: dt.date
    records: int
    partial: bool  # the week runs past the period's edge: shown, never judged
    status: str  # steady | famine | feast | partial week | not judged


@dataclass(frozen=True)
class SourceSteadiness:
    source_name: str
    full_weeks: int
    mean_per_week: float
    cv: float | None  # coefficient of variation of weekly records (lower = steadier)
    famine_weeks: int
    feast_weeks: int
    days_since_last: int
    first_week: dt.date | None = None  # the week of the source's first record ever

    @property
    def judged(self) -> bool:
        """Enough full weeks since the source's first record (with records in them) to call it
        steady or not."""
        return self.full_weeks >= MIN_JUDGED_WEEKS and self.mean_per_week > 0


@dataclass
class ReportData:
    """Everything the page shows, already aggregated."""

    marts_path: str
    period_start: dt.date | None
    period_end: dt.date | None
    period_days: int | None
    feast_famine_band: float
    time_basis: str = "touched_at"  # the fct_lead_touches column every date in the report uses
    groups: list[GroupFigures] = field(default_factory=list)
    weekly_flow: list[WeekFlow] = field(default_factory=list)
    steadiness: list[SourceSteadiness] = field(default_factory=list)
    disqualification_reasons: list[tuple[str, int]] = field(default_factory=list)
    invalid_reasons: list[tuple[str, int]] = field(default_factory=list)
    has_activity: bool = False
    has_spend: bool = False
    spend_note: str | None = None  # why costs are not shown, when spend exists but cannot be used
    currency: str | None = None
    target_accounts: TargetAccounts | None = None
    quiet_sources: list[str] = field(default_factory=list)

    def level(self, level: str) -> list[GroupFigures]:
        return [g for g in self.groups if g.level == level]

    @property
    def overall(self) -> GroupFigures | None:
        rows = self.level("overall")
        return rows[0] if rows else None


@dataclass(frozen=True)
class TargetAccounts:
    total: int
    with_leads: int
    by_furthest_stage: list[tuple[str, int]]  # ("no leads" | stage, accounts), in funnel order
    top: list[dict[str, Any]]  # the furthest-reaching target accounts: name, leads, stage


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


# ---------------------------------------------------------------------------------------------
def load_report_data(
    con: duckdb.DuckDBPyConnection, config: LeadsyncConfig, *, period_days: int | None, marts_path: str
) -> ReportData:
    """Run every query of the report against the attached marts."""
    columns = mart_columns(con)
    _check_required(columns)
    band = config.monitoring.feast_famine_band
    basis = time_basis(columns)
    happened = _happened_sql(basis)
    first, last = con.execute(
        f"select min({happened})::date, max({happened})::date from {table('fct_lead_touches')} t"
    ).fetchone()
    if last is None:
        return ReportData(
            marts_path, None, None, period_days, band, basis, quiet_sources=_lead_source_names(config)
        )
    start = first if not period_days else max(first, last - dt.timedelta(days=period_days - 1))
    data = ReportData(marts_path, start, last, period_days, band, basis)

    _stage_table(con)
    _period_touches(con, config, columns, happened, start, last)
    data.has_activity = bool(
        con.execute("select count(*) from lead_stage where sales_level > 0").fetchone()[0]
    )
    spend, data.currency, data.spend_note = _spend_by_source(
        con, columns, start, last, whole_history=start == first
    )
    data.has_spend = spend is not None
    data.groups = _group_figures(con, spend)
    _fill_rollup_spend(data)
    data.weekly_flow, data.steadiness = _flow(con, start, last, band, cut_start=start > first)
    data.disqualification_reasons = _rows(
        con,
        f"""
        select disqualification_reason, count(*) from period_touches
        where is_first_touch and disqualification_reason is not null and disqualification_reason <> ''
        group by 1 order by 2 desc, 1 limit {TOP_REASONS}""",
    )
    data.invalid_reasons = _rows(
        con,
        f"""
        select coalesce(nullif(invalid_reason, ''), 'no reason given'), count(*) from period_touches
        where not is_valid group by 1 order by 2 desc, 1 limit {TOP_REASONS}""",
    )
    data.target_accounts = _target_accounts(con, columns)
    seen = {g.name for g in data.level("source")}
    data.quiet_sources = [n for n in _lead_source_names(config) if n not in seen]
    return data


def time_basis(columns: dict[str, set[str]]) -> str:
    """touched_at when the touches mart has it (it should), else received_at."""
    return "touched_at" if "touched_at" in columns.get("fct_lead_touches", set()) else "received_at"


def _happened_sql(basis: str) -> str:
    """When a touch (alias t) happened, as a UTC timestamp without time zone.

    touched_at is UTC without a zone in the marts; received_at may carry one, and the connection
    runs in UTC (reporting.warehouse), so the cast gives UTC wall time either way.
    """
    if basis == "touched_at":
        return "coalesce(t.touched_at::timestamp, t.received_at::timestamp)"
    return "t.received_at::timestamp"


def _check_required(columns: dict[str, set[str]]) -> None:
    problems = []
    for name, needed in REQUIRED_MARTS.items():
        if name not in columns:
            problems.append(f"marts.{name} is missing")
            continue
        missing = [c for c in needed if c not in columns[name]]
        if missing:
            problems.append(f"marts.{name} lacks {', '.join(missing)}")
    if problems:
        raise ReportError(
            "The marts are not built yet (" + "; ".join(problems) + "). "
            "Run `leadsync transform` (or `leadsync sync`), then `leadsync report`."
        )


def _lead_source_names(config: LeadsyncConfig) -> list[str]:
    return [s.name for s in config.sources_of_type(*lead_source_types())]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql, params or []).fetchall()]


def _stage_table(con: duckdb.DuckDBPyConnection) -> None:
    """lead_stage: per lead, the furthest sales stage (0 = none), MQL flag, first contact time."""
    levels = " ".join(f"when '{s}' then {i}" for i, s in enumerate(SALES_STAGES, start=1))
    con.execute(f"""
        create or replace temp table lead_stage as
        select lead_id,
               bool_or(stage = 'mql') as reached_mql,
               max(case stage {levels} else 0 end) as sales_level,
               min(entered_at) filter (where stage = 'contacted') as contacted_at
        from {table("fct_lead_funnel")}
        group by lead_id
    """)


def _period_touches(
    con: duckdb.DuckDBPyConnection,
    config: LeadsyncConfig,
    columns: dict[str, set[str]],
    happened: str,
    start: dt.date,
    end: dt.date,
) -> None:
    """period_touches: the period's records (by when they happened) with first-touch flag,
    origin, stage and timing; source_first_seen: each source's first record, over all time."""
    con.execute("create or replace temp table source_origin (source_name varchar, origin varchar)")
    origins = [(s.name, s.origin) for s in config.sources]
    if origins:
        con.executemany("insert into source_origin values (?, ?)", origins)
    touch_cols, lead_cols = columns["fct_lead_touches"], columns["dim_leads"]
    stage = "l.current_stage" if "current_stage" in lead_cols else "null"
    # Prefer the marts' own decisions where they carry them, so the report agrees with BI.
    first_touch = (
        "coalesce(t.is_new_lead, false)"
        if "is_new_lead" in touch_cols
        else "case when t.lead_id is null then false else row_number() over ("
        f"partition by t.lead_id order by {happened}, t.touch_id) = 1 end"
    )
    touch_origin = "r.lead_origin, " if "lead_origin" in touch_cols else ""
    is_test = "coalesce(r.is_test, false)" if "is_test" in touch_cols else "false"
    hours = (
        "l.hours_to_first_contact"
        if "hours_to_first_contact" in lead_cols
        else "case when s.contacted_at >= r.lead_first_at "
        "then epoch(s.contacted_at - r.lead_first_at) / 3600.0 end"
    )
    con.execute(
        f"""
        create or replace temp table period_touches as
        with ranked as (
            select t.*,
                   {happened} as happened_at,
                   {first_touch} as is_first_touch,
                   min({happened}) over (partition by t.lead_id) as lead_first_at
            from {table("fct_lead_touches")} t
        )
        select r.touch_id, r.lead_id, r.source_name,
               coalesce(nullif(trim(r.channel), ''), '{NO_CHANNEL}') as channel,
               coalesce({touch_origin}o.origin, l.lead_origin, 'unknown') as origin,
               r.happened_at,
               coalesce(r.is_valid, false) as is_valid,
               r.invalid_reason,
               r.is_first_touch,
               {is_test} as is_test,
               coalesce(l.is_mql, s.reached_mql, false) as is_mql,
               coalesce(s.sales_level, 0) as sales_level,
               {hours} as hours_to_contact,
               l.disqualification_reason,
               {stage} as current_stage
        from ranked r
        left join source_origin o using (source_name)
        left join {table("dim_leads")} l on l.lead_id = r.lead_id
        left join lead_stage s on s.lead_id = r.lead_id
        where r.happened_at::date between ? and ?
    """,
        [start, end],
    )
    con.execute(f"""
        create or replace temp table source_first_seen as
        select source_name, min({happened}) as first_at
        from {table("fct_lead_touches")} t group by source_name
    """)


def _group_figures(con: duckdb.DuckDBPyConnection, spend: dict[str, float] | None) -> list[GroupFigures]:
    stage_cols = ",\n".join(
        f'count(*) filter (where is_first_touch and sales_level >= {i}) as "{s}"'
        for i, s in enumerate(SALES_STAGES, start=1)
    )
    rows = con.execute(f"""
        select case when grouping(source_name) = 0 then 'source'
                    when grouping(channel) = 0 then 'channel'
                    when grouping(origin) = 0 then 'origin'
                    else 'overall' end as level,
               coalesce(source_name, channel, origin, '{ALL_SOURCES}') as name,
               case when grouping(source_name) = 0 then any_value(origin)
                    when grouping(origin) = 0 then origin end as origin,
               count(*) as records,
               count(*) filter (where is_first_touch) as new_leads,
               count(*) filter (where is_test) as test_records,
               count(*) filter (where is_valid) as valid_records,
               count(*) filter (where is_first_touch and is_mql) as mql,
               {stage_cols},
               count(*) filter (where is_first_touch and disqualification_reason is not null
                                and disqualification_reason <> '') as disqualified,
               median(hours_to_contact) filter (where is_first_touch) as median_hours
        from period_touches
        group by grouping sets ((source_name), (channel), (origin), ())
        order by level, records desc, name
    """).fetchall()
    names = [d[0] for d in con.description]
    out = []
    for row in rows:
        r = dict(zip(names, row))
        counts = {"new": r["new_leads"], "mql": r["mql"], **{s: r[s] for s in SALES_STAGES}}
        out.append(
            GroupFigures(
                level=r["level"],
                name=r["name"],
                origin=r["origin"],
                records=r["records"],
                new_leads=r["new_leads"],
                valid_records=r["valid_records"],
                stage_counts=counts,
                disqualified=r["disqualified"],
                median_hours_to_contact=None if r["median_hours"] is None else float(r["median_hours"]),
                spend=_group_spend(r["level"], r["name"], spend),
                test_records=r["test_records"],
            )
        )
    return out


def _group_spend(level: str, name: str, spend: dict[str, float] | None) -> float | None:
    """Spend is known per source; origins and the total are filled by _fill_rollup_spend, and
    channels get none: spend is not booked per channel."""
    return spend.get(name) if spend is not None and level == "source" else None


def _flow(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, band: float, *, cut_start: bool
) -> tuple[list[WeekFlow], list[SourceSteadiness]]:
    """Weekly records per source, judged against the source's own mean over its full weeks:
    below (1 - band) x mean is famine, above (1 + band) x mean is feast. `band` is
    `monitoring.feast_famine_band`, the same one the lead-flow mart uses.

    A source's flow starts in the week of its first record ever (weeks before it existed are not
    famine), zeros included from then on. Weeks cut by the period's edges are shown, never judged
    (the first week is only cut when the period leaves out older records: `cut_start`; the last
    is not over yet), and a source with fewer than MIN_JUDGED_WEEKS full weeks, or no record in
    any of them, is not judged at all.
    """
    rows = con.execute(
        """
        with weeks as (
            select unnest(generate_series(date_trunc('week', ?::date), date_trunc('week', ?::date),
                                          interval 7 day))::date as week_start
        ),
        sources as (
            select s.source_name, date_trunc('week', f.first_at)::date as first_week
            from (select distinct source_name from period_touches) s
            join source_first_seen f using (source_name)
        ),
        counts as (
            select source_name, date_trunc('week', happened_at)::date as week_start,
                   count(*) as records
            from period_touches group by all
        ),
        grid as (
            select s.source_name, s.first_week, w.week_start, coalesce(c.records, 0) as records,
                   ((? and w.week_start < ?::date) or w.week_start + 6 > ?::date) as partial
            from sources s join weeks w on w.week_start >= s.first_week
            left join counts c using (source_name, week_start)
        ),
        judged as (
            select *,
                   avg(case when not partial then records end)
                       over (partition by source_name) as mean_records,
                   stddev_pop(case when not partial then records end)
                       over (partition by source_name) as sd_records,
                   count(*) filter (where not partial)
                       over (partition by source_name) as full_weeks
            from grid
        )
        select source_name, week_start, records, partial,
               case when partial then 'partial week'
                    when full_weeks < ? or mean_records = 0 then 'not judged'
                    when records < (1 - ?) * mean_records then 'famine'
                    when records > (1 + ?) * mean_records then 'feast'
                    else 'steady' end as status,
               mean_records, sd_records, first_week
        from judged order by source_name, week_start
    """,
        [start, end, cut_start, start, end, MIN_JUDGED_WEEKS, band, band],
    ).fetchall()
    weeks = [WeekFlow(r[0], r[1], int(r[2]), bool(r[3]), r[4]) for r in rows]
    last_seen = dict(
        con.execute("select source_name, max(happened_at)::date from period_touches group by 1").fetchall()
    )
    steadiness = []
    for name in sorted({w.source_name for w in weeks}):
        mine = [r for r in rows if r[0] == name]
        full = [w for w in weeks if w.source_name == name and not w.partial]
        mean, sd = mine[0][5], mine[0][6]
        steadiness.append(
            SourceSteadiness(
                source_name=name,
                full_weeks=len(full),
                mean_per_week=float(mean or 0),
                cv=float(sd / mean) if mean else None,
                famine_weeks=sum(w.status == "famine" for w in full),
                feast_weeks=sum(w.status == "feast" for w in full),
                days_since_last=(end - last_seen[name]).days,
                first_week=mine[0][7],
            )
        )
    return weeks, steadiness


def _find(columns: set[str], *candidates: str) -> str | None:
    return next((c for c in candidates if c in columns), None)


def _spend_by_source(
    con: duckdb.DuckDBPyConnection,
    columns: dict[str, set[str]],
    start: dt.date,
    end: dt.date,
    *,
    whole_history: bool,
) -> tuple[dict[str, float] | None, str | None, str | None]:
    """(spend per lead source, currency, note) for the period, from whichever spend mart exists.

    A monthly spend mart is summed over the months the period touches (a period covering part of
    a month counts that month's whole spend: spend is booked monthly). A per-source total without
    months (fct_source_summary.spend) only matches a report over the whole history.
    """
    monthly, totals = [], []
    for name in sorted(columns):
        cols = columns[name]
        src = _find(cols, "lead_source_name", "source_name")
        amount = _find(cols, "spend", "spend_amount", "total_spend") or (
            "amount" if "spend" in name else None
        )
        if not (src and amount):
            continue
        month = _find(cols, "month", "month_start", "spend_month")
        (monthly if month else totals).append((name, src, amount, month, _find(cols, "currency")))
    if monthly:
        name, src, amount, month, currency = monthly[0]
        where = "m between date_trunc('month', ?::date) and ?::date"
        params: list[Any] = [start, end]
        month_sql = f"coalesce(try_cast({month} as date), try_cast({month} || '-01' as date))"
    elif totals and whole_history:
        name, src, amount, month, currency = totals[0]
        where, params, month_sql = "true", [], "null"
    elif totals:
        return (
            None,
            None,
            (
                "Spend is only known as a total over all time, so cost per lead is "
                "shown on the report over all data (no period), not on this one."
            ),
        )
    else:
        return None, None, None
    rows = con.execute(
        f"""
        with s as (
            select {src} as source_name, try_cast({amount} as double) as amount, {month_sql} as m,
                   {currency or "null"} as currency
            from {table(name)}
        )
        select source_name, sum(amount), string_agg(distinct upper(currency), ', ') from s
        where {where} and amount is not null
        group by 1
    """,
        params,
    ).fetchall()
    currencies = {r[2] for r in rows if r[2]}
    return ({r[0]: float(r[1]) for r in rows}, currencies.pop() if len(currencies) == 1 else None, None)


def _fill_rollup_spend(data: ReportData) -> None:
    """Give each origin, and the total, the spend of its sources when every one has spend known:
    a cost per lead over a mix of paid and unknown-cost leads would look cheaper than it is."""
    if not data.has_spend:
        return
    sources = data.level("source")
    out = []
    for g in data.groups:
        if g.level in ("origin", "overall"):
            mine = [s for s in sources if g.level == "overall" or s.origin == g.name]
            if mine and all(s.spend is not None for s in mine):
                g = replace(g, spend=sum(s.spend or 0 for s in mine))
        out.append(g)
    data.groups = out


def _target_accounts(con: duckdb.DuckDBPyConnection, columns: dict[str, set[str]]) -> TargetAccounts | None:
    """Target-account coverage from dim_accounts, or None when there is no such mart / flag."""
    cols = columns.get("dim_accounts", set())
    if "is_target_account" not in cols:
        return None
    stage_col = _find(cols, "furthest_stage", "furthest_stage_reached", "max_stage", "stage")
    leads_col = _find(cols, "lead_count", "leads", "n_leads", "leads_count")
    name_col = _find(cols, "company_name", "account_name", "name") or "account_id"
    order = " ".join(f"when '{s}' then {i}" for i, s in enumerate(FUNNEL_STAGES))
    if stage_col and leads_col:
        accounts = f"""
            select {name_col} as name, coalesce({leads_col}, 0) as leads, {stage_col} as stage
            from {table("dim_accounts")} where is_target_account"""
    elif "company_domain" in cols and "company_domain" in columns.get("dim_leads", set()):
        # No roll-up columns: count leads per account by domain and take their furthest stage.
        sales = " ".join(f"when {i} then '{s}'" for i, s in enumerate(SALES_STAGES, start=1))
        accounts = f"""
            select a.{name_col} as name, count(l.lead_id) as leads,
                   case when max(s.sales_level) > 0 then (case max(s.sales_level) {sales} end)
                        when bool_or(coalesce(l.is_mql, false)) then 'mql'
                        when count(l.lead_id) > 0 then 'new' end as stage
            from {table("dim_accounts")} a
            left join {table("dim_leads")} l
                   on lower(l.company_domain) = lower(a.company_domain)
            left join lead_stage s on s.lead_id = l.lead_id
            where a.is_target_account group by a.account_id, a.{name_col}"""
    else:
        return None
    rows = con.execute(f"""
        with acc as ({accounts}),
        ranked as (
            select name, leads, case when leads > 0 then lower(stage) end as stage,
                   case when leads > 0 then coalesce(case lower(stage) {order} end, 0) else -1 end as rk
            from acc
        )
        select name, leads, stage, rk from ranked order by rk desc, leads desc, name
    """).fetchall()
    counts: dict[str, int] = {}
    for _, _leads, stage, rk in rows:
        key = "no leads" if rk < 0 else (stage if stage in FUNNEL_STAGES else "new")
        counts[key] = counts.get(key, 0) + 1
    ordered = [(k, counts[k]) for k in ("no leads", *FUNNEL_STAGES) if k in counts]
    top = [{"name": r[0] or "(no name)", "leads": int(r[1]), "stage": r[2] or "no leads"} for r in rows[:10]]
    return TargetAccounts(
        total=len(rows), with_leads=sum(1 for r in rows if r[3] >= 0), by_furthest_stage=ordered, top=top
    )
