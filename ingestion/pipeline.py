"""Run configured sources with dlt into the warehouse's `raw` dataset.

The CLI and the Dagster assets both go through `make_pipeline` / `build_source` / `run_source`,
so a sync behaves the same whichever starts it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# dlt reads these at import; leadsync never phones home and keeps dlt's output quiet.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DLT_TELEMETRY_DISABLED", "1")
# Loaded packages would keep copies of people's data on disk (and defeat `leadsync forget`).
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
# Arrow batches get the same _dlt_load_id/_dlt_id columns as dict rows (dbt staging reads both).
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")

import dlt  # noqa: E402

from leadsync.ingestion.config import ConfigError, LeadsyncConfig  # noqa: E402
from leadsync.ingestion.raw_tables import QUARANTINE, RAW_DATASET  # noqa: E402
from leadsync.ingestion.source_types import SOURCE_TYPES, main_table  # noqa: E402
from leadsync.ingestion.suppression import Suppressor  # noqa: E402
from leadsync.ingestion.warehouse import dlt_destination  # noqa: E402


@dataclass
class SourceRunResult:
    """What one source's load did, for the CLI summary and Dagster metadata."""

    source_name: str
    source_type: str
    rows_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    erased: dict[str, int] = field(default_factory=dict)  # records of forgotten people dropped, per table

    @property
    def rows_loaded(self) -> int:
        """Records loaded into the source's main table (companion tables not counted twice)."""
        return self.rows_by_table.get(main_table(self.source_type), 0)

    @property
    def quarantined(self) -> int:
        return self.rows_by_table.get(QUARANTINE, 0)


def pipeline_name(source_name: str) -> str:
    return f"leadsync_{source_name}"


def make_pipeline(config: LeadsyncConfig, source_name: str) -> dlt.Pipeline:
    """The dlt pipeline for one configured source: its own state, the shared `raw` dataset."""
    warehouse = config.warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=pipeline_name(source_name),
        pipelines_dir=str(config.state_dir / "dlt"),
        destination=dlt_destination(config),
        dataset_name=RAW_DATASET,
        progress=None,
    )


def finish_interrupted_normalize(pipeline: dlt.Pipeline) -> list[str]:
    """Complete dlt's normalize commit when a kill fell between its two halves.

    dlt commits a normalised package by renaming `load/new/<id>` to `load/normalized/<id>`, then
    deletes `normalize/extracted/<id>` (dlt/normalize/normalize.py `spool_files`). Killed in
    between, the extracted copy stays, the next run normalises it again and the rename fails with
    "Directory not empty" on every later sync (the same leftover as dlt-hub/dlt#4446). The committed
    package is complete (the rename is atomic), so the extracted copy is what is deleted.
    """
    import shutil
    from pathlib import Path

    root = Path(pipeline.working_dir)
    extracted = root / "normalize" / "extracted"
    if not extracted.is_dir():
        return []
    committed = {
        p.name
        for folder in ("normalized", "loaded")
        if (root / "load" / folder).is_dir()
        for p in (root / "load" / folder).iterdir()
    }
    done = [p for p in extracted.iterdir() if p.name in committed]
    for package in done:
        shutil.rmtree(package, ignore_errors=True)
        shutil.rmtree(root / "load" / "new" / package.name, ignore_errors=True)
    return [p.name for p in done]


def build_source(config: LeadsyncConfig, source_name: str) -> Any:
    """The dlt source object for one configured source (see ingestion.source_types)."""
    src = config.source(source_name)
    kind = SOURCE_TYPES.get(src.type)
    if kind is None:  # config validation makes this unreachable unless the table lags
        raise ConfigError(f"Source {src.name!r} has type {src.type!r}, which this version cannot load.")
    return kind.load_factory()(config, src)


def after_load(config: LeadsyncConfig, source_name: str, load_info: Any) -> None:
    """Run the source kind's post-commit step (e.g. retire drained webhook files)."""
    src = config.source(source_name)
    hook = SOURCE_TYPES[src.type].load_after_load()
    if hook is not None:
        hook(config, src, load_info)


def row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows per raw table in the pipeline's last run (dlt's own bookkeeping tables left out)."""
    trace = pipeline.last_trace
    info = trace.last_normalize_info if trace else None
    counts = dict(info.row_counts) if info else {}
    return {t: n for t, n in counts.items() if not t.startswith("_dlt")}


def run_source(
    config: LeadsyncConfig, source_name: str, progress: Callable[[str], None] | None = None
) -> SourceRunResult:
    """Extract and load one configured source; the warehouse is written only by dlt's load step."""
    src = config.source(source_name)
    started = time.perf_counter()
    if progress:
        progress(f"{src.name}: extracting ({src.type})")
    pipeline = make_pipeline(config, src.name)
    finish_interrupted_normalize(pipeline)
    source = build_source(config, src.name)
    suppressor = Suppressor.for_warehouse(config)  # people `leadsync forget` erased stay out
    if suppressor is not None:
        suppressor.attach(source)
    load_info = pipeline.run(source)
    load_info.raise_on_failed_jobs()
    after_load(config, src.name, load_info)
    result = SourceRunResult(src.name, src.type, row_counts(pipeline), time.perf_counter() - started)
    if suppressor is not None:
        result.erased = suppressor.write_log(config, src.name)
    result.rows_by_table.setdefault(main_table(src.type), 0)
    if progress:
        progress(
            f"{src.name}: loaded {result.rows_loaded} row(s), quarantined {result.quarantined} "
            f"in {result.seconds:.1f}s"
        )
    return result


def run_sources(
    config: LeadsyncConfig, names: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> list[SourceRunResult]:
    """Run the named sources (default: every enabled one) one after another (one DuckDB writer)."""
    selected = [config.source(n) for n in names] if names else config.enabled_sources
    return [run_source(config, s.name, progress) for s in selected]
