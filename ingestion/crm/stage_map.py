"""CRM stage mappings from the config: which CRM field value means which leadsync stage.

The shipped mapping is the seed ``transform/seeds/crm_stage_map.csv``; a source's ``stage_map:``
adds to it or overrides it for that source (a team's own Lead Status picklist values, a custom
deal pipeline). The entries reach dbt as the var ``leadsync_crm_stage_map`` and are read there
as quoted literals (``int_crm_stage_events``), never as SQL text.

    sources:
      - name: salesforce_crm
        type: salesforce
        stage_map:
          - {field: Status, value: "Called twice", stage: contacted}
          - {field: Status, value: "Moved to prospecting", stage: qualified}
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from pydantic import field_validator

from leadsync.ingestion.config_base import ConfigModel

# The stages themselves are the seed funnel_stages.csv (one list for dbt, the report and this check).
FUNNEL_STAGES_SEED = Path(__file__).resolve().parents[2] / "transform" / "seeds" / "funnel_stages.csv"


@cache
def funnel_stages() -> tuple[str, ...]:
    with FUNNEL_STAGES_SEED.open(newline="", encoding="utf-8") as handle:
        return tuple(row["stage"] for row in csv.DictReader(handle))


class StageMapping(ConfigModel):
    """One CRM value -> leadsync stage. ``value: "*"`` maps every value of the field that has no
    entry of its own (e.g. every open deal stage -> opportunity)."""

    field: str  # HubSpot property (lifecyclestage, hs_lead_status, dealstage) or Salesforce field (Status, StageName, Task, Event)
    value: str
    stage: str

    @field_validator("field", "value")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("stage")
    @classmethod
    def _known_stage(cls, value: str) -> str:
        if value not in funnel_stages():
            raise ValueError(f"{value!r} is not a leadsync stage (one of: {', '.join(funnel_stages())})")
        return value


def stage_map_var(sources: list[object]) -> list[dict[str, str]]:
    """The dbt var: every configured mapping with the source it belongs to and that source's CRM."""
    return [
        {"source_name": s.name, "crm": s.type, **m.model_dump(mode="json")}  # type: ignore[attr-defined]
        for s in sources
        for m in getattr(s, "stage_map", ())
    ]
