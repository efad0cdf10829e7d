"""marts.lead_links answers "why are these two one lead?": for every link identity kept, the rule
or the match weight that made it and the fields that agreed, on the lead the two touches share.

One dbt build of the identity models plus lead_links over crafted touches; a second, incremental
build adds a touch that merges two leads and checks the links follow the merged lead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.orchestration.dbt_project import run_dbt

from .identity_harness import IDENTITY_SELECTION, identity_config, query, touch, write_touches

SELECTION = " ".join([*IDENTITY_SELECTION, "lead_links"])

TOUCHES = [
    # the same address twice: the email rule
    touch("em1", first="Dana", last="Scully", email="dana@fbi.gov", company="FBI"),
    touch("em2", first="D", last="Scully", email="dana@fbi.gov"),
    # a direct phone and a nickname, nothing else shared: phone + name
    touch("ph1", first="Sam", last="Patel", phone="+12125550199", email="sam.p@gmail.com", free=True),
    touch("ph2", first="Samuel", last="Patel", phone="+12125550199"),
    # Bob and Robert at one company, no email on the second: fuzzy name + company
    touch("bob1", first="Robert", last="Jones", email="rjones@acme.com", company="Acme"),
    touch("bob2", first="Bob", last="Jones", company="Acme"),
    # strangers: no link, so no row
    touch("js1", first="John", last="Smith", email="john@initech.com", company="Initech"),
    touch("js2", first="John", last="Smith", email="john.smith@globex.com", company="Globex"),
]


def build(db: Path, target: Path) -> None:
    run_dbt(identity_config(db), ["build", "--select", SELECTION], target_path=target)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lead_links")
    db = root / "leads.duckdb"
    write_touches(db, TOUCHES)
    build(db, root / "target")
    return db


def links(db: Path) -> dict[frozenset[str], tuple]:
    rows = query(
        db,
        "select touch_id, linked_touch_id, lead_id, match_rule, match_weight, agreed_fields, "
        "email_level, phone_level, first_name_level, last_name_level, company_level "
        "from marts.lead_links",
    )
    return {frozenset(r[:2]): r[2:] for r in rows}


def lead_of(db: Path, touch_id: str) -> str:
    return query(
        db, f"select lead_id from intermediate.int_identity_assignments where touch_id = '{touch_id}'"
    )[0][0]


@pytest.mark.parametrize(
    ("a", "b", "rule", "agreed"),
    [
        ("em1", "em2", "email", ["email: exact"]),
        ("ph1", "ph2", "phone_and_name", ["phone: same direct line", "first_name: exact or nickname"]),
        ("bob1", "bob2", "fuzzy_name_and_company", ["company: same", "first_name: exact or nickname"]),
    ],
)
def test_each_link_says_its_rule_and_the_fields_that_agreed(warehouse, a, b, rule, agreed):
    found = links(warehouse)
    assert frozenset((a, b)) in found, f"no lead_links row for {a}-{b}: {sorted(map(sorted, found))}"
    lead_id, match_rule, _weight, agreed_fields, *_levels = found[frozenset((a, b))]
    assert match_rule == rule
    for field in agreed:
        assert field in agreed_fields.split(", ")
    # the link is on the lead both touches belong to today
    assert lead_id == lead_of(warehouse, a) == lead_of(warehouse, b)


def test_levels_and_agreed_fields_tell_the_same_story(warehouse):
    for pair, (_lead, _rule, _weight, agreed, email, phone, first, last, company) in links(warehouse).items():
        named = {f.split(": ")[0] for f in agreed.split(", ") if ": " in f}
        for field, level in (
            ("email", email),
            ("phone", phone),
            ("first_name", first),
            ("last_name", last),
            ("company", company),
        ):
            assert ((level or 0) > 0) == (field in named), (pair, field, level, agreed)


def test_strangers_have_no_link(warehouse):
    assert frozenset(("js1", "js2")) not in links(warehouse)
    assert lead_of(warehouse, "js1") != lead_of(warehouse, "js2")


def test_a_merge_relabels_the_links_onto_the_surviving_lead(tmp_path):
    db = tmp_path / "leads.duckdb"
    write_touches(db, TOUCHES)
    build(db, tmp_path / "target")
    assert lead_of(db, "em1") != lead_of(db, "ph1")
    # a later record with Dana's address and Sam's direct line and name: the two leads merge
    write_touches(
        db, [touch("bridge", first="Sam", last="Patel", email="dana@fbi.gov", phone="+12125550199")]
    )
    build(db, tmp_path / "target")
    assert lead_of(db, "em1") == lead_of(db, "ph1") == lead_of(db, "bridge")
    # the old links (em1-em2, ph1-ph2) now name the merged lead, like every other link
    stale = query(
        db,
        "select l.touch_id, l.linked_touch_id from marts.lead_links as l "
        "join intermediate.int_identity_assignments as a using (touch_id) where l.lead_id <> a.lead_id",
    )
    assert stale == []
    assert frozenset(("em1", "em2")) in links(db) and frozenset(("ph1", "ph2")) in links(db)
