"""A deterministic, realistic cast of B2B contacts the sandboxes hand out as leads.

The same seed always yields the same people in the same order, so tests and the demo are
repeatable. Some names also appear in the CSV samples on purpose: one person reaching a
company through two channels is exactly what identity resolution downstream must handle.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# A fixed epoch: seeded leads are created from here on, added leads after the last one.
SEED_START = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)
# Seeded leads arrive every ~2.5 days, so a sandbox's history looks like a real campaign's
# flow (weeks of leads, not one burst) next to the bundled CSV samples.
SEED_SPACING = timedelta(hours=59)

_FIRST = (
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Tim",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Guido",
    "Hedy",
    "John",
    "Sophie",
    "Marco",
    "Aiko",
    "Priya",
    "Lars",
    "Chiara",
    "Mateo",
    "Nadia",
    "Oliver",
)
_LAST = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Berners-Lee",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "van Rossum",
    "Lamarr",
    "Backus",
    "Wilson",
    "Rossi",
    "Tanaka",
    "Sharma",
    "Nilsson",
    "Bianchi",
    "Garcia",
    "Haddad",
    "Smith",
)
_COMPANIES = (
    ("Acme Analytics", "acme-analytics.com", "Software", "51-200", "US"),
    ("Northwind Traders", "northwind.example", "Retail", "201-500", "US"),
    ("Globex Manufacturing", "globex.com", "Manufacturing", "1001-5000", "DE"),
    ("Initech", "initech.io", "Financial Services", "501-1000", "GB"),
    ("Umbrella Health", "umbrella-health.com", "Healthcare", "5001-10000", "FR"),
    ("Stark Logistics", "starklogistics.com", "Logistics", "201-500", "IT"),
    ("Wayne Capital", "waynecapital.com", "Financial Services", "51-200", "US"),
    ("Hooli Cloud", "hooli.com", "Software", "10001+", "US"),
)
_TITLES = (
    "Head of Marketing",
    "VP Sales",
    "Marketing Operations Manager",
    "CTO",
    "Demand Generation Lead",
    "Revenue Operations Analyst",
    "CEO",
    "Growth Marketer",
)
_NEEDS = (
    "Replace our lead routing spreadsheet",
    "Evaluate for Q3 rollout",
    "Need pricing for 50 seats",
    "Interested in a demo",
    "Consolidate ad platform leads",
)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    company_name: str
    company_domain: str
    job_title: str
    industry: str
    employee_count: str
    country: str
    need: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def people(count: int, seed: int) -> list[Person]:
    """``count`` people drawn deterministically from ``seed``."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company, domain, industry, size, country = rng.choice(_COMPANIES)
        local = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
        out.append(
            Person(
                first_name=first,
                last_name=last,
                email=f"{local}@{domain}",
                phone=f"+1 415 555 {rng.randint(1000, 9999)}",
                company_name=company,
                company_domain=domain,
                job_title=rng.choice(_TITLES),
                industry=industry,
                employee_count=size,
                country=country,
                need=rng.choice(_NEEDS),
            )
        )
    return out


def seeded_time(index: int, start: datetime = SEED_START) -> datetime:
    """The creation time of the index-th seeded lead."""
    return start + SEED_SPACING * index
