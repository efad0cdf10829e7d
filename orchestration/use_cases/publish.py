"""Publish what BI tools read once a transform has succeeded."""

from __future__ import annotations

from pathlib import Path

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.bi_copy import publish_bi_copy
from leadsync.orchestration.use_cases.errors import Progress, progress


def publish(config: LeadsyncConfig, *, report: Progress = progress) -> Path:
    report("publish: copying the marts for BI tools")
    path = publish_bi_copy(config)
    report(f"publish: BI copy published at {path}")
    return path
