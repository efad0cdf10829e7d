"""The report on marts built by the real dbt project (one build for the module).

The crafted-marts tests pin every figure; this one proves the report reads what the transform
really writes (column names, stage names, spend) and agrees with the marts' own summaries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from report_browser import open_page
from report_marts import XSS

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import run_dbt
from leadsync.reporting import build_report, report_data
from tests.transform.raw_builder import append_raw

UTC = dt.UTC
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
FIRST = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger"]
LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra"]


def _lead(source: str, source_type: str, rid: str, day: int, origin: str, **fields) -> dict:
    return {
        "source_name": source,
        "source_type": source_type,
        "lead_origin": origin,
        "source_record_id": rid,
        "received_at": DAY + dt.timedelta(days=day),
        "is_test": False,
        **fields,
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("report_real")
    db = root / "leads.duckdb"
    config = parse_config(
        {
            "warehouse": {"path": str(db), "bi_copy": str(root / "bi.duckdb")},
            "sources": [
                {"name": "expo", "type": "csv", "path": "x/*.csv", "origin": "outbound"},
                {"name": "site_forms", "type": "webhook", "provider": "standard"},
                {"name": "sales_activity", "type": "activity_csv", "path": "a/*.csv"},
                {"name": "targets", "type": "target_accounts", "path": "t/*.csv"},
                {"name": "budget", "type": "spend_csv", "path": "s/*.csv"},
            ],
            "qualification": {
                "mql_threshold": 50,
                "rules": {
                    "industry": {"weight": 60, "values": ["Software"]},
                    "country": {"weight": 40, "values": ["US"]},
                },
            },
        },
        base_dir=root,
    )
    expo = [
        _lead(
            "expo",
            "csv",
            f"e{i}",
            i % 3 + 7 * (i // 3),
            "outbound",
            email=f"person{i}@acme{i % 2}.com",
            first_name=FIRST[i],
            last_name=LAST[i],
            company_name=f"Acme {i % 2}",
            industry="Software",
            country="US",
            channel="Event",
        )
        for i in range(9)
    ]
    expo.append(
        _lead(
            "expo",
            "csv",
            "e-xss",
            15,
            "outbound",
            email="x@xss.io",
            first_name=XSS,
            last_name="Quux",
            company_name=f"{XSS} Corp",
            channel=XSS,
        )
    )
    append_raw(db, "csv_leads", expo, load_id="1000.0")
    append_raw(
        db,
        "webhook_leads",
        [
            _lead(
                "site_forms",
                "webhook",
                f"w{i}",
                i * 2,
                "inbound",
                email=f"form{i}@gmail.com",
                first_name=f"Form{i}",
                last_name=f"Filler{i}",
            )
            for i in range(6)
        ]
        + [
            _lead(
                "site_forms",
                "webhook",
                "w-dup",
                12,
                "inbound",
                email="person0@acme0.com",
                first_name="Ada",
                last_name="Lovelace",
            )
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "activity_events",
        [
            {
                "source_name": "sales_activity",
                "source_record_id": f"a{n}",
                "email": f"person{i}@acme{i % 2}.com",
                "event": ev,
                "occurred_at": (DAY + dt.timedelta(days=i % 3, hours=h)).strftime("%Y-%m-%d %H:%M:%S"),
            }
            for n, (i, ev, h) in enumerate(
                [
                    (0, "contacted", 2),
                    (1, "contacted", 5),
                    (2, "contacted", 3),
                    (0, "opportunity", 50),
                    (1, "disqualified", 30),
                ]
            )
        ],
        load_id="1000.0",
    )
    append_raw(
        db,
        "target_accounts",
        [
            {
                "source_name": "targets",
                "source_record_id": "t1",
                "company_name": "Acme 0",
                "website": "acme0.com",
            },
            {
                "source_name": "targets",
                "source_record_id": "t2",
                "company_name": "Initech",
                "website": "initech.com",
            },
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
                "amount": "2,000",
                "currency": "usd",
            },
        ],
        load_id="1000.0",
    )
    # models and seeds only: the transform's own tests belong to tests/transform
    result = run_dbt(
        config,
        ["build", "--resource-type", "model", "--resource-type", "seed"],
        target_path=root / "target",
        raise_on_error=False,
    )
    assert result.is_successful(), "dbt build failed; see the dbt log above"
    return db, config


def test_figures_agree_with_the_marts_own_summary(built):
    db, config = built
    data = report_data(config)
    with duckdb.connect(str(db), read_only=True) as con:
        summary = {
            r[0]: r[1:]
            for r in con.execute(
                "select source_name, volume, new_leads from marts.fct_source_summary"
            ).fetchall()
        }
    figures = {g.name: (g.records, g.new_leads) for g in data.level("source")}
    assert figures == summary, (figures, summary)
    assert figures == {"expo": (10, 10), "site_forms": (7, 6)}
    expo = {g.name: g for g in data.level("source")}["expo"]
    assert expo.stage_counts["contacted"] == 3 and expo.stage_counts["opportunity"] == 1
    assert expo.median_hours_to_contact == pytest.approx(3)
    # one definition of "reached" and one contact rate: the report's rates are the marts' own
    with duckdb.connect(str(db), read_only=True) as con:
        mart_rates = {
            r[0]: tuple(float(x or 0) for x in r[1:])
            for r in con.execute(
                "select source_name, mql_rate, contact_rate, opportunity_rate from marts.fct_source_summary"
            ).fetchall()
        }
    for g in data.level("source"):
        mine = tuple(round(g.rate(s) or 0, 4) for s in ("mql", "contacted", "opportunity"))
        assert mine == pytest.approx(mart_rates[g.name]), g.name
    assert data.spend_note is None and {g.name: g.spend for g in data.level("source")}["expo"] == 2000
    evidence = {(e.stage, e.kind) for e in data.stage_evidence}
    # the kind of evidence and the configured source it came from
    new_kinds = {kind for stage, kind in evidence if stage == "new"}
    assert new_kinds and new_kinds <= {"first touch (expo)", "first touch (site_forms)"}, evidence
    assert any(stage == "contacted" and kind.startswith("activity (") for stage, kind in evidence), evidence
    assert data.evidence_note is None
    ta = data.target_accounts
    assert ta is not None and (ta.total, ta.with_leads) == (2, 1)
    assert XSS in {g.name for g in data.level("channel")}


def test_report_from_dbt_marts_renders(built, chromium, artifacts):
    _, config = built
    page = build_report(config)
    html = page.read_text("utf-8")
    assert XSS not in html
    result = open_page(chromium, page, {"full": artifacts / "report_dbt_marts.png"})
    assert result.errors == [] and result.dialogs == []
    assert result.charts and all(c["rendered"] and c["svg"] for c in result.charts)
    assert XSS in result.text
