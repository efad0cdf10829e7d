"""The building blocks every config section and every source type's config class share.

Kept apart from `config.py` so that `source_types.py` (which declares each type's config class)
and `config.py` (which reads the whole file) both stand on it without importing each other.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    """A problem in leadsync.yaml or the environment, phrased for the person who fixes it."""


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceBase(ConfigModel):
    """What every configured source has, whatever its type."""

    name: str
    origin: Literal["inbound", "outbound"] = "inbound"
    schedule: str | None = None  # cron; default monitoring.default_schedule
    freshness_hours: float | None = None  # default monitoring.freshness_hours
    enabled: bool = True
    # ISO 3166 code for phone numbers written without a country prefix in rows without a country
    # column value; default identity.default_phone_region. dbt receives it as data (a quoted
    # literal), and a number invalid in this region is flagged, never given a wrong E.164.
    default_phone_region: str | None = None

    @field_validator("name")
    @classmethod
    def _snake_case(cls, v: str) -> str:
        if not _SNAKE.match(v):
            raise ValueError(f"source name {v!r} must be snake_case (lower-case letters, digits, _)")
        return v

    @property
    def secret_envs(self) -> dict[str, str]:
        """Config key -> env var name for every secret this source needs."""
        return {k: v for k, v in self.model_dump().items() if k.endswith("_env") and isinstance(v, str) and v}


class FileSourceBase(SourceBase):
    """A source read from files: a local glob or any fsspec URL."""

    path: str  # a glob; any fsspec URL (s3://, gs://, az://) works the same way
    columns: dict[str, str] = {}  # canonical field -> header in this file
    delimiter: str | None = None  # auto-detected when absent
    encoding: str | None = None  # auto-detected when absent

    @property
    def is_remote(self) -> bool:
        return "://" in self.path and not self.path.startswith("file://")
