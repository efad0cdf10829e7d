"""Source type -> the dlt source that loads it. One entry per `type:` in leadsync.yaml.

Each factory has the signature ``factory(config: LeadsyncConfig, source: <SourceConfig>) -> DltSource``
and returns a dlt source named after the configured source, whose main resource is named after
`raw_tables.main_table(type)`. An optional ``after_load(config, source, load_info)`` runs once the
load is committed (the webhook drain retires landed files there).

Imports are lazy so that a broken optional dependency of one source type cannot stop the others.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class SourceKind:
    factory: str  # "module:function"
    after_load: str | None = None

    def load_factory(self) -> Callable[..., Any]:
        return _resolve(self.factory)

    def load_after_load(self) -> Callable[..., Any] | None:
        return _resolve(self.after_load) if self.after_load else None


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


SOURCE_KINDS: dict[str, SourceKind] = {
    "csv": SourceKind("ingestion.csv_files:csv_leads_source"),
    "activity_csv": SourceKind("ingestion.activity:activity_source"),
    "target_accounts": SourceKind("ingestion.accounts:target_accounts_source"),
    "spend_csv": SourceKind("ingestion.accounts:spend_source"),
    "webhook": SourceKind(
        "ingestion.webhooks.source:webhook_source",
        after_load="ingestion.webhooks.source:retire_loaded",
    ),
    "meta_lead_ads": SourceKind("ingestion.ad_platforms.meta:meta_lead_ads_source"),
    "linkedin_lead_gen": SourceKind("ingestion.ad_platforms.linkedin:linkedin_lead_gen_source"),
    "google_ads_lead_forms": SourceKind("ingestion.ad_platforms.google_ads:google_ads_lead_forms_source"),
}
