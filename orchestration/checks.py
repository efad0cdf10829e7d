"""Health checks that tell a data team a source went quiet or broke before marketing notices.

- freshness: hours since the newest record of each lead source (config `freshness_hours`).
- quarantine growth: a sync that quarantines more than `monitoring.quarantine_max_share`.
- lead flow: a source's last 7 days below `monitoring.lead_flow_min_share` of its trailing
  4-week weekly average, read from `marts.fct_lead_flow` (the early sign of a lead famine).
- webhook backlog: the oldest undrained submission older than `webhooks.max_undrained_age_minutes`.

Freshness and quarantine read the metadata each load records (no warehouse access, so they never
wait for the writer). The lead-flow check reads the warehouse read-only inside the writers' pool.
dbt tests are checks too; dagster-dbt builds those (see assets/transform.py).
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import logging
from collections.abc import Callable, Sequence
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
    AssetKey,
    MetadataValue,
    asset_check,
)

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import SOURCE_TYPES, main_table
from leadsync.orchestration.alerts import send_alert
from leadsync.orchestration.assets.ingestion import dlt_asset_key
from leadsync.orchestration.resources import WAREHOUSE_POOL

LEAD_FLOW_MART = "fct_lead_flow"
LEAD_FLOW_KEY = AssetKey(["marts", LEAD_FLOW_MART])
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
# freshness
# ---------------------------------------------------------------------------------------------
def freshness_result(newest: float | None, max_hours: float, now: datetime | None = None) -> AssetCheckResult:
    """Pass when the newest record (a POSIX timestamp) is at most `max_hours` old."""
    if newest is None:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description="No record from this source has been loaded yet.",
            metadata={"max_age_hours": MetadataValue.float(float(max_hours))},
        )
    now = now or datetime.now(UTC)
    age_hours = (now.timestamp() - newest) / 3600
    passed = age_hours <= max_hours
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"The newest record is {age_hours:.1f} h old (limit {max_hours:g} h)."
            + ("" if passed else " The source may have gone quiet or stopped exporting.")
        ),
        metadata={
            "age_hours": MetadataValue.float(round(age_hours, 2)),
            "max_age_hours": MetadataValue.float(float(max_hours)),
        },
    )


def _freshness_check(config: LeadsyncConfig, source_name: str, key: AssetKey) -> AssetChecksDefinition:
    src = config.source(source_name)
    max_hours = src.freshness_hours or config.monitoring.freshness_hours

    @asset_check(
        asset=key,
        name="freshness",
        description=f"Newest record from {source_name} is at most {max_hours:g} hours old.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        meta = _latest_load_metadata(context, key) or {}
        return alerting(
            config, context, key, "freshness", freshness_result(meta.get("newest_record_at"), max_hours)
        )

    return _check


# ---------------------------------------------------------------------------------------------
# quarantine growth
# ---------------------------------------------------------------------------------------------
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


def _quarantine_check(config: LeadsyncConfig, key: AssetKey) -> AssetChecksDefinition:
    max_share = config.monitoring.quarantine_max_share

    @asset_check(
        asset=key,
        name="quarantine_share",
        description=f"A sync quarantines at most {max_share:.0%} of its input rows.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        meta = _latest_load_metadata(context, key) or {}
        return alerting(
            config,
            context,
            key,
            "quarantine_share",
            quarantine_result(
                int(meta.get("rows_loaded") or 0), int(meta.get("quarantined") or 0), max_share
            ),
        )

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


def lead_flow_result(flows: Sequence[SourceFlow], min_share: float) -> AssetCheckResult:
    """Warn naming every source whose recent volume fell below `min_share` of its usual week."""
    famished = [f for f in flows if f.share is not None and f.share < min_share]
    table = {
        f.source_name: {
            "last_7_days": f.recent,
            "weekly_average": round(f.weekly_average, 1),
            "share": None if f.share is None else round(f.share, 3),
        }
        for f in flows
    }
    if famished:
        names = ", ".join(f"{f.source_name} ({f.recent} vs ~{f.weekly_average:.0f}/week)" for f in famished)
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
        finally:
            con.close()
        return alerting(config, context, key, "lead_flow", lead_flow_result(flows, min_share))

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
    for src in config.enabled_sources:
        key = dlt_asset_key(src.name, main_table(src.type))
        if key not in asset_keys:
            continue
        checks.append(_quarantine_check(config, key))
        if SOURCE_TYPES[src.type].carries_leads:
            checks.append(_freshness_check(config, src.name, key))
        if src.type == "webhook":
            webhook_age = webhook_age or _oldest_undrained_age_fn()
            if webhook_age is not None:
                checks.append(_undrained_check(config, src.name, key, webhook_age))
    if LEAD_FLOW_KEY in asset_keys:
        checks.append(_lead_flow_check(config, LEAD_FLOW_KEY))
    return checks
