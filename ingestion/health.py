"""What a source's probe tells `leadsync check`: one status, one plain sentence, the API version.

Each source type may declare a probe in ingestion/source_types.py ("module:function"); it is called
as ``probe(config, source) -> CheckResult`` and must only read: one cheap authenticated call at most,
never a write to the warehouse, the landing store or a cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warning", "failed"]
_ORDER = {"ok": 0, "warning": 1, "failed": 2}


@dataclass(frozen=True)
class CheckResult:
    status: Status
    message: str  # one plain sentence; when not ok, it says what to do
    api_version: str | None = None  # as the platform names it: "LinkedIn-Version 202611", "Graph v24.0"

    def worse(self, other: CheckResult) -> CheckResult:
        """The more serious of two results (the first wins a tie)."""
        return other if _ORDER[other.status] > _ORDER[self.status] else self

    def line(self, source_name: str) -> str:
        version = f" [{self.api_version}]" if self.api_version else ""
        return f"{self.status:<7} {source_name}{version}: {self.message}"
