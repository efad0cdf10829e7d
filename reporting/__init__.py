"""The source-quality report for marketing: one self-contained HTML page built from the marts.

`build_report(config)` is what `leadsync report`, the demo and the Dagster asset call. It reads
the published BI copy (or, before one exists, the warehouse, read-only), so it never blocks a sync.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.reporting.charts import chart_specs
from leadsync.reporting.figures import ReportData
from leadsync.reporting.html import render_page
from leadsync.reporting.queries import load_report_data
from leadsync.reporting.summary import summary_lines
from leadsync.reporting.warehouse import ReportError, open_marts

REPORT_FILE = "report.html"

__all__ = [
    "REPORT_FILE",
    "ReportError",
    "build_report",
    "default_report_path",
    "report_data",
    "render_report",
]


def default_report_path(config: LeadsyncConfig) -> Path:
    """`report.html` beside the warehouse file (on PostgreSQL: beside `warehouse.path`, leadsync's state)."""
    return config.warehouse_path.parent / REPORT_FILE


def report_data(config: LeadsyncConfig, *, period_days: int | None = None) -> ReportData:
    """The aggregated figures (what the page shows), for tests and other callers."""
    if period_days is not None and period_days < 1:
        raise ReportError(f"The report period must be at least 1 day (got {period_days}).")
    marts = open_marts(config)
    try:
        return load_report_data(marts, config, period_days=period_days)
    finally:
        marts.close()


def render_report(data: ReportData, *, generated_at: dt.datetime | None = None) -> str:
    """The page for already-loaded figures."""
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    return render_page(data, summary_lines(data), chart_specs(data), generated_at)


def build_report(
    config: LeadsyncConfig, out_path: str | Path | None = None, *, period_days: int | None = None
) -> Path:
    """Write the report and return its path (default `<warehouse dir>/report.html`).

    `period_days` limits the report to the last N days of data (ending at the newest record);
    None covers everything. The file is written atomically: a browser that has the old report
    open, or a BI portal serving it, never sees half a page.
    """
    out = Path(out_path) if out_path else default_report_path(config)
    page = render_report(report_data(config, period_days=period_days))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
