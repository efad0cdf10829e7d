"""The report's figures: each module answers one question, this one puts the answers together.

touches.py  the period's records (the base of every count) and what the marts must carry
sources.py  per source / channel / origin / overall: volume, duplicates, funnel, contact time
flow.py     records per week per source: steady, famine or feast
spend.py    spend per source and the roll-ups' costs
evidence.py where each stage came from (CRM, activity CSV, form status, implied)
quality.py  disqualification and invalid-record reasons
accounts.py target-account coverage
stages.py   the funnel's stage list (seeds/funnel_stages.csv)
"""

from __future__ import annotations

import datetime as dt

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.source_types import lead_source_types
from leadsync.reporting.accounts import target_accounts
from leadsync.reporting.evidence import has_sales_evidence, stage_evidence
from leadsync.reporting.figures import ReportData
from leadsync.reporting.flow import weekly_flow
from leadsync.reporting.quality import disqualification_reasons, invalid_reasons
from leadsync.reporting.sources import group_figures
from leadsync.reporting.spend import spend_by_source, with_spend
from leadsync.reporting.stages import positive_stages, sales_stages
from leadsync.reporting.touches import check_required, data_span, time_basis
from leadsync.reporting.warehouse import Marts


def load_report_data(marts: Marts, config: LeadsyncConfig, *, period_days: int | None) -> ReportData:
    """Run every query of the report against the marts."""
    check_required(marts)
    band = config.monitoring.feast_famine_band
    basis = time_basis(marts)
    stages = positive_stages()
    first, last = data_span(marts, basis)
    lead_sources = [s.name for s in config.sources_of_type(*lead_source_types())]
    if first is None or last is None:
        return ReportData(
            marts.location, None, None, period_days, band, basis, stages, quiet_sources=lead_sources
        )
    start = first if not period_days else max(first, last - dt.timedelta(days=period_days - 1))
    data = ReportData(marts.location, start, last, period_days, band, basis, stages)
    groups = group_figures(marts, basis, stages, start, last)
    spend, data.currency, data.spend_note = spend_by_source(marts, start, last, whole_history=start == first)
    data.has_spend = spend is not None
    data.groups = with_spend(groups, spend)
    data.has_activity = has_sales_evidence(marts, sales_stages())
    data.weekly_flow, data.steadiness = weekly_flow(marts, basis, start, last, band, cut_start=start > first)
    data.stage_evidence, data.evidence_note = stage_evidence(marts, basis, stages, start, last)
    data.disqualification_reasons = disqualification_reasons(marts, basis, start, last)
    data.invalid_reasons = invalid_reasons(marts, basis, start, last)
    data.target_accounts = target_accounts(marts, stages)
    seen = {g.name for g in data.level("source")}
    data.quiet_sources = [n for n in lead_sources if n not in seen]
    return data
