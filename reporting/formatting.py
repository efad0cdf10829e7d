"""How numbers read on the page: one place, so the summary, tables and charts agree."""

from __future__ import annotations

import datetime as dt

DASH = "–"  # shown where a figure cannot be computed (no leads, no spend, no activity)


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.0f}%"


def count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def money(value: float | None) -> str:
    """Spend carries no currency in the marts; amounts are shown as the spend file gave them."""
    if value is None:
        return DASH
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def hours(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.0f} h" if value >= 10 else f"{value:.1f} h"


def per_week(value: float | None) -> str:
    """A rate that can be small (a few records over months) without reading 0.0."""
    if value is None:
        return DASH
    if value == 0 or value >= 10:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def day(value: dt.date | None) -> str:
    return DASH if value is None else f"{value.day} {value:%b %Y}"


def dated_by(basis: str) -> str:
    """How the report dates a record, for the page's own words (see queries.time_basis)."""
    if basis == "touched_at":
        return "dated by when each lead happened"
    return "dated by when leadsync received each record"
