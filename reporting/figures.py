"""What the report holds once the marts are read: aggregated figures only, no SQL here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

NO_CHANNEL = "(none)"  # as fct_source_quality names a missing channel
ALL_SOURCES = "All sources"
# A source's lead flow is only judged (famine / feast, steadiest) once it has this many full
# weeks since its first record: one or two weeks say nothing about how steady a source is.
MIN_JUDGED_WEEKS = 4


# The outcome "brought X% of leads but Y% of <outcome>" compares on: the first of these stages that
# has at least one lead, so a warehouse without sales activity still gets a comparison (on MQLs).
# (stage, how the summary names it, how a chart legend names it)
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("opportunity", "opportunities", "opportunities"),
    ("qualified", "sales-qualified leads", "qualified"),
    ("mql", "MQLs", "MQLs"),
)


def outcome(overall: GroupFigures | None) -> tuple[str, str, str] | None:
    """The deepest of OUTCOMES that any of the period's new leads reached, if any."""
    return next((o for o in OUTCOMES if overall and overall.stage_counts.get(o[0])), None)


def ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


@dataclass(frozen=True)
class GroupFigures:
    """One row of the figures table: a source, a channel, an origin, or everything."""

    level: str  # source | channel | origin | overall
    name: str
    origin: str | None
    records: int  # records received in the period (touches)
    new_leads: int  # people whose first record ever arrived here, in the period
    valid_records: int
    stage_counts: dict[str, int]  # stage -> new leads that reached it (dim_leads.stages_reached)
    disqualified: int
    median_hours_to_contact: float | None
    spend: float | None = None
    test_records: int = 0  # platform test submissions: neither new leads nor duplicates
    # Roll-ups (origin, overall) with spend: the sources whose spend is known, and their leads,
    # so a cost is spend over the leads that spend bought, never over free or unknown-cost leads.
    priced_sources: tuple[str, ...] = ()
    priced_new_leads: int | None = None
    priced_qualified: int | None = None

    @property
    def duplicates(self) -> int:
        return self.records - self.new_leads - self.test_records

    @property
    def duplicate_rate(self) -> float | None:
        return ratio(self.duplicates, self.records)

    @property
    def valid_rate(self) -> float | None:
        return ratio(self.valid_records, self.records)

    def rate(self, stage: str) -> float | None:
        """Share of this group's new leads that reached `stage`."""
        return ratio(self.stage_counts.get(stage, 0), self.new_leads)

    @property
    def cost_per_lead(self) -> float | None:
        leads = self.new_leads if self.priced_new_leads is None else self.priced_new_leads
        return None if self.spend is None else ratio(self.spend, leads)

    @property
    def cost_per_qualified(self) -> float | None:
        qualified = (
            self.stage_counts.get("qualified", 0) if self.priced_qualified is None else self.priced_qualified
        )
        return None if self.spend is None else ratio(self.spend, qualified)


@dataclass(frozen=True)
class WeekFlow:
    source_name: str
    week_start: dt.date
    records: int
    partial: bool  # the week runs past the period's edge: shown, never judged
    status: str  # steady | famine | feast | partial week | not judged


@dataclass(frozen=True)
class SourceSteadiness:
    source_name: str
    full_weeks: int
    mean_per_week: float  # over the full weeks: what famine / feast are judged against
    cv: float | None  # coefficient of variation of weekly records (lower = steadier)
    famine_weeks: int
    feast_weeks: int
    days_since_last: int
    first_week: dt.date | None = None  # the week of the source's first record ever
    records_per_week: float = 0.0  # the period's records over the days the source was active

    @property
    def judged(self) -> bool:
        """Enough full weeks since the source's first record (with records in them) to call it
        steady or not."""
        return self.full_weeks >= MIN_JUDGED_WEEKS and self.mean_per_week > 0


@dataclass(frozen=True)
class StageEvidence:
    """How many of the period's new leads reached `stage` on evidence of `kind` (the part of
    fct_lead_funnel.evidence before ':', e.g. "activity", "hubspot", "source status"), or
    "implied by a later stage" (in stages_reached without an evidence row of its own)."""

    stage: str
    kind: str
    leads: int


@dataclass(frozen=True)
class TargetAccounts:
    total: int
    with_leads: int
    by_furthest_stage: list[tuple[str, int]]  # ("no leads" | stage, accounts), in funnel order
    top: list[dict[str, Any]]  # the furthest-reaching target accounts: name, leads, stage


@dataclass
class ReportData:
    """Everything the page shows, already aggregated."""

    marts_path: str
    period_start: dt.date | None
    period_end: dt.date | None
    period_days: int | None
    feast_famine_band: float
    time_basis: str = "touched_at"  # the fct_lead_touches column every date in the report uses
    stages: tuple[str, ...] = ()  # the positive funnel stages, from seeds/funnel_stages.csv
    groups: list[GroupFigures] = field(default_factory=list)
    weekly_flow: list[WeekFlow] = field(default_factory=list)
    steadiness: list[SourceSteadiness] = field(default_factory=list)
    stage_evidence: list[StageEvidence] = field(default_factory=list)
    evidence_note: str | None = None  # what the marts cannot say about where stages came from
    disqualification_reasons: list[tuple[str, int]] = field(default_factory=list)
    invalid_reasons: list[tuple[str, int]] = field(default_factory=list)
    has_activity: bool = False
    has_spend: bool = False
    spend_note: str | None = None  # why costs are not shown, when spend exists but cannot be used
    currency: str | None = None
    target_accounts: TargetAccounts | None = None
    quiet_sources: list[str] = field(default_factory=list)

    def level(self, level: str) -> list[GroupFigures]:
        return [g for g in self.groups if g.level == level]

    @property
    def overall(self) -> GroupFigures | None:
        rows = self.level("overall")
        return rows[0] if rows else None
