"""The headline counts a sync ends with, read from the published BI copy."""

from __future__ import annotations

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.use_cases.sync import SyncOutcome


def warehouse_summary(config: LeadsyncConfig) -> dict[str, int]:
    """Headline counts from the marts, read from the published BI copy (else the warehouse)."""
    import duckdb

    path = config.bi_copy_path if config.bi_copy_path.exists() else config.warehouse_path
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:

        def scalar(sql: str) -> int:
            try:
                return int(con.execute(sql).fetchone()[0] or 0)
            except duckdb.Error:
                return 0

        return {
            "leads": scalar("select count(*) from marts.dim_leads"),
            "mqls": scalar("select count(*) from marts.dim_leads where is_mql"),
            "touches": scalar("select count(*) from marts.fct_lead_touches"),
            "quarantined_total": scalar("select count(*) from marts.quarantine"),
        }
    finally:
        con.close()


def summary_lines(config: LeadsyncConfig, outcome: SyncOutcome | None) -> list[str]:
    """What a sync prints at the end: rows per source, the warehouse's headline, where things are."""
    lines: list[str] = []
    if outcome is not None:
        lines.append("source                     rows loaded   quarantined")
        lines += [f"{r.source_name:<26} {r.rows_loaded:>11}   {r.quarantined:>11}" for r in outcome.results]
        lines += [f"{name:<26} {'FAILED':>11}" for name, _ in outcome.failures]
        # repeated at the end (sync prints them first too) so a version sunsetting soon is not missed
        lines += [f"warning: {w}" for w in config.warnings()]
    summary = warehouse_summary(config)
    if summary:
        lines.append(
            f"warehouse: {summary['leads']} leads ({summary['mqls']} MQLs) from "
            f"{summary['touches']} records; {summary['quarantined_total']} rows in marts.quarantine"
        )
    lines.append(f"warehouse file: {config.warehouse_path}")
    lines.append(f"BI copy:        {config.bi_copy_path}")
    return lines
