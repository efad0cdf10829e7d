"""lead_id is stable across runs: new touches join existing leads, and when two existing leads
turn out to be one person the older id survives and the retired one is recorded as an alias.

Three incremental dbt builds over one warehouse (module scope):
  run 1: Walter Skinner (work email), Dana Scully
  run 2: Dana again (same email), Walt Skinner from a personal address with a phone: a new lead
  run 3: Walter Skinner with the work email AND Walt's phone: both Skinner leads are one person
  then:  dbt build --full-refresh, which must not re-derive or forget any of it
"""

from __future__ import annotations

import pytest

from .identity_harness import build_identity, identity_config, query, touch, write_touches

RUN_1 = [
    touch(
        "o1",
        first="Walter",
        last="Skinner",
        email="w.skinner@fbi.gov",
        company="FBI",
        received_at="2026-01-01 09:00:00+00",
    ),
    touch(
        "d1",
        first="Dana",
        last="Scully",
        email="dana@fbi.gov",
        company="FBI",
        received_at="2026-01-02 09:00:00+00",
    ),
]
RUN_2 = [
    touch(
        "d2", first="Dana", last="Scully", email="DANA@fbi.gov".lower(), received_at="2026-02-01 09:00:00+00"
    ),
    touch(
        "n1",
        first="Walt",
        last="Skinner",
        email="walt1960@gmail.com",
        free=True,
        phone="+12025550142",
        received_at="2026-02-02 09:00:00+00",
    ),
]
RUN_3 = [
    touch(
        "x1",
        first="Walter",
        last="Skinner",
        email="w.skinner@fbi.gov",
        phone="+12025550142",
        received_at="2026-03-01 09:00:00+00",
    ),
]

LEADS_SQL = "select touch_id, lead_id from intermediate.int_lead_identity"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("identity_stability")
    db = root / "leads.duckdb"
    config = identity_config(db)
    snapshots = {}
    for i, batch in enumerate([RUN_1, RUN_2, RUN_3], start=1):
        write_touches(db, batch)
        build_identity(config, root / "target")
        snapshots[i] = dict(query(db, LEADS_SQL))
    snapshots["aliases"] = query(
        db, "select retired_lead_id, lead_id, merged_at is not null from marts.lead_id_aliases"
    )
    # a full refresh rebuilds the derived keys but must not forget who is who
    build_identity(config, root / "target", "--full-refresh")
    snapshots["after_full_refresh"] = dict(query(db, LEADS_SQL))
    snapshots["aliases_after_full_refresh"] = query(
        db, "select retired_lead_id, lead_id, merged_at is not null from marts.lead_id_aliases"
    )
    snapshots["db"] = db
    return snapshots


def test_existing_lead_ids_do_not_change_when_new_touches_arrive(runs):
    assert runs[2]["o1"] == runs[1]["o1"]
    assert runs[2]["d1"] == runs[1]["d1"]


def test_a_new_touch_joins_the_existing_lead(runs):
    assert runs[2]["d2"] == runs[1]["d1"]


def test_unrelated_new_touch_becomes_a_new_lead(runs):
    assert runs[2]["n1"] not in {runs[1]["o1"], runs[1]["d1"]}


def test_older_lead_survives_a_merge_and_the_alias_is_recorded(runs):
    older, younger = runs[1]["o1"], runs[2]["n1"]
    assert runs[3]["o1"] == runs[3]["n1"] == runs[3]["x1"] == older
    assert runs["aliases"] == [(younger, older, True)]


def test_the_retired_touch_remembers_its_first_lead(runs):
    rows = query(
        runs["db"],
        "select original_lead_id, lead_id, retired_at is not null "
        "from intermediate.int_identity_assignments where touch_id = 'n1'",
    )
    assert rows == [(runs[2]["n1"], runs[1]["o1"], True)]


def test_cluster_sizes_count_touches_per_lead(runs):
    rows = dict(query(runs["db"], "select touch_id, cluster_size from intermediate.int_lead_identity"))
    assert rows == {"o1": 3, "n1": 3, "x1": 3, "d1": 2, "d2": 2}


def test_full_refresh_keeps_lead_ids_and_aliases(runs):
    assert runs["after_full_refresh"] == runs[3]
    assert runs["aliases_after_full_refresh"] == runs["aliases"]
