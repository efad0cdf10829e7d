"""One dlt multi-asset per configured source (dagster-dlt), built from leadsync.yaml.

Each configured source is its own dlt source named after it, so its assets are
`dlt_<source name>_<resource>` (the main one `dlt_<source name>_<source_types.main_table(type)>`).
The asset body runs the same `ingestion.pipeline` functions the CLI uses (`make_pipeline`,
`build_source`, `after_load`), so a sync behaves the same whichever starts it.

A source kind whose module cannot be imported (or whose source cannot be built, e.g. a missing
secret) still gets its main asset, with the same key: materialising it fails with the reason.
The graph and its asset keys therefore never depend on the state of an environment, and the
problem is logged loudly at load time and shown on the asset instead of vanishing.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import inspect
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DailyPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from leadsync.ingestion import pipeline as ingest
from leadsync.ingestion.config import ConfigError, LeadsyncConfig
from leadsync.ingestion.raw_tables import QUARANTINE, RAW_DATASET
from leadsync.ingestion.source_types import SOURCE_TYPES, main_table
from leadsync.ingestion.suppression import Suppressor
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.resources import WAREHOUSE_POOL
from leadsync.orchestration.retries import failure_for

INGESTION_GROUP = "ingestion"
NEWEST_LOADED_AT = "newest_loaded_at"  # metadata: load time of the source's newest raw row
MISSING_ENV = "missing_env"  # definition metadata: secret variables the environment lacks
log = logging.getLogger("leadsync.orchestration")


def dlt_asset_key(source_name: str, table: str) -> AssetKey:
    """The key dagster-dlt gives resource `table` of configured source `source_name`."""
    return AssetKey(f"dlt_{source_name}_{table}")


def load_op_name(source_name: str) -> str:
    return f"load_{source_name}"


class LeadsyncDltTranslator(DagsterDltTranslator):
    """dagster-dlt's keys, in group `ingestion`, without dlt's guessed upstream stubs.

    dagster-dlt would invent an upstream asset `<source>_<resource>` for every resource; nothing
    produces those, so they would dangle in the graph. The sources are the start of the graph.
    """

    def __init__(self, missing_envs: list[str] | None = None, note: str = ""):
        super().__init__()
        self._missing = list(missing_envs or [])
        self._note = note

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        spec = spec.replace_attributes(deps=[], group_name=INGESTION_GROUP)
        if not self._missing:
            return spec
        # Shown on the asset's page before anything runs: which variable to set.
        return spec.replace_attributes(
            description=f"{self._note}\n\n{spec.description or ''}".strip(),
            metadata={**spec.metadata, MISSING_ENV: MetadataValue.json(self._missing)},
        )


@dataclass
class IngestionAssets:
    """The dlt assets, and which keys write which raw table (the dbt translator links to them)."""

    assets: list[AssetsDefinition] = field(default_factory=list)
    keys_by_source: dict[str, list[AssetKey]] = field(default_factory=dict)
    keys_by_raw_table: dict[str, list[AssetKey]] = field(default_factory=dict)
    partitioned_sources: set[str] = field(default_factory=set)
    broken_sources: dict[str, str] = field(default_factory=dict)  # name -> why it cannot load

    def main_key(self, source_name: str, source_type: str) -> AssetKey:
        return dlt_asset_key(source_name, main_table(source_type))


# ---------------------------------------------------------------------------------------------
# date-range (partitioned) sources
# ---------------------------------------------------------------------------------------------
_WINDOW_PARAMS = ("start", "end")  # factory(config, source, *, start=, end=): load [start, end)


def accepts_date_window(source_type: str) -> bool:
    """True when the source kind's factory takes `start`/`end` (a backfill by date range)."""
    kind = SOURCE_TYPES.get(source_type)
    if kind is None:
        return False
    try:
        params = inspect.signature(kind.load_factory()).parameters
    except (ImportError, AttributeError, ValueError, TypeError):
        return False
    return all(p in params for p in _WINDOW_PARAMS)


def partitions_for(config: LeadsyncConfig, source_name: str) -> DailyPartitionsDefinition | None:
    """Daily partitions from the source's `start_date`, for date-based sources that take a range."""
    src = config.source(source_name)
    start = getattr(src, "start_date", None)
    if not start or not accepts_date_window(src.type):
        return None
    return DailyPartitionsDefinition(start_date=start, end_offset=1)


def build_source_for_run(
    config: LeadsyncConfig, source_name: str, context: AssetExecutionContext | None = None
) -> Any:
    """A fresh dlt source for this run; for a partitioned run, limited to the partitions' dates."""
    src = config.source(source_name)
    if context is not None and context.assets_def.partitions_def is not None:
        # One partition, or a whole backfill range in one run (dagster-dlt's single-run policy).
        window = context.partition_time_window
        factory = SOURCE_TYPES[src.type].load_factory()
        return factory(config, src, start=window.start, end=window.end)
    return ingest.build_source(config, source_name)


# ---------------------------------------------------------------------------------------------
# metadata
# ---------------------------------------------------------------------------------------------
def missing_secret_envs(config: LeadsyncConfig, source_name: str) -> list[str]:
    """The environment variables this source's load needs that are not set (empty when all are).

    A webhook source's secret verifies signatures in the receiver; draining the landing store
    needs none (the same rule as `use_cases.sync.load_sources`).
    """
    src = config.source(source_name)
    if src.type == "webhook":
        return []
    return [env for env in src.secret_envs.values() if not os.environ.get(env)]


def missing_secrets_message(src: Any, missing: list[str]) -> str:
    names = ", ".join(missing)
    return (
        f"Source {src.name!r} ({src.type}) cannot load: the environment lacks {names}. "
        f"Set {'it' if len(missing) == 1 else 'them'} where Dagster runs (the webserver's and "
        "daemon's environment) and reload the code location."
    )


def newest_loaded_at(config: LeadsyncConfig, table: str, source_name: str) -> datetime | None:
    """When this source's newest raw row was loaded (`received_at`; read after the load committed).

    That is load time, not the lead's own time: the freshness check judges `touched_at` in the
    marts (checks.py) and shows this beside it.
    """
    if not config.warehouse_path.exists():
        return None
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        row = con.execute(
            f'select max(received_at) from "{RAW_DATASET}"."{table}" where source_name = ?',
            [source_name],
        ).fetchone()
    except duckdb.Error:  # table or column not there yet (nothing loaded): no newest record
        return None
    finally:
        con.close()
    value = row[0] if row else None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _enrich(result: MaterializeResult, extra: dict[str, Any]) -> MaterializeResult:
    return MaterializeResult(
        asset_key=result.asset_key,
        metadata={**(result.metadata or {}), **extra},
        check_results=result.check_results,
        data_version=result.data_version,
        tags=result.tags,
    )


def load_metadata(
    config: LeadsyncConfig, source_name: str, source_type: str, counts: dict[str, int]
) -> dict[str, Any]:
    """What an operator wants to see on a source's main asset after a sync."""
    table = main_table(source_type)
    loaded = sum(n for t, n in counts.items() if t != QUARANTINE)
    quarantined = counts.get(QUARANTINE, 0)
    meta: dict[str, Any] = {
        "rows_loaded": MetadataValue.int(loaded),
        "records_received": MetadataValue.int(counts.get(table, 0)),
        "quarantined": MetadataValue.int(quarantined),
        "quarantined_share": MetadataValue.float(
            quarantined / (loaded + quarantined) if loaded + quarantined else 0.0
        ),
    }
    newest = newest_loaded_at(config, table, source_name)
    if newest is not None:
        meta[NEWEST_LOADED_AT] = MetadataValue.timestamp(newest)
    return meta


# ---------------------------------------------------------------------------------------------
# assets
# ---------------------------------------------------------------------------------------------
def _dlt_source_assets(config: LeadsyncConfig, source_name: str, out: IngestionAssets) -> AssetsDefinition:
    src = config.source(source_name)
    dlt_source = ingest.build_source(config, source_name)
    dlt_pipeline = ingest.make_pipeline(config, source_name)
    partitions_def = partitions_for(config, source_name)
    if partitions_def is not None:
        out.partitioned_sources.add(source_name)
    main_key = out.main_key(src.name, src.type)
    missing = missing_secret_envs(config, source_name)
    if missing:
        out.broken_sources[source_name] = missing_secrets_message(src, missing)

    @dlt_assets(
        dlt_source=dlt_source,
        dlt_pipeline=dlt_pipeline,
        name=load_op_name(src.name),
        dagster_dlt_translator=LeadsyncDltTranslator(missing, out.broken_sources.get(source_name, "")),
        partitions_def=partitions_def,
        pool=WAREHOUSE_POOL,
        op_tags={"leadsync/source": src.name, "leadsync/source_type": src.type},
    )
    def _load(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[MaterializeResult]:
        missing = missing_secret_envs(config, src.name)
        if missing:  # set after the code location loaded, or never: say which, do not retry
            raise Failure(missing_secrets_message(src, missing), allow_retries=False)
        try:
            fresh = build_source_for_run(config, src.name, context)
            # the same single-writer lock and suppression list as `leadsync sync` (ingestion.pipeline)
            with warehouse_lock(config, f"dagster load {src.name}", report=context.log.info):
                ingest.finish_interrupted_normalize(dlt_pipeline)
                suppressor = Suppressor.for_warehouse(config)
                if suppressor is not None:
                    suppressor.attach(fresh)
                results = list(dlt.run(context=context, dlt_source=fresh, dlt_pipeline=dlt_pipeline))
                trace = dlt_pipeline.last_trace
                load_info = trace.last_load_info if trace else None
                ingest.after_load(config, src.name, load_info)
                if suppressor is not None:
                    suppressor.write_log(config, src.name)
        except Exception as exc:
            failure = failure_for(exc, f"Loading {src.name} ({src.type})")
            if failure is None:
                raise  # transient (or the lock is held): the job's retry policy runs the step again
            raise failure from exc
        extra = load_metadata(config, src.name, src.type, ingest.row_counts(dlt_pipeline))
        for result in results:
            yield _enrich(result, extra) if result.asset_key == main_key else result

    own = {spec.key for spec in _load.specs}
    out.keys_by_source[src.name] = sorted(own, key=lambda k: k.to_user_string())
    _link_tables(out, src.name, src.type, own)
    return _load


def _link_tables(out: IngestionAssets, source_name: str, source_type: str, own: set[AssetKey]) -> None:
    """Record which of the source's assets writes each raw table its type writes.

    A table without a resource of its own (quarantine rows routed from the main resource) is
    written by the main asset, so dbt models reading it depend on that.
    """
    main_key = dlt_asset_key(source_name, main_table(source_type))
    for table in SOURCE_TYPES[source_type].tables:
        key = dlt_asset_key(source_name, table)
        writer = key if key in own else main_key
        keys = out.keys_by_raw_table.setdefault(table, [])
        if writer not in keys:
            keys.append(writer)


def _unavailable_source_asset(src: Any, reason: str, missing: list[str]) -> AssetsDefinition:
    """The source's main asset, failing with `reason` when run: keeps the graph whole and loud."""
    key = dlt_asset_key(src.name, main_table(src.type))
    if missing:
        reason = f"{reason} ({missing_secrets_message(src, missing)})"

    @multi_asset(
        name=load_op_name(src.name),
        specs=[
            AssetSpec(
                key,
                group_name=INGESTION_GROUP,
                kinds={"dlt", "duckdb"},
                description=f"Source {src.name!r} ({src.type}) cannot load: {reason}",
                metadata={MISSING_ENV: MetadataValue.json(missing)} if missing else None,
            )
        ],
        pool=WAREHOUSE_POOL,
    )
    def _load() -> None:
        raise Failure(f"Source {src.name!r} ({src.type}) cannot load: {reason}", allow_retries=False)

    return _load


def build_ingestion_assets(config: LeadsyncConfig) -> IngestionAssets:
    """One dlt multi-asset per enabled source in the config."""
    out = IngestionAssets()
    for src in config.enabled_sources:
        try:
            out.assets.append(_dlt_source_assets(config, src.name, out))
        except (ImportError, ConfigError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            log.error("leadsync: source %r (%s) is unavailable in Dagster: %s", src.name, src.type, reason)
            out.broken_sources[src.name] = reason
            out.assets.append(_unavailable_source_asset(src, reason, missing_secret_envs(config, src.name)))
            # Its tables are still the ones its type writes, so dbt stays linked to it.
            main_key = dlt_asset_key(src.name, main_table(src.type))
            out.keys_by_source[src.name] = [main_key]
            _link_tables(out, src.name, src.type, {main_key})
    return out
