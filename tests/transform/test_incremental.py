"""Incremental models give the same marts as a full rebuild, and lead ids do not move.

Five dbt builds: the first load; a second load (a re-sent record with a changed field, a new
touch of a known person that changes its grade, a touch that merges two known people, a new
person, new activity events for a lead nothing else happened to, an event re-assigned by the
merge, and an event for a person the first load did not know); then a --full-refresh of a copy
of the same warehouse. Then the qualification vars change: an incremental build with no new
data must re-grade every lead, like a --full-refresh of the copy with the same vars.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt
from tests.transform.raw_builder import append_raw

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
SOURCES = [
    {"name": "expo", "type": "csv", "path": "x/*.csv"},
    {"name": "site_forms", "type": "webhook", "provider": "standard"},
    {"name": "sales_activity", "type": "activity_csv", "path": "a/*.csv"},
]
QUALIFICATION = {
    "rules": {"job_title": {"weight": 50, "keywords": ["vp"]}, "country": {"weight": 50, "values": ["US"]}}
}
# the second set of vars: only the title counts (scores are shares of the total weight)
REQUALIFICATION = {
    "rules": {"job_title": {"weight": 50, "keywords": ["vp"]}, "country": {"weight": 0, "values": ["US"]}}
}
COMPARED = {
    "marts.dim_leads": "lead_id, email, job_title, touch_count, icp_score, lead_grade, is_mql, current_stage, first_source_name",
    "marts.fct_lead_touches": "touch_id, lead_id, is_new_lead, is_valid",
}
# every lead-grain model that is incremental, compared in full (bar the run stamps)
WHOLE_TABLES = [
    "intermediate.int_leads_golden",
    "intermediate.int_lead_accounts",
    "intermediate.int_leads_qualified",
    "intermediate.int_lead_stage_events",
    "intermediate.int_lead_funnel_status",
    "intermediate.int_activity_events_resolved",
    "marts.dim_leads",
    "marts.fct_lead_touches",
    "marts.fct_lead_funnel",
    "marts.dim_accounts",
    "marts.fct_source_quality",
    "marts.fct_source_summary",
    "marts.fct_lead_flow",
    "marts.quarantine",
]
RUN_STAMPS = {"refreshed_at", "lead_refreshed_at", "identity_updated_at"}


def _lead(source: str, record_id: str, minutes: int, **fields) -> dict:
    return {
        "source_name": source,
        "source_type": "csv" if source == "expo" else "webhook",
        "lead_origin": "inbound",
        "source_record_id": record_id,
        "received_at": T0 + dt.timedelta(minutes=minutes),
        **fields,
    }


def _event(record_id: str, email: str, event: str, day: int) -> dict:
    return {
        "source_name": "sales_activity",
        "source_record_id": record_id,
        "email": email,
        "event": event,
        "occurred_at": f"2026-04-{day:02d} 10:00:00",
        "rep": "Sam",
    }


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        snapshot = {
            t: con.execute(f"select {cols} from {t} order by all").fetchall() for t, cols in COMPARED.items()
        }
        for table in WHOLE_TABLES:
            schema, name = table.split(".")
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by column_name",
                    [schema, name],
                ).fetchall()
                if c not in RUN_STAMPS
            ]
            rows = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()
            snapshot["all of " + table] = [dict(zip(columns, row)) for row in rows]
        return snapshot


def _config(db: Path, qualification: dict):
    return parse_config({"warehouse": {"path": str(db)}, "sources": SOURCES, "qualification": qualification})


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    db = root / "leads.duckdb"
    config = _config(db, QUALIFICATION)
    append_raw(
        db,
        "csv_leads",
        [
            _lead(
                "expo",
                "e1",
                0,
                email="ann@acme.com",
                first_name="Ann",
                last_name="Lee",
                job_title="Engineer",
                country="US",
            ),
            _lead(
                "expo", "e2", 1, email="raj@initech.com", first_name="Raj", last_name="Patel", country="IN"
            ),
            _lead(
                "expo",
                "e3",
                2,
                email="kim@umbrella.com",
                first_name="Kim",
                last_name="Cho",
                job_title="VP Sales",
                country="US",
            ),
            _lead(
                "expo",
                "e4",
                3,
                email="li@wayne.com",
                first_name="Li",
                last_name="Wei",
                phone="(415) 555-0199",
            ),
        ],
        load_id="2000.0",
    )
    append_raw(
        db,
        "webhook_leads",
        [
            _lead("site_forms", "w0", 4, email="wei.li@gmail.com", first_name="Li", last_name="Wei"),
        ],
        load_id="2000.0",
    )
    append_raw(
        db,
        "activity_events",
        [
            _event("a1", "kim@umbrella.com", "contacted", 2),
            _event("a2", "wei.li@gmail.com", "contacted", 3),
            _event("a3", "zoe@globex.io", "contacted", 3),  # nobody known yet: quarantined for now
        ],
        load_id="2000.0",
    )
    assert run_dbt(config, ["build"], target_path=root / "t1", raise_on_error=False).is_successful()
    first = _snapshot(db)

    append_raw(
        db,
        "csv_leads",
        [  # e1 re-sent: Ann got promoted
            _lead(
                "expo",
                "e1",
                0,
                email="ann@acme.com",
                first_name="Ann",
                last_name="Lee",
                job_title="VP Engineering",
                country="US",
            ),
        ],
        load_id="2001.0",
    )
    append_raw(
        db,
        "webhook_leads",
        [
            # a new touch of Raj: his title makes him grade C
            _lead(
                "site_forms",
                "w1",
                60,
                email="RAJ@initech.com",
                first_name="Raj",
                last_name="Patel",
                job_title="VP Ops",
            ),
            _lead(
                "site_forms", "w2", 61, email="zoe@globex.io", first_name="Zoe", last_name="Ng", country="US"
            ),
            # the gmail address of w0 with the phone of e4: the two Li Weis are one person
            _lead(
                "site_forms",
                "w3",
                62,
                email="wei.li@gmail.com",
                first_name="Li",
                last_name="Wei",
                phone="415 555 0199",
            ),
        ],
        load_id="2001.0",
    )
    append_raw(
        db,
        "activity_events",
        [  # Kim moves on; nothing else about her changed
            _event("a4", "kim@umbrella.com", "responded_positive", 4),
            _event("a5", "kim@umbrella.com", "qualified", 5),
        ],
        load_id="2001.0",
    )
    assert run_dbt(config, ["build"], target_path=root / "t2", raise_on_error=False).is_successful()
    incremental = _snapshot(db)
    with duckdb.connect(str(db), read_only=True) as con:  # the second build really was incremental
        assert con.execute(
            "select count(distinct refreshed_at) from intermediate.int_leads_qualified"
        ).fetchone() == (2,)

    copy = root / "rebuilt.duckdb"
    shutil.copy(db, copy)
    assert run_dbt(
        _config(copy, QUALIFICATION),
        ["build", "--full-refresh"],
        target_path=root / "t3",
        raise_on_error=False,
    ).is_successful()
    rebuilt = _snapshot(copy)
    with duckdb.connect(str(copy), read_only=True) as con:  # the copy really was rebuilt
        assert con.execute(
            "select count(distinct refreshed_at) from intermediate.int_leads_golden"
        ).fetchone() == (1,)

    assert run_dbt(
        _config(db, REQUALIFICATION), ["build"], target_path=root / "t4", raise_on_error=False
    ).is_successful()
    requalified = _snapshot(db)
    assert run_dbt(
        _config(copy, REQUALIFICATION),
        ["build", "--full-refresh"],
        target_path=root / "t5",
        raise_on_error=False,
    ).is_successful()
    requalified_rebuilt = _snapshot(copy)
    return first, incremental, rebuilt, requalified, requalified_rebuilt


def _by_email(snapshot: dict) -> dict[str, tuple]:
    return {row[1]: row for row in snapshot["marts.dim_leads"]}


def test_incremental_equals_full_rebuild(builds):
    _, incremental, rebuilt, _, _ = builds
    for table in incremental:
        assert incremental[table] == rebuilt[table], table


def test_changed_record_and_new_touches_are_applied(builds):
    _, incremental, _, _, _ = builds
    leads = _by_email(incremental)
    assert set(leads) == {
        "ann@acme.com",
        "raj@initech.com",
        "kim@umbrella.com",
        "wei.li@gmail.com",
        "zoe@globex.io",
    }
    assert leads["ann@acme.com"][2:7] == ("VP Engineering", 1, 100.0, "A", True)
    assert leads["raj@initech.com"][3] == 2  # the webhook touch joined the known person
    touches = incremental["marts.fct_lead_touches"]
    assert len(touches) == 8 and sum(1 for t in touches if t[2]) == 5


def test_new_touch_changes_the_grade(builds):
    first, incremental, _, _, _ = builds
    assert _by_email(first)["raj@initech.com"][4:7] == (0.0, "D", False)
    assert _by_email(incremental)["raj@initech.com"][2:7] == ("VP Ops", 2, 50.0, "C", False)


def test_new_activity_moves_the_stage(builds):
    first, incremental, _, _, _ = builds
    assert _by_email(first)["kim@umbrella.com"][7] == "contacted"
    assert _by_email(incremental)["kim@umbrella.com"][7] == "qualified"
    # the event for a person nobody knew enters the funnel once the person arrives
    assert _by_email(incremental)["zoe@globex.io"][7] == "contacted"


def test_merge_removes_the_retired_lead_everywhere(builds):
    first, incremental, _, _, _ = builds
    before = {row[1]: row[0] for row in first["marts.dim_leads"]}
    assert {"li@wayne.com", "wei.li@gmail.com"} <= set(before)
    survivor = _by_email(incremental)["wei.li@gmail.com"]  # the latest touch's email survives
    assert survivor[3] == 3 and survivor[7] == "contacted"  # the retired lead's touches and event moved
    assert survivor[0] in (before["li@wayne.com"], before["wei.li@gmail.com"])
    retired = ({before["li@wayne.com"], before["wei.li@gmail.com"]} - {survivor[0]}).pop()
    for table in WHOLE_TABLES:
        assert all(row.get("lead_id") != retired for row in incremental["all of " + table]), table


def test_changed_qualification_vars_requalify_every_lead(builds):
    _, incremental, _, requalified, requalified_rebuilt = builds
    for table in requalified:
        assert requalified[table] == requalified_rebuilt[table], table
    assert _by_email(incremental)["zoe@globex.io"][4:6] == (50.0, "C")
    assert _by_email(requalified)["zoe@globex.io"][4:6] == (0.0, "D")
    assert _by_email(incremental)["raj@initech.com"][4:7] == (50.0, "C", False)
    assert _by_email(requalified)["raj@initech.com"][4:7] == (100.0, "A", True)


def test_lead_ids_are_stable(builds):
    first, incremental, _, _, _ = builds
    before = {row[1]: row[0] for row in first["marts.dim_leads"]}
    after = {row[1]: row[0] for row in incremental["marts.dim_leads"]}
    merged = {"li@wayne.com", "wei.li@gmail.com"}  # one of the two ids survives the merge (above)
    assert all(after[email] == lead_id for email, lead_id in before.items() if email not in merged)
