"""leadsync.yaml -> typed, validated configuration. Parsed once; everything else receives objects.

Errors are written for the person who edits the file (often marketing ops, not an engineer):
each names the source, the key and what to do.
"""

from __future__ import annotations

import glob as globlib
import os
from pathlib import Path
from typing import Annotated, Any, Union

import yaml
from pydantic import Field, ValidationError, model_validator

from leadsync.ingestion.config_base import ConfigError, ConfigModel
from leadsync.ingestion.crm.stage_map import stage_map_var
from leadsync.ingestion.source_types import SOURCE_TYPES
from leadsync.ingestion.warehouse_targets import TARGETS, WarehouseTarget

DEFAULT_CONFIG_FILE = "leadsync.yaml"
CONFIG_ENV = "LEADSYNC_CONFIG"
WAREHOUSE_ENV = "LEADSYNC_WAREHOUSE"


_Model = ConfigModel


# ---------------------------------------------------------------------------------------------
# Top-level sections
# ---------------------------------------------------------------------------------------------
class WarehouseConfig(_Model):
    target: str = "duckdb"  # one of leadsync.ingestion.warehouse.TARGETS
    path: str = "warehouse/leads.duckdb"  # duckdb: the file; other targets: where leadsync keeps state
    credentials_env: str | None = None  # server/cloud targets: env var holding the connection URL
    # Default: `<warehouse stem>_bi.duckdb` beside the warehouse file, so two configs with two
    # warehouses never share (and overwrite) one copy. Server targets publish no file (see bi_copy.py).
    bi_copy: str | None = None
    bi_parquet_dir: str | None = None  # optional: also publish one Parquet file per mart here
    reader_role: str = Field("leadsync_reader", pattern=r"^[a-z_][a-z0-9_]{0,62}$")  # server targets
    # sync/transform/forget wait this long for another leadsync process to finish with the
    # warehouse, then stop with one sentence naming it (orchestration/locking.py). 0: do not wait.
    lock_timeout_seconds: float = Field(600.0, ge=0)

    @model_validator(mode="after")
    def _known_target(self) -> WarehouseConfig:
        target = TARGETS.get(self.target)
        if target is None:
            raise ValueError(f"unknown warehouse target {self.target!r}; use one of: {', '.join(TARGETS)}")
        if target.needs_credentials and not self.credentials_env:
            raise ValueError(
                f"warehouse target {self.target!r} needs `credentials_env`: the name of the environment "
                f"variable holding the connection ({target.credentials_hint})"
            )
        return self

    @property
    def spec(self) -> WarehouseTarget:
        """What leadsync knows about the configured target (dlt destination, dbt adapter, ...)."""
        return TARGETS[self.target]


class WebhooksConfig(_Model):
    landing_dir: str = "warehouse/landing"
    max_body_bytes: int = Field(1_048_576, gt=0)
    replay_window_seconds: int = Field(300, gt=0)  # signed timestamps older/newer than this: rejected
    request_timeout_seconds: float = Field(10.0, gt=0)  # slow clients are cut off after this
    max_undrained_age_minutes: int = Field(60, gt=0)  # asset check: oldest undrained submission


class MonitoringConfig(_Model):
    default_schedule: str = "0 * * * *"  # cron for sources without their own `schedule`
    transform_schedule: str | None = None  # default: the transform follows the loads it depends on
    freshness_hours: float = Field(72.0, gt=0)  # default max age of a source's newest lead
    lead_flow_min_share: float = Field(0.5, ge=0, le=1)  # warn below this share of the 4-week average
    quarantine_max_share: float = Field(0.05, ge=0, le=1)  # warn when a sync quarantines more
    feast_famine_band: float = Field(0.5, ge=0)  # weekly volume beyond +-band of the mean = feast/famine
    alert_webhook_url_env: str | None = None  # env var holding a Slack-compatible incoming-webhook URL


class RangeRule(_Model):
    weight: float = Field(0, ge=0)
    min: float | None = None
    max: float | None = None


class ValuesRule(_Model):
    weight: float = Field(0, ge=0)
    values: tuple[str, ...] = ()


class KeywordsRule(_Model):
    weight: float = Field(0, ge=0)
    keywords: tuple[str, ...] = ()


class WeightRule(_Model):
    weight: float = Field(0, ge=0)


class IcpRules(_Model):
    industry: ValuesRule = ValuesRule()
    employee_count: RangeRule = RangeRule()
    annual_revenue: RangeRule = RangeRule()
    country: ValuesRule = ValuesRule()  # ISO 3166 alpha-2 codes
    job_title: KeywordsRule = KeywordsRule()
    need: KeywordsRule = KeywordsRule()
    target_account: WeightRule = WeightRule()


class GradeThresholds(_Model):
    A: float = 80
    B: float = 60
    C: float = 40

    @model_validator(mode="after")
    def _ordered(self) -> GradeThresholds:
        if not (self.A >= self.B >= self.C):
            raise ValueError("grades must satisfy A >= B >= C")
        return self


class QualificationConfig(_Model):
    mql_threshold: float = Field(60, ge=0, le=100)
    grades: GradeThresholds = GradeThresholds()
    b2b_only: bool = False  # free-mail addresses (gmail.com, ...) disqualify when true
    competitor_domains: tuple[str, ...] = ()
    disposable_domains: tuple[str, ...] = ()  # added to the built-in list
    rules: IcpRules = IcpRules()


class IdentityConfig(_Model):
    name_similarity: float = Field(0.92, gt=0, le=1)  # Jaro-Winkler threshold for fuzzy name matches
    max_cluster_size: int = Field(25, gt=1)  # larger clusters are split back and reported
    source_priority: tuple[str, ...] = ()  # survivorship: earlier sources win ties over recency
    default_phone_region: str = "US"  # ISO code used when a phone has no country prefix or row country
    # Fellegi-Sunter matching (transform/models/intermediate/identity): pairs whose match
    # probability reaches this are one person, besides the certain rules (email, phone + name,
    # name + company). Lower finds more duplicates and risks merging strangers.
    match_probability: float = Field(0.9999, gt=0, lt=1)
    max_block_size: int = Field(500, gt=1)  # blocks (and phone groups) larger than this are not compared
    em_iterations: int = Field(25, gt=0, le=200)  # EM rounds estimating the m probabilities
    u_sample_touches: int = Field(20_000, gt=10)  # touches sampled for the random pairs that give u


# ---------------------------------------------------------------------------------------------
# Sources: each type's config class is declared in its source-type entry (source_types.py)
# ---------------------------------------------------------------------------------------------
SourceConfig = Annotated[
    Union[tuple(t.config for t in SOURCE_TYPES.values())],  # noqa: UP007 - built from the table
    Field(discriminator="type"),
]


class LeadsyncConfig(_Model):
    warehouse: WarehouseConfig = WarehouseConfig()
    webhooks: WebhooksConfig = WebhooksConfig()
    sources: tuple[SourceConfig, ...] = ()
    qualification: QualificationConfig = QualificationConfig()
    identity: IdentityConfig = IdentityConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    # Set by load_config, not read from the file: where relative paths are anchored.
    base_dir: str = "."

    @model_validator(mode="after")
    def _unique_names(self) -> LeadsyncConfig:
        seen: set[str] = set()
        for s in self.sources:
            if s.name in seen:
                raise ValueError(f"two sources are named {s.name!r}; each source needs its own name")
            seen.add(s.name)
        return self

    # -- lookups -------------------------------------------------------------------------------
    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"There is no source named {name!r} in the config (configured: {known}).")

    def sources_of_type(self, *types: str) -> list[SourceConfig]:
        return [s for s in self.sources if s.type in types and s.enabled]

    @property
    def enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self.sources if s.enabled]

    # -- paths ---------------------------------------------------------------------------------
    def resolve(self, path: str) -> str:
        """Anchor a relative local path at the config file's folder; URLs pass unchanged."""
        if "://" in path:
            return path
        p = Path(os.path.expanduser(path))
        return str(p if p.is_absolute() else (Path(self.base_dir) / p).resolve())

    @property
    def warehouse_path(self) -> Path:
        override = os.environ.get(WAREHOUSE_ENV)
        return Path(self.resolve(override or self.warehouse.path))

    @property
    def bi_copy_path(self) -> Path:
        if self.warehouse.bi_copy:
            return Path(self.resolve(self.warehouse.bi_copy))
        warehouse = self.warehouse_path
        return warehouse.with_name(f"{warehouse.stem}_bi.duckdb")

    def warehouse_credentials(self) -> str:
        """The connection string a server/cloud target reads from `warehouse.credentials_env`."""
        env_name = self.warehouse.credentials_env
        value = os.environ.get(env_name) if env_name else None
        if not value:
            raise ConfigError(
                f"The warehouse target {self.warehouse.target!r} needs the environment variable "
                f"{env_name} (warehouse.credentials_env); it is not set. Export it "
                f"({self.warehouse.spec.credentials_hint}) and run again."
            )
        return value

    @property
    def landing_dir(self) -> Path:
        return Path(self.resolve(self.webhooks.landing_dir))

    @property
    def state_dir(self) -> Path:
        """dlt pipeline working folders and other leadsync state live beside the warehouse."""
        return self.warehouse_path.parent / ".leadsync"

    # -- dbt ------------------------------------------------------------------------------------
    def dbt_vars(self) -> dict[str, Any]:
        """The config as dbt vars (names and defaults mirrored in transform/dbt_project.yml)."""
        return {
            "leadsync_lead_models": [t.staging_model for t in SOURCE_TYPES.values() if t.carries_leads],
            "leadsync_tombstone_models": [
                t.tombstone_model for t in SOURCE_TYPES.values() if t.tombstone_model
            ],
            "leadsync_crm_stage_map": stage_map_var(self.enabled_sources),
            # PostgreSQL: dbt builds the marts aside; publishing swaps them into `marts` (marts_swap.py)
            "leadsync_marts_schema": "marts_build" if self.warehouse.target == "postgres" else "marts",
            "leadsync_sources": [
                {
                    "name": s.name,
                    "type": s.type,
                    "origin": s.origin,
                    "default_phone_region": s.default_phone_region,
                }
                for s in self.enabled_sources
            ],
            "leadsync_qualification": self.qualification.model_dump(mode="json"),
            "leadsync_identity": self.identity.model_dump(mode="json"),
            "leadsync_monitoring": {
                "feast_famine_band": self.monitoring.feast_famine_band,
                "lead_flow_min_share": self.monitoring.lead_flow_min_share,
            },
        }

    # -- secrets -------------------------------------------------------------------------------
    def secret(self, source: Any, key: str) -> str:
        """The value of the env var that `source.<key>` names, or a ConfigError naming both."""
        env_name = getattr(source, key)
        if not env_name:
            raise ConfigError(f"Source {source.name!r} has no {key} set in the config.")
        value = os.environ.get(env_name)
        if not value:
            raise ConfigError(
                f"Source {source.name!r} needs the environment variable {env_name} ({key}); "
                f"it is not set. Export it (export {env_name}=...) and run again."
            )
        return value

    def missing_secrets(self, names: list[str] | None = None) -> list[str]:
        """One message per secret env var that a selected source needs and the environment lacks."""
        problems = []
        for s in self.enabled_sources:
            if names and s.name not in names:
                continue
            for key, env_name in s.secret_envs.items():
                if not os.environ.get(env_name):
                    problems.append(f"source {s.name!r} needs the environment variable {env_name} ({key})")
        return problems

    def warnings(self) -> list[str]:
        """Non-fatal problems worth telling the user: globs that match nothing, ad-platform API
        versions that sunset within 60 days (or that leadsync's version tables do not know)."""
        from leadsync.ingestion.ad_platforms.lifecycle import version_warnings

        out = version_warnings(self.enabled_sources)
        for s in self.enabled_sources:
            path = getattr(s, "path", None)
            if path and "://" not in path:
                pattern = self.resolve(path)
                if not globlib.glob(pattern, recursive=True):
                    out.append(f"source {s.name!r}: the path {path!r} matches no file yet")
        return out


def _describe(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(loc):
        key = loc[i]
        if key == "sources" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            idx = loc[i + 1]
            entries = raw.get("sources") or []
            name = entries[idx].get("name") if idx < len(entries) and isinstance(entries[idx], dict) else None
            parts.append(f"source {name!r}" if name else f"sources entry #{idx + 1}")
            i += 2
            if i < len(loc) and isinstance(loc[i], str) and loc[i] in SOURCE_TYPES:
                i += 1  # pydantic adds the union member's tag
            continue
        parts.append(str(key))
        i += 1
    return " > ".join(parts) or "top level"


def _format_validation_error(err: ValidationError, raw: dict[str, Any], file: str) -> str:
    lines = [f"{file} has {err.error_count()} problem(s):"]
    for e in err.errors():
        where = _describe(tuple(e["loc"]), raw)
        if e["type"] == "union_tag_invalid":
            tag = e.get("input", {}).get("type") if isinstance(e.get("input"), dict) else None
            msg = f"unknown source type {tag!r}; use one of: {', '.join(SOURCE_TYPES)}"
        elif e["type"] == "union_tag_not_found":
            msg = f"missing `type`; use one of: {', '.join(SOURCE_TYPES)}"
        elif e["type"] == "extra_forbidden":
            msg = f"unknown key {str(e['loc'][-1])!r} (check the spelling; see README 'Configuration')"
            where = _describe(tuple(e["loc"][:-1]), raw)
        elif e["type"] == "missing":
            msg = f"`{e['loc'][-1]}` is required"
            where = _describe(tuple(e["loc"][:-1]), raw)
        elif e["type"] == "literal_error":
            msg = f"{e['msg'].replace('Input should be', 'must be')} (got {e.get('input')!r})"
        else:
            msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  - {where}: {msg}")
    return "\n".join(lines)


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $LEADSYNC_CONFIG, else ./leadsync.yaml."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


def parse_config(
    raw: dict[str, Any] | None, *, base_dir: str | os.PathLike[str] = ".", file: str = DEFAULT_CONFIG_FILE
) -> LeadsyncConfig:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file} must be a YAML mapping with keys like `warehouse:` and `sources:`.")
    try:
        return LeadsyncConfig.model_validate({**raw, "base_dir": str(Path(base_dir).resolve())})
    except ValidationError as err:
        raise ConfigError(_format_validation_error(err, raw, file)) from None


def load_config(path: str | os.PathLike[str] | None = None) -> LeadsyncConfig:
    """Read and validate the config file (see `config_path` for which file)."""
    file = config_path(path)
    if not file.exists():
        raise ConfigError(
            f"No config file at {file}. Create one (see README 'Configuration') or pass --config PATH."
        )
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"{file} is not valid YAML: {err}") from None
    return parse_config(raw, base_dir=file.resolve().parent, file=str(file))
