"""The dbt models as Dagster assets (dagster-dbt), joined to the dlt assets upstream.

Sources are configured at run time, so the dbt project cannot name its upstream Dagster assets
with `meta.dagster.asset_key`: several configured sources of one type write the same raw table
(e.g. two CSV sources both write raw.csv_leads). Instead each dbt source table carries
`meta: {leadsync: {raw_table: <name>}}`, and `LeadsyncDbtTranslator` makes every model that
reads it depend on *all* dlt assets writing that table. No dbt source becomes an asset of its
own, so the graph is one connected line from every source to every mart.

dbt tests become asset checks; tests with severity `error` are blocking (dbt skips the models
below a failed test, and Dagster skips the steps after it).
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotations at runtime.
import shutil
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MetadataValue,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.raw_tables import RAW_DATASET
from leadsync.orchestration.dbt_project import dbt_project, ensure_manifest, seed_run_folder
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.resources import WAREHOUSE_POOL
from leadsync.orchestration.use_cases.transform import build_args, failure_message

TRANSFORM_OP = "transform"
MARTS_GROUP = "marts"
SOURCE_QUALITY_MART = "fct_source_quality"
ROW_COUNT = "dagster/row_count"
PREVIEW_ROWS = 20
_FOLDER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": MARTS_GROUP}


def raw_table_of(source_props: Mapping[str, Any]) -> str | None:
    """The raw table a dbt source table reads: `meta.leadsync.raw_table`, else its own name in `raw`."""
    meta = source_props.get("meta") or source_props.get("config", {}).get("meta") or {}
    declared = (meta.get("leadsync") or {}).get("raw_table")
    if declared:
        return str(declared)
    if source_props.get("schema") == RAW_DATASET:
        return str(source_props.get("identifier") or source_props["name"])
    return None


class LeadsyncDbtTranslator(DagsterDbtTranslator):
    """Groups by folder; a model's dbt-source deps become the dlt assets writing that raw table."""

    def __init__(
        self,
        keys_by_raw_table: Mapping[str, Sequence[AssetKey]],
        settings: DagsterDbtTranslatorSettings | None = None,
    ):
        super().__init__(settings or DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self._keys_by_raw_table = {t: list(keys) for t, keys in keys_by_raw_table.items()}

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        fqn = props.get("fqn") or []
        group = _FOLDER_GROUPS.get(fqn[1]) if len(fqn) > 2 else None
        if props["resource_type"] == "seed":
            group = "reference"
        replaced: dict[AssetKey, str | None] = {}
        for upstream in props.get("depends_on", {}).get("nodes", []):
            if upstream.startswith("source."):
                source_props = self.get_resource_props(manifest, upstream)
                source_key = super().get_asset_spec(manifest, upstream, project).key
                replaced[source_key] = raw_table_of(source_props)
        if not replaced:
            return spec.replace_attributes(group_name=group or spec.group_name)
        deps: list[AssetDep] = [d for d in spec.deps if d.asset_key not in replaced]
        seen = {d.asset_key for d in deps}
        for table in replaced.values():
            for key in self._keys_by_raw_table.get(table or "", []):
                if key not in seen:
                    seen.add(key)
                    deps.append(AssetDep(key))
        return spec.replace_attributes(deps=deps, group_name=group or spec.group_name)


# ---------------------------------------------------------------------------------------------
# metadata on the marts
# ---------------------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_preview(con: duckdb.DuckDBPyConnection, relation: str, limit: int = PREVIEW_ROWS) -> str:
    """The first rows of a relation as a markdown table (shown on the asset in the UI)."""
    cursor = con.execute(f"select * from {relation} limit {int(limit)}")
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def mart_metadata(config: LeadsyncConfig, mart_keys: Sequence[AssetKey]) -> dict[AssetKey, dict[str, Any]]:
    """Row counts for each mart built, and a preview of the source-quality summary."""
    out: dict[AssetKey, dict[str, Any]] = {}
    if not mart_keys or not config.warehouse_path.exists():
        return out
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        for key in mart_keys:
            schema, name = (key.path[-2], key.path[-1]) if len(key.path) > 1 else (MARTS_GROUP, key.path[-1])
            relation = f'"{schema}"."{name}"'
            try:
                meta: dict[str, Any] = {
                    ROW_COUNT: MetadataValue.int(
                        int(con.execute(f"select count(*) from {relation}").fetchone()[0])
                    ),
                }
                if name == SOURCE_QUALITY_MART:
                    meta["preview"] = MetadataValue.md(markdown_preview(con, relation))
            except duckdb.Error:
                continue
            out[key] = meta
    finally:
        con.close()
    return out


def _previous_row_count(context: AssetExecutionContext, key: AssetKey) -> int | None:
    event = context.instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    value = materialization.metadata.get(ROW_COUNT) if materialization else None
    return int(value.value) if value is not None else None


# ---------------------------------------------------------------------------------------------
# the asset
# ---------------------------------------------------------------------------------------------
def build_transform_assets(
    config: LeadsyncConfig,
    keys_by_raw_table: Mapping[str, Sequence[AssetKey]],
    target_path: Path,
    project_dir: Path | None = None,
) -> AssetsDefinition:
    """All dbt models, seeds and tests as one multi-asset running `dbt build` on the selection.

    `target_path` is where this code location parses the project and where each run gets its
    own folder (dbt runs never share transform/target).
    """
    project = dbt_project(target_path, project_dir)
    manifest = ensure_manifest(config, target_path, project_dir)
    translator = LeadsyncDbtTranslator(keys_by_raw_table)

    @dbt_assets(
        manifest=manifest,
        project=project,
        name=TRANSFORM_OP,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
    )
    def _transform(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        # the run's own folder, starting from the prepared parse (dbt then re-parses nothing)
        run_target = seed_run_folder(target_path / f"run-{context.run.run_id}", target_path)
        with warehouse_lock(config, "dagster transform", report=context.log.info):  # as `leadsync transform`
            invocation = dbt.cli(
                build_args(config),  # the same invocation as `leadsync transform`; dagster adds --select
                context=context,
                raise_on_error=False,
                target_path=run_target,
            )
            # Buffer until dbt exits: DuckDB can be opened by another connection only once the
            # dbt process has let go of the file, and the mart metadata needs to read it.
            events = list(invocation.stream())
        succeeded = invocation.is_successful()
        built = [context.asset_key_for_output(e.output_name) for e in events if isinstance(e, Output)]
        marts = [k for k in built if context.assets_def.group_names_by_key.get(k) == MARTS_GROUP]
        extra = mart_metadata(config, marts)
        for event in events:
            if isinstance(event, Output):
                key = context.asset_key_for_output(event.output_name)
                meta = dict(extra.get(key, {}))
                if key.path[-1] == "dim_leads" and ROW_COUNT in meta:
                    previous = _previous_row_count(context, key)
                    if previous is not None:
                        meta["new_leads"] = MetadataValue.int(meta[ROW_COUNT].value - previous)
                if meta:
                    event = event.with_metadata({**event.metadata, **meta})
            yield event
        if not succeeded:
            # A failed model or test is not transient: retrying would fail the same way. The
            # run's target folder stays for inspection (compiled SQL, run_results.json).
            raise Failure(
                f"{failure_message(invocation)} Compiled SQL and run_results.json are in {run_target}.",
                allow_retries=False,
            )
        shutil.rmtree(run_target, ignore_errors=True)  # one folder per run would pile up

    return _transform
