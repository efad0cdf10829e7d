"""Health checks that tell a data team a source went quiet or broke before marketing notices.

- freshness: hours since the newest lead of each source happened (`touched_at` in the marts:
  when the person submitted or was captured), against `freshness_hours`; load time beside it.
- quarantine growth: a sync that quarantines more than `monitoring.quarantine_max_share`.
- lead flow: a source's last 7 days below `monitoring.lead_flow_min_share` of its trailing
  4-week weekly average, read from `marts.fct_lead_flow` (the early sign of a lead famine).
- webhook backlog: the oldest undrained submission older than `webhooks.max_undrained_age_minutes`.

Quarantine reads the metadata each load records (no warehouse access, so it never waits for the
writer). Freshness and lead flow read the marts read-only inside the writers' pool, after the
marts are built. The per-source checks are one step each for all sources (multi-asset checks),
not one step per source and check.
dbt tests are checks too; dagster-dbt builds those (see assets/transform.py).
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    asset_check,
    multi_asset_check,
)

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import SOURCE_TYPES, main_table
from leadsync.orchestration.alerts import send_alert
from leadsync.orchestration.assets.ingestion import NEWEST_LOADED_AT, dlt_asset_key
from leadsync.orchestration.resources import WAREHOUSE_POOL

LEAD_FLOW_MART = "fct_lead_flow"
LEAD_FLOW_KEY = AssetKey(["marts", LEAD_FLOW_MART])
TOUCHES_KEY = AssetKey(["marts", "fct_lead_touches"])
TOUCHES_RELATION = "marts.fct_lead_touches"  # touched_at: the lead's own time; loaded_at: load time
# Columns of marts.fct_lead_flow the check needs (see transform/models/marts/*.yml).
FLOW_SOURCE_COL = "source_name"
FLOW_DATE_COL = "flow_date"
FLOW_LEADS_COL = "leads_received"
RECENT_DAYS = 7
TRAILING_WEEKS = 4

log = logging.getLogger("leadsync.checks")


def _previously_failed(context: AssetCheckExecutionContext, check_key: AssetCheckKey) -> bool:
    """Whether this check's last finished evaluation (before the one running now) failed."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    done = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
    try:
        history = context.instance.event_log_storage.get_asset_check_execution_history(
            check_key, limit=5, status=done
        )
    except Exception:  # noqa: BLE001 - unknown history: alert rather than stay silent
        return False
    return bool(history) and history[0].status == AssetCheckExecutionRecordStatus.FAILED


def alerting(
    config: LeadsyncConfig,
    context: AssetCheckExecutionContext,
    key: AssetKey,
    name: str,
    result: AssetCheckResult,
) -> AssetCheckResult:
    """Send an alert when a check starts failing (not again on every run while it stays failed)."""
    if not result.passed and not _previously_failed(context, AssetCheckKey(key, name)):
        send_alert(config, f"leadsync check `{name}` on {key.to_user_string()}: {result.description}")
    return result


def _latest_load_metadata(context: AssetCheckExecutionContext, key: AssetKey) -> dict[str, Any] | None:
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


# ---------------------------------------------------------------------------------------------
# freshness (by the lead's own time) and quarantine growth: one step each for every source
# ---------------------------------------------------------------------------------------------
def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ago(hours: float) -> str:
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def freshness_result(
    newest_touch: Any, max_hours: float, loaded_at: Any = None, now: datetime | None = None
) -> AssetCheckResult:
    """Pass when the source's newest lead happened (`touched_at`: when the person submitted or was
    captured) at most `max_hours` ago. `loaded_at` (when it reached the warehouse) is shown beside
    it and never decides: a file of two-month-old leads loaded today is not fresh."""
    now = now or datetime.now(UTC)
    touched, loaded = _as_utc(newest_touch), _as_utc(loaded_at)
    meta: dict[str, Any] = {"max_age_hours": MetadataValue.float(float(max_hours))}
    load_part = ""
    if loaded is not None:
        load_hours = (now - loaded).total_seconds() / 3600
        meta["newest_loaded_at"] = MetadataValue.timestamp(loaded)
        meta["load_age_hours"] = MetadataValue.float(round(load_hours, 2))
        load_part = f"; last loaded {_ago(load_hours)} ago ({_when(loaded)})"
    if touched is None:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"No lead from this source is in the marts yet{load_part}.",
            metadata=meta,
        )
    age_hours = (now - touched).total_seconds() / 3600
    passed = age_hours <= max_hours
    meta["newest_lead_at"] = MetadataValue.timestamp(touched)
    meta["age_hours"] = MetadataValue.float(round(age_hours, 2))
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"The newest lead happened {_ago(age_hours)} ago ({_when(touched)}; limit {max_hours:g} h)"
            f"{load_part}."
            + ("" if passed else " The source may have gone quiet or stopped exporting new leads.")
        ),
        metadata=meta,
    )


def newest_touches(con: duckdb.DuckDBPyConnection, relation: str = TOUCHES_RELATION) -> dict[str, tuple]:
    """source_name -> (newest touched_at, newest loaded_at) in the marts."""
    try:
        rows = con.execute(
            f"select source_name, max(touched_at), max(loaded_at) from {relation} group by 1"
        ).fetchall()
    except duckdb.Error:  # not built yet
        return {}
    return {r[0]: (r[1], r[2]) for r in rows}


def _freshness_checks(config: LeadsyncConfig, keys: dict[str, AssetKey]) -> AssetChecksDefinition:
    """`freshness` on every lead source's main asset, evaluated in one step after the marts."""
    limits = {n: config.source(n).freshness_hours or config.monitoring.freshness_hours for n in keys}
    by_check = {AssetCheckKey(k, "freshness"): n for n, k in keys.items()}

    @multi_asset_check(
        name="source_freshness",
        specs=[
            AssetCheckSpec(
                "freshness",
                asset=key,
                additional_deps=[TOUCHES_KEY],  # judged from the marts, so after they are built
                description=f"The newest lead from {name} (touched_at) is at most {limits[name]:g} h old.",
            )
            for name, key in keys.items()
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,
    )
    def _check(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        newest: dict[str, tuple] = {}
        if config.warehouse_path.exists():
            con = duckdb.connect(str(config.warehouse_path), read_only=True)
            try:
                newest = newest_touches(con)
            finally:
                con.close()
        for check_key in sorted(context.selected_asset_check_keys, key=str):
            name = by_check[check_key]
            touched, mart_loaded = newest.get(name, (None, None))
            loaded = (_latest_load_metadata(context, check_key.asset_key) or {}).get(NEWEST_LOADED_AT)
            result = freshness_result(touched, limits[name], loaded if loaded is not None else mart_loaded)
            yield alerting(config, context, check_key.asset_key, "freshness", _for(check_key, result))

    return _check


def _for(check_key: AssetCheckKey, result: AssetCheckResult) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=check_key.asset_key,
        check_name=check_key.name,
        passed=result.passed,
        severity=result.severity,
        description=result.description,
        metadata=result.metadata,
    )


def quarantine_result(loaded: int, quarantined: int, max_share: float) -> AssetCheckResult:
    """Warn when a sync sent more than `max_share` of what it read to quarantine."""
    total = loaded + quarantined
    share = quarantined / total if total else 0.0
    passed = share <= max_share
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"The last sync quarantined {quarantined} of {total} input row(s) "
            f"({share:.1%}; limit {max_share:.1%})."
            + ("" if passed else " Look at raw.quarantine for the reasons.")
        ),
        metadata={
            "quarantined": MetadataValue.int(quarantined),
            "loaded": MetadataValue.int(loaded),
            "share": MetadataValue.float(round(share, 4)),
        },
    )


def _quarantine_checks(config: LeadsyncConfig, keys: list[AssetKey]) -> AssetChecksDefinition:
    """`quarantine_share` on every source's main asset, in one step (it reads load metadata only)."""
    max_share = config.monitoring.quarantine_max_share

    @multi_asset_check(
        name="source_quarantine",
        specs=[
            AssetCheckSpec(
                "quarantine_share",
                asset=key,
                description=f"A sync quarantines at most {max_share:.0%} of its input rows.",
            )
            for key in keys
        ],
        can_subset=True,
    )
    def _check(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        for check_key in sorted(context.selected_asset_check_keys, key=str):
            meta = _latest_load_metadata(context, check_key.asset_key) or {}
            result = quarantine_result(
                int(meta.get("rows_loaded") or 0), int(meta.get("quarantined") or 0), max_share
            )
            yield alerting(config, context, check_key.asset_key, check_key.name, _for(check_key, result))

    return _check


# ---------------------------------------------------------------------------------------------
# lead flow (famine)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceFlow:
    source_name: str
    recent: int  # leads in the last RECENT_DAYS days
    weekly_average: float  # average weekly leads over the TRAILING_WEEKS weeks before that

    @property
    def share(self) -> float | None:
        return self.recent / self.weekly_average if self.weekly_average > 0 else None


def lead_flow_by_source(
    con: duckdb.DuckDBPyConnection, as_of: date | None = None, relation: str = f"marts.{LEAD_FLOW_MART}"
) -> list[SourceFlow]:
    """Per source: leads in the 7 days up to `as_of` vs the average week of the 4 weeks before.

    `as_of` defaults to the newest day in the mart (the last day any source has data): a famine
    is one source falling behind its own habit while data keeps arriving; a warehouse that gets
    nothing at all is the freshness check's job.
    """
    if as_of is None:
        newest = con.execute(f"select max(cast({FLOW_DATE_COL} as date)) from {relation}").fetchone()[0]
        if newest is None:
            return []
        as_of = newest
    recent_start = as_of - timedelta(days=RECENT_DAYS - 1)
    trailing_start = recent_start - timedelta(weeks=TRAILING_WEEKS)
    rows = con.execute(
        f"""
        select {FLOW_SOURCE_COL},
               coalesce(sum({FLOW_LEADS_COL}) filter (
                   where cast({FLOW_DATE_COL} as date) between ? and ?), 0) as recent,
               coalesce(sum({FLOW_LEADS_COL}) filter (
                   where cast({FLOW_DATE_COL} as date) >= ? and cast({FLOW_DATE_COL} as date) < ?), 0)
                   / {TRAILING_WEEKS}.0 as weekly_average
        from {relation}
        group by 1
        order by 1
        """,
        [recent_start, as_of, trailing_start, recent_start],
    ).fetchall()
    return [SourceFlow(r[0], int(r[1]), float(r[2])) for r in rows]


def _times(newest: dict[str, tuple], name: str) -> dict[str, str | None]:
    touched, loaded = (_as_utc(v) for v in newest.get(name, (None, None)))
    return {
        "newest_lead_at": _when(touched) if touched else None,
        "last_loaded_at": _when(loaded) if loaded else None,
    }


def lead_flow_result(
    flows: Sequence[SourceFlow], min_share: float, newest: dict[str, tuple] | None = None
) -> AssetCheckResult:
    """Warn naming every source whose recent volume fell below `min_share` of its usual week.

    The weeks are counted by the leads' own time (`touched_at`, fct_lead_flow.flow_date);
    `newest` (source -> (newest touched_at, newest loaded_at)) puts the load time beside it.
    """
    newest = newest or {}
    famished = [f for f in flows if f.share is not None and f.share < min_share]
    table = {
        f.source_name: {
            "last_7_days": f.recent,
            "weekly_average": round(f.weekly_average, 1),
            "share": None if f.share is None else round(f.share, 3),
            **_times(newest, f.source_name),
        }
        for f in flows
    }

    def said(f: SourceFlow) -> str:
        times = _times(newest, f.source_name)
        extra = "".join(
            f"; {label} {times[k]}"
            for k, label in (("newest_lead_at", "newest lead"), ("last_loaded_at", "last loaded"))
            if times[k]
        )
        return f"{f.source_name} ({f.recent} vs ~{f.weekly_average:.0f}/week{extra})"

    if famished:
        names = ", ".join(said(f) for f in famished)
        description = (
            f"Lead famine: {names} fell below {min_share:.0%} of the trailing "
            f"{TRAILING_WEEKS}-week average. Check the form, campaign or export feeding it."
        )
    else:
        description = (
            f"Every source is at or above {min_share:.0%} of its trailing {TRAILING_WEEKS}-week average."
        )
    return AssetCheckResult(
        passed=not famished,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "sources": MetadataValue.json(table),
            "famished": MetadataValue.json([f.source_name for f in famished]),
        },
    )


def _lead_flow_check(config: LeadsyncConfig, key: AssetKey) -> AssetChecksDefinition:
    min_share = config.monitoring.lead_flow_min_share

    @asset_check(
        asset=key,
        name="lead_flow",
        pool=WAREHOUSE_POOL,
        description=f"Each source's last 7 days reach {min_share:.0%} of its 4-week average.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        con = duckdb.connect(str(config.warehouse_path), read_only=True)
        try:
            flows = lead_flow_by_source(con)
            newest = newest_touches(con)
        finally:
            con.close()
        return alerting(config, context, key, "lead_flow", lead_flow_result(flows, min_share, newest))

    return _check


# ---------------------------------------------------------------------------------------------
# webhook landing backlog
# ---------------------------------------------------------------------------------------------
def _age_minutes(age: Any) -> float | None:
    if age is None:
        return None
    if isinstance(age, timedelta):
        return age.total_seconds() / 60
    return float(age) / 60  # seconds


def undrained_result(age: Any, max_minutes: int) -> AssetCheckResult:
    """Fail when the oldest submission still waiting in the landing store is older than allowed."""
    minutes = _age_minutes(age)
    if minutes is None:
        return AssetCheckResult(passed=True, description="Nothing is waiting in the landing store.")
    passed = minutes <= max_minutes
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"The oldest undrained submission is {minutes:.0f} min old (limit {max_minutes} min)."
            + ("" if passed else " Syncs are not draining the landing store: is the sync running?")
        ),
        metadata={"oldest_minutes": MetadataValue.float(round(minutes, 1))},
    )


def _undrained_check(
    config: LeadsyncConfig, source_name: str, key: AssetKey, oldest_age: Callable[..., Any]
) -> AssetChecksDefinition:
    max_minutes = config.webhooks.max_undrained_age_minutes

    @asset_check(
        asset=key,
        name="undrained_age",
        description=f"No submission waits in the landing store longer than {max_minutes} min.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        return alerting(
            config,
            context,
            key,
            "undrained_age",
            undrained_result(oldest_age(config, source_name), max_minutes),
        )

    return _check


def _oldest_undrained_age_fn() -> Callable[..., Any] | None:
    try:
        from leadsync.ingestion.webhooks.source import oldest_undrained_age
    except ImportError as exc:
        log.error("leadsync: the webhook backlog check is unavailable: %s", exc)
        return None
    return oldest_undrained_age


# ---------------------------------------------------------------------------------------------
def build_checks(config: LeadsyncConfig, asset_keys: set[AssetKey]) -> list[AssetChecksDefinition]:
    """Every leadsync check whose asset exists in this code location."""
    checks: list[AssetChecksDefinition] = []
    webhook_age = None
    main_keys: list[AssetKey] = []
    lead_keys: dict[str, AssetKey] = {}
    for src in config.enabled_sources:
        key = dlt_asset_key(src.name, main_table(src.type))
        if key not in asset_keys:
            continue
        main_keys.append(key)
        if SOURCE_TYPES[src.type].carries_leads:
            lead_keys[src.name] = key
        if src.type == "webhook":
            webhook_age = webhook_age or _oldest_undrained_age_fn()
            if webhook_age is not None:
                checks.append(_undrained_check(config, src.name, key, webhook_age))
    if main_keys:
        checks.append(_quarantine_checks(config, main_keys))
    if lead_keys and TOUCHES_KEY in asset_keys:
        checks.append(_freshness_checks(config, lead_keys))
    if LEAD_FLOW_KEY in asset_keys:
        checks.append(_lead_flow_check(config, LEAD_FLOW_KEY))
    return checks
