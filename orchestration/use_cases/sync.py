"""Extract + load the configured sources, then (optionally) transform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.locking import warehouse_lock
from leadsync.orchestration.use_cases.errors import Progress, UserError, one_line, progress, root_cause


@dataclass
class SyncOutcome:
    results: list[Any] = field(default_factory=list)  # ingestion.pipeline.SourceResult per loaded source
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, message)


def select_sources(config: LeadsyncConfig, names: Sequence[str] | None) -> list[Any]:
    """The named sources (unknown names fail before anything runs), else every enabled one."""
    return [config.source(n) for n in names] if names else config.enabled_sources


def load_sources(
    config: LeadsyncConfig, names: Sequence[str] | None = None, *, report: Progress = progress
) -> SyncOutcome:
    """Load the selected sources one after another; a failing source doesn't stop the others."""
    selected = select_sources(config, names)
    missing = config.missing_secrets([s.name for s in selected if s.type != "webhook"])
    if missing:
        raise UserError("Missing secrets: " + "; ".join(missing) + ". Export them and run again.")
    outcome = SyncOutcome()
    with warehouse_lock(config, "sync", report=report):
        _load_each(config, selected, outcome, report)
    return outcome


def _load_each(config: LeadsyncConfig, selected: list[Any], outcome: SyncOutcome, report: Progress) -> None:
    from leadsync.ingestion.pipeline import run_source

    for src in selected:
        try:
            outcome.results.append(run_source(config, src.name, report))
        except Exception as exc:  # noqa: BLE001 - reported per source, others go on
            message = one_line(root_cause(exc))
            report(f"{src.name}: FAILED: {message}")
            outcome.failures.append((src.name, message))


def reparse(config: LeadsyncConfig, name: str, *, report: Progress = progress) -> None:
    """Re-parse a webhook source's stored submissions (after a parser fix)."""
    from leadsync.ingestion.webhooks.source import reparse_source

    src = config.source(name)
    if src.type != "webhook":
        raise UserError(f"--reparse works on webhook sources; {src.name!r} is a {src.type} source.")
    report(f"{src.name}: re-parsing stored submissions")
    reparse_source(config, src.name)


def sync(
    config: LeadsyncConfig,
    names: Sequence[str] | None = None,
    *,
    transform: bool = True,
    reparse_source: str | None = None,
    report: Progress = progress,
) -> SyncOutcome:
    """`leadsync sync`: load, then build the marts even when a source failed (the others' data is
    new), then raise one UserError naming the failed sources."""
    from leadsync.orchestration.use_cases.transform import transform as build

    for warning in config.warnings():
        report(f"warning: {warning}")
    if reparse_source:
        reparse(config, reparse_source, report=report)
    with warehouse_lock(config, "sync", report=report):
        outcome = load_sources(config, names, report=report)
        if transform:
            build(config, report=report)
    return outcome


def failed_sources_error(outcome: SyncOutcome) -> UserError | None:
    if not outcome.failures:
        return None
    names = ", ".join(n for n, _ in outcome.failures)
    first_name, first = outcome.failures[0]
    return UserError(
        f"Source(s) {names} failed ({first}); the others were loaded. "
        f"Fix it and run `leadsync sync --source {first_name}`."
    )
