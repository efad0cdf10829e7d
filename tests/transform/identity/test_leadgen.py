"""The labelled lead generator: deterministic, in the raw lead schema, and actually messy."""

from __future__ import annotations

from collections import Counter

from benchmarks.leadgen import generate
from leadsync.ingestion.lead import raw_lead_schema


def test_same_seed_same_records_other_seed_other_records():
    assert generate(200, seed=1).rows == generate(200, seed=1).rows
    assert generate(200, seed=1).rows != generate(200, seed=2).rows


def test_records_have_the_raw_lead_schema_and_a_person_each():
    leads = generate(300, seed=5)
    table = leads.to_arrow()
    assert table.schema == raw_lead_schema()
    assert table.num_rows == len(leads.person_of)
    assert set(table.column("source_record_id").to_pylist()) == set(leads.person_of)
    people = Counter(leads.person_of.values())
    assert len(people) == 300
    assert sum(1 for n in people.values() if n > 1) > 50  # enough repeat people to match


def test_noise_is_present():
    rows = generate(1000, seed=9).rows
    emails = [r["email"] for r in rows]
    assert sum(e is None for e in emails) > 20
    assert any(e and e != e.strip() for e in emails)
    assert any(
        e and e.split("@")[0].strip(" <").lower() in {"info", "sales", "contact", "hello", "marketing"}
        for e in emails
    )
    assert sum(r.get("full_name") is not None for r in rows) > 100
    assert any(r["phone"] and "(" in r["phone"] for r in rows)
    assert any(r["company_name"] and r["company_name"].isupper() for r in rows)
