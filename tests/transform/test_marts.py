"""The whole dbt project on a crafted warehouse: exact outcomes in every mart.

One dbt build per module (a build costs seconds); raw rows are written with DuckDB, not the
ingestion code, so these tests pin the transform alone. linkedin_leads and google_ads_leads are
never created: staging must fall back to empty relations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt
from tests.transform.raw_builder import append_raw

UTC = dt.UTC
RECEIVED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

QUALIFICATION = {
    "mql_threshold": 60,
    "b2b_only": True,
    "competitor_domains": ["rival.com"],
    "rules": {
        "industry": {"weight": 25, "values": ["Software"]},
        "employee_count": {"weight": 25, "min": 50, "max": 1000},
        "country": {"weight": 25, "values": ["US"]},
        "job_title": {"weight": 15, "keywords": ["vp", "director"]},
        "target_account": {"weight": 10},
    },
}


def _lead(source: str, source_type: str, record_id: str, **fields) -> dict:
    return {
        "source_name": source,
        "source_type": source_type,
        "lead_origin": fields.pop("origin", "inbound"),
        "source_record_id": record_id,
        "received_at": fields.pop("received_at", RECEIVED),
        "is_test": fields.pop("is_test", False),
        **fields,
    }


def _config(db: Path):
    return parse_config(
        {
            "warehouse": {"path": str(db)},
            "sources": [
                {"name": "expo", "type": "csv", "path": "x/*.csv", "origin": "outbound"},
                {"name": "site_forms", "type": "webhook", "provider": "standard"},
                {"name": "meta_ads", "type": "meta_lead_ads", "form_ids": ["1"]},
                {"name": "sales_activity", "type": "activity_csv", "path": "a/*.csv"},
                {"name": "targets", "type": "target_accounts", "path": "t/*.csv"},
                {"name": "budget", "type": "spend_csv", "path": "s/*.csv"},
            ],
            "qualification": QUALIFICATION,
        }
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("marts")
    db = root / "leads.duckdb"
    append_raw(
        db,
        "csv_leads",
        [
            _lead(
                "expo",
                "csv",
                "e1",
                origin="outbound",
                email=" Ada@Acme.com ",
                full_name="Lovelace, Ada",
                company_name="Acme Inc.",
                job_title="VP Engineering",
                country="USA",
                industry="Computer Software",
                employee_count="51-200",
                phone="(415) 555-0134",
                submitted_at="2026-03-01 09:00:00",
                channel="Event",
            ),
            _lead(
                "expo",
                "csv",
                "e2",
                origin="outbound",
                email="bob.smith@gmail.com",
                first_name="bob",
                last_name="smith",
                company_name="Smith & Sons Ltd",
                country="GB",
                submitted_at="2026-03-01 11:00:00",
                channel="Event",
            ),
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "webhook_leads",
        [
            _lead(
                "site_forms",
                "webhook",
                "w1",
                email="ADA@ACME.COM",
                first_name="Ada",
                last_name="Lovelace",
                submitted_at="2026-03-05T10:00:00Z",
            ),
            _lead("site_forms", "webhook", "w2", full_name="Nobody Known"),
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "meta_leads",
        [
            _lead(
                "meta_ads", "meta_lead_ads", "m1", email="test@fb.com", full_name="Test Lead", is_test=True
            ),
            _lead(
                "meta_ads",
                "meta_lead_ads",
                "m2",
                email="carol@globex.io",
                full_name="Carol Danvers",
                company_name="Globex GmbH",
                country="Germany",
                lead_status="Closed Won",
                submitted_at="2026-03-03 12:00:00",
                campaign_name="Spring",
                campaign_id="c9",
                ad_group_id="as7",
                ad_id="ad5",
                form_id="1",
            ),
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "activity_events",
        [
            {
                "source_name": "sales_activity",
                "source_record_id": "a1",
                "email": "ada@acme.com",
                "event": "contacted",
                "occurred_at": "2026-03-02 10:00:00",
            },
            {
                "source_name": "sales_activity",
                "source_record_id": "a2",
                "email": "Ada@Acme.com",
                "event": "contacted",
                "occurred_at": "2026-03-03 10:00:00",
            },
            {
                "source_name": "sales_activity",
                "source_record_id": "a3",
                "email": "ada@acme.com",
                "event": "responded_positive",
                "occurred_at": "2026-03-04 10:00:00",
            },
            # arrives before the events that precede it: order comes from the times, not the file
            {
                "source_name": "sales_activity",
                "source_record_id": "a5",
                "email": "ada@acme.com",
                "event": "opportunity",
                "occurred_at": "2026-03-10 10:00:00",
            },
            {
                "source_name": "sales_activity",
                "source_record_id": "a4",
                "email": "ada@acme.com",
                "event": "qualified",
                "occurred_at": "2026-03-06 10:00:00",
            },
            {
                "source_name": "sales_activity",
                "source_record_id": "a6",
                "email": "ghost@nowhere.com",
                "event": "contacted",
                "occurred_at": "2026-03-02 10:00:00",
            },
            {
                "source_name": "sales_activity",
                "source_record_id": "a7",
                "email": "bob.smith@gmail.com",
                "event": "disqualified",
                "occurred_at": "2026-03-02 12:00:00",
            },
        ],
        load_id="1000.0",
    )
    # a second load re-sends a2 (a duplicate): still two contact attempts, not three
    append_raw(
        db,
        "activity_events",
        [
            {
                "source_name": "sales_activity",
                "source_record_id": "a2",
                "email": "ada@acme.com",
                "event": "contacted",
                "occurred_at": "2026-03-03 10:00:00",
            },
        ],
        load_id="1001.0",
    )
    append_raw(
        db,
        "target_accounts",
        [
            {
                "source_name": "targets",
                "source_record_id": "t1",
                "company_name": "ACME Incorporated",
                "website": "https://www.acme.com/",
            },
            {"source_name": "targets", "source_record_id": "t2", "company_name": "Initech LLC"},
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "spend",
        [
            {
                "source_name": "budget",
                "source_record_id": "s1",
                "lead_source_name": "expo",
                "month": "2026-03",
                "amount": "1,000",
                "currency": "usd",
            },
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "quarantine",
        [
            {
                "source_name": "expo",
                "source_type": "csv",
                "source_location": "x/a.csv",
                "source_line": 7,
                "reason": "ragged row: 3 fields, header has 9",
                "raw_content": "a,b,c",
                "quarantined_at": RECEIVED,
            },
        ],
        load_id="1000.0",
    )
    result = run_dbt(_config(db), ["build"], target_path=root / "target", raise_on_error=False)
    assert result.is_successful(), "dbt build failed; see the dbt log above"
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _lead_of(db: Path, email: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("select * from marts.dim_leads where email = ?", [email])
        names = [d[0] for d in cur.description]
        (row,) = cur.fetchall()
    return dict(zip(names, row))


def test_one_row_per_person_and_per_record(warehouse):
    assert _rows(warehouse, "select count(*) from marts.fct_lead_touches") == [(6,)]
    assert _rows(warehouse, "select count(*) from marts.dim_leads") == [(5,)]
    ada = _lead_of(warehouse, "ada@acme.com")
    assert ada["touch_count"] == 2
    assert ada["first_source_name"] == "expo" and ada["lead_origin"] == "outbound"
    # survivorship: the latest touch (webhook) has no phone; the phone survives from the CSV
    assert ada["phone_e164"] == "+14155550134" and ada["phone_e164_source_name"] == "expo"
    assert (ada["first_name"], ada["last_name"], ada["company_domain"]) == ("Ada", "Lovelace", "acme.com")


def test_touches_carry_campaign_ad_set_and_ad_ids(warehouse):
    assert _rows(
        warehouse,
        """
        select campaign, campaign_id, ad_group_id, ad_id, form_id, loaded_at
        from marts.fct_lead_touches where source_record_id = 'm2'
    """,
    ) == [("Spring", "c9", "as7", "ad5", "1", dt.datetime(1970, 1, 1, 0, 16, 40, tzinfo=UTC))]


def test_qualification(warehouse):
    ada = _lead_of(warehouse, "ada@acme.com")
    assert (ada["icp_score"], ada["lead_grade"], ada["is_mql"]) == (100.0, "A", True)
    assert ada["is_target_account"] is True
    assert "target_account (+10)" in ada["qualification_reasons"]
    bob = _lead_of(warehouse, "bob.smith@gmail.com")
    assert (bob["lead_grade"], bob["is_mql"], bob["disqualification_reason"]) == (
        "D",
        False,
        "free-mail address (B2B only)",
    )
    carol = _lead_of(warehouse, "carol@globex.io")
    assert (carol["icp_score"], carol["lead_grade"], carol["is_mql"]) == (0.0, "D", False)
    assert _rows(
        warehouse, "select disqualification_reason from marts.dim_leads where email = 'test@fb.com'"
    ) == [("platform test lead",)]
    assert _rows(
        warehouse, "select disqualification_reason from marts.dim_leads where last_name = 'Known'"
    ) == [("no usable contact channel",)]


def test_funnel_stages_attempts_and_attribution(warehouse):
    ada = _lead_of(warehouse, "ada@acme.com")
    stages = _rows(
        warehouse,
        f"""
        select stage, entered_at, event_count, source_name from marts.fct_lead_funnel
        where lead_id = '{ada["lead_id"]}' order by stage_order""",
    )
    assert [s[0] for s in stages] == ["new", "mql", "contacted", "responded", "qualified", "opportunity"]
    contacted = stages[2]
    assert contacted[1] == dt.datetime(2026, 3, 2, 10, 0) and contacted[2] == 2
    assert {s[3] for s in stages} == {"expo"}  # first-touch attribution
    assert (ada["current_stage"], ada["contact_attempts"], ada["hours_to_first_contact"]) == (
        "opportunity",
        2,
        25.0,
    )
    carol = _lead_of(warehouse, "carol@globex.io")
    assert carol["current_stage"] == "won"  # from the platform's own lead status
    bob = _lead_of(warehouse, "bob.smith@gmail.com")
    assert bob["current_stage"] == "disqualified"


def test_rejections_land_in_quarantine(warehouse):
    reasons = sorted(r[0] for r in _rows(warehouse, "select reason from marts.quarantine"))
    assert reasons == sorted(
        [
            "ragged row: 3 fields, header has 9",
            "activity event for an unknown person: no lead with email ghost@nowhere.com",
            "platform test lead",
            "no email or phone",
        ]
    )
    assert _rows(warehouse, "select count(*) from marts.fct_lead_touches where not is_valid") == [(2,)]


def test_platform_test_leads_are_not_counted_as_new_leads(warehouse):
    assert _rows(
        warehouse,
        """
        select is_test, is_new_lead, is_duplicate, is_valid from marts.fct_lead_touches
        where source_record_id = 'm1'""",
    ) == [(True, False, False, False)]
    # the source is credited with its one real lead only; the test submission still counts as
    # volume, but it is not a duplicate of anyone either
    assert _rows(
        warehouse,
        """
        select sum(volume), sum(new_leads), sum(duplicate_touches) from marts.fct_source_quality
        where source_name = 'meta_ads'""",
    ) == [(2, 1, 0)]
    assert _rows(
        warehouse,
        """
        select volume, new_leads, duplicate_rate from marts.fct_source_summary where source_name = 'meta_ads'""",
    ) == [(2, 1, 0.0)]


def test_accounts(warehouse):
    rows = _rows(
        warehouse,
        """
        select company_name, is_target_account, leads, mqls, furthest_stage from marts.dim_accounts
        order by company_name""",
    )
    assert ("ACME Incorporated", True, 1, 1, "opportunity") in rows
    assert ("Initech LLC", True, 0, 0, None) in rows
    assert ("Globex GmbH", False, 1, 0, "won") in rows


def test_source_quality_and_spend(warehouse):
    assert _rows(
        warehouse,
        """
        select volume, new_leads, duplicate_rate, valid_rate, mql_rate, contact_rate, qualified_rate
        from marts.fct_source_quality where source_name = 'expo' and channel = 'Event'""",
    ) == [(2, 2, 0.0, 1.0, 0.5, 0.5, 0.5)]
    assert _rows(
        warehouse,
        """
        select volume, new_leads, duplicate_rate from marts.fct_source_quality where source_name = 'site_forms'""",
    ) == [(2, 1, 0.5)]
    assert _rows(
        warehouse,
        "select spend, cost_per_lead, cost_per_mql from marts.fct_source_summary where source_name = 'expo'",
    ) == [(1000.0, 500.0, 1000.0)]


def test_lead_flow_fills_quiet_days(warehouse):
    rows = _rows(
        warehouse,
        """
        select flow_date, leads_received, days_since_last_lead, longest_gap_days
        from marts.fct_lead_flow where source_name = 'expo' order by flow_date""",
    )
    # expo's leads are on Mar 1; site_forms has data until Mar 5 (the last day with data)
    assert [r[1] for r in rows] == [2, 0, 0, 0, 0]
    assert rows[-1][2:] == (4, 4)
