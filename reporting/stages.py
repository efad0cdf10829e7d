"""The funnel's stages as seeds/funnel_stages.csv declares them: the one stage list.

dbt reads the same seed (macros/funnel/funnel_stages.sql), so the report's columns, chart axes and
"furthest stage" order are the marts' own. The seed lands in the `reference` schema, which the BI
copy does not carry, so the report reads the CSV file shipped with the dbt project.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "transform" / "seeds" / "funnel_stages.csv"


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    order: int
    is_exit: bool  # disqualified / lost: an ending, not a step forward
    reached_by_later_stage: bool  # a sales stage: implied when a later positive stage has evidence


@functools.cache
def funnel_stages() -> tuple[FunnelStage, ...]:
    """Every stage, in the seed's stage_order."""
    with SEED.open(newline="", encoding="utf-8") as fh:
        rows = [
            FunnelStage(
                r["stage"],
                int(r["stage_order"]),
                r["is_exit"].strip().lower() == "true",
                r["reached_by_later_stage"].strip().lower() == "true",
            )
            for r in csv.DictReader(fh)
        ]
    return tuple(sorted(rows, key=lambda s: s.order))


def positive_stages() -> tuple[str, ...]:
    """The stages a lead moves forward through (new ... won), in order."""
    return tuple(s.stage for s in funnel_stages() if not s.is_exit)


def sales_stages() -> tuple[str, ...]:
    """The stages only sales activity (or a CRM) can show: those a later stage implies."""
    return tuple(s.stage for s in funnel_stages() if s.reached_by_later_stage)
