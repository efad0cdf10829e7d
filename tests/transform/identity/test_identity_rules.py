"""Exact outcomes of identity resolution on crafted touches (one dbt build for the module).

Each case is a small story from real lead data; the assertions say which touches must end up
as one person and which must stay apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .identity_harness import build_identity, identity_config, query, touch, write_touches

SWITCHBOARD = "+14155550100"

CASES = [
    # colleagues calling in through the company switchboard: same phone, different people
    touch("sw1", first="Alice", last="Wong", phone=SWITCHBOARD, company="Acme Systems"),
    touch("sw2", first="Carl", last="Berg", phone=SWITCHBOARD, company="Acme Systems"),
    # Bob and Robert at the same company: one person
    touch("bob1", first="Robert", last="Jones", email="rjones@acme.com", company="Acme"),
    touch("bob2", first="Bob", last="Jones", company="Acme"),
    # John Smith at two companies: two people
    touch("js1", first="John", last="Smith", email="john@initech.com", company="Initech"),
    touch("js2", first="John", last="Smith", email="john.smith@globex.com", company="Globex"),
    # first and last name swapped by the form filler
    touch("tr1", first="Maria", last="Garcia", email="maria@hooli.com", company="Hooli"),
    touch("tr2", first="Garcia", last="Maria", company="Hooli", domain="hooli.com"),
    # a role mailbox shared by two people identifies neither
    touch("role1", first="Ann", last="Lee", email="info@umbrella.com", role=True, company="Umbrella"),
    touch("role2", first="Tom", last="Park", email="info@umbrella.com", role=True, company="Umbrella"),
    # same direct phone, nickname, no shared company or email
    touch("ph1", first="Sam", last="Patel", phone="+12125550199", email="sam.p@gmail.com", free=True),
    touch("ph2", first="Samuel", last="Patel", phone="+12125550199"),
    # a one-character typo at the same company domain
    touch("ty1", first="Jonathan", last="Miller", email="jm@wonka.com", company="Wonka"),
    touch("ty2", first="Jonathon", last="Miller", email="jonathan.miller@wonka.com", company="Wonka"),
    # colleagues whose names are close but not the same name
    touch("cw1", first="Joseph", last="Ward", email="jward@oscorp.com", company="Oscorp"),
    touch("cw2", first="Joseph", last="Howard", email="jhoward@oscorp.com", company="Oscorp"),
    touch("cw3", first="Mark", last="Jones", company="Oscorp"),
    touch("cw4", first="Mary", last="Jones", company="Oscorp"),
    # same email, different spellings of the record otherwise: one person
    touch("em1", first="Dana", last="Scully", email="dana@fbi.gov", company="FBI"),
    touch("em2", first="D", last="Scully", email="dana@fbi.gov"),
    # a chain of near-identical names at one company: more identities than max_cluster_size
    *[
        touch(f"ch{i}", first=f, last=last, company="Vandelay")
        for i, (f, last) in enumerate(
            [
                ("Marianna", "Kowalski"),
                ("Marianna", "Kowalsky"),
                ("Marianne", "Kowalsky"),
                ("Marianne", "Kowalska"),
                ("Mariana", "Kowalska"),
            ]
        )
    ],
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("identity_rules")
    db = root / "leads.duckdb"
    write_touches(db, CASES)
    build_identity(identity_config(db, max_cluster_size=4), root / "target")
    return db


@pytest.fixture(scope="module")
def leads(warehouse) -> dict[str, tuple[str, str, int]]:
    """touch_id -> (lead_id, match_rule, cluster_size)."""
    rows = query(
        warehouse, "select touch_id, lead_id, match_rule, cluster_size from intermediate.int_lead_identity"
    )
    return {t: (lead, rule, size) for t, lead, rule, size in rows}


def same(leads, a: str, b: str) -> bool:
    return leads[a][0] == leads[b][0]


def test_every_touch_gets_exactly_one_lead(leads):
    assert set(leads) == {c["touch_id"] for c in CASES}


def test_switchboard_colleagues_stay_apart(leads):
    assert not same(leads, "sw1", "sw2")
    assert leads["sw1"][1] == leads["sw2"][1] == "singleton"


def test_bob_and_robert_at_the_same_company_merge(leads):
    assert same(leads, "bob1", "bob2")
    assert leads["bob2"][1:] == ("fuzzy_name_and_company", 2)


def test_john_smith_at_two_companies_stays_two_people(leads):
    assert not same(leads, "js1", "js2")


def test_transposed_first_and_last_name_merge(leads):
    assert same(leads, "tr1", "tr2")


def test_shared_role_mailbox_does_not_merge(leads):
    assert not same(leads, "role1", "role2")


def test_same_phone_and_compatible_name_merge(leads):
    assert same(leads, "ph1", "ph2")
    assert leads["ph2"][1] == "phone_and_name"


def test_one_character_typo_at_same_company_merges(leads):
    assert same(leads, "ty1", "ty2")


def test_colleagues_with_close_names_stay_apart(leads):
    assert not same(leads, "cw1", "cw2")
    assert not same(leads, "cw3", "cw4")


def test_same_email_merges_whatever_the_name(leads):
    assert same(leads, "em1", "em2")
    assert leads["em1"][1] == "email"


def test_guard_splits_chain_longer_than_max_cluster_size_and_reports_it(leads, warehouse):
    chain = [f"ch{i}" for i in range(5)]
    assert len({leads[t][0] for t in chain}) == 5  # fuzzy links dropped: nobody chained
    report = query(
        warehouse,
        "select cluster_size, touches_assigned, leads_after_split, max_cluster_size "
        "from intermediate.int_identity_oversized_clusters",
    )
    assert report == [(5, 5, 5, 4)]


def test_alias_table_is_empty_without_merges_of_existing_leads(warehouse):
    assert query(warehouse, "select count(*) from marts.lead_id_aliases") == [(0,)]
