"""A small crafted `marts` schema whose every figure is known by hand (see the tables below).

Period used by the tests: 28 days ending Sun 2026-03-29, i.e. four full ISO weeks
W1 = Mar 2-8, W2 = Mar 9-15, W3 = Mar 16-22, W4 = Mar 23-29, plus one older record (Feb 2).

| source      | origin   | records | new | dup | valid | MQL | contacted | responded | qualified | opp | won |
|-------------|----------|---------|-----|-----|-------|-----|-----------|-----------|-----------|-----|-----|
| trade_shows | outbound | 12      | 10  | 2   | 11    | 6   | 5         | 4         | 3         | 3   | 1   |
| web_forms   | inbound  | 8       | 8   | 0   | 8     | 4   | 1         | 1         | 0         | 0   | 0   |
| cold_calls  | outbound | 6       | 6   | 0   | 6     | 1   | 6         | 2         | 0         | 0   | 0   |

Weekly records: trade_shows 4,4,0,4 (W3 famine); web_forms 2,2,2,2 (steady);
cold_calls 0,6,0,0 (W2 feast, the rest famine). Hours to first contact: trade_shows 2,4,6,8,10
(median 6), cold_calls all 1, web_forms 48. Spend (March): trade_shows 3000, web_forms 400,
cold_calls unknown. A lead, a channel, a company and a reason are named XSS.

Dates are `touched_at` (when the lead happened). `received_at` (when leadsync loaded it) differs
for the trade-show scans: the scan file was copied in on Fri Mar 27 (W4), so by received_at all
12 trade_shows records fall in W4. cold_calls has one more record, long before the period (Jan 5),
so its history starts there; web_forms's starts Feb 2 and trade_shows's Mar 2. expo_2025 (not in
the config) scanned 3 leads in the week of Jan 12 and nothing since.
Over all data (from Jan 5), each source's weeks start at its first record: cold_calls 12 full
weeks (1 on Jan 5, 6 in W2, else 0), expo_2025 11 (3, then 0: a one-off), web_forms 8 (1, 0, 0,
0, then 2 a week), trade_shows 4 (4, 4, 0, 4).
With `touched_at=False` the touches mart predates the column and the report falls back to
received_at.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from leadsync.ingestion.config import LeadsyncConfig, parse_config

XSS = "<script>alert(1)</script>"
PERIOD_DAYS = 28
SOURCE_ORIGINS = {
    "trade_shows": "outbound",
    "web_forms": "inbound",
    "cold_calls": "outbound",
    "expo_2025": "outbound",
}

_DDL = """
create schema marts;
create table marts.dim_leads (
    lead_id varchar, email varchar, phone_e164 varchar, first_name varchar, last_name varchar,
    company_name varchar, company_domain varchar, job_title varchar, country_code varchar,
    industry varchar, employee_count integer, lead_origin varchar, first_source_name varchar,
    first_seen_at timestamp, last_seen_at timestamp, touch_count integer, icp_score double,
    lead_grade varchar, is_mql boolean, disqualification_reason varchar, current_stage varchar,
    hours_to_first_contact double, stages_reached varchar[]
);
create table marts.fct_lead_touches (
    touch_id varchar, lead_id varchar, source_name varchar, source_type varchar,
    source_record_id varchar, received_at timestamp, touched_at timestamp, channel varchar,
    campaign varchar,
    is_valid boolean, invalid_reason varchar, is_new_lead boolean, lead_origin varchar
);
create table marts.fct_lead_funnel (lead_id varchar, stage varchar, entered_at timestamp,
                                    source_name varchar, evidence varchar);
create table marts.dim_accounts (
    account_id varchar, company_name varchar, company_domain varchar, is_target_account boolean,
    leads integer, mqls integer, furthest_stage varchar
);
create table marts.fct_source_spend (lead_source_name varchar, month varchar, spend double,
                                     currency varchar);
create table marts.fct_source_summary (source_name varchar, new_leads integer, spend double,
                                       currency varchar);
"""

SCAN_FILE_COPIED = dt.datetime(2026, 3, 27, 17, 30)  # trade_shows' received_at
WEEKS = [dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 9), dt.datetime(2026, 3, 16), dt.datetime(2026, 3, 23)]
SALES = ("contacted", "responded", "qualified", "opportunity", "won")


def _at(week: int, day: int = 0, hour: int = 10) -> dt.datetime:
    return WEEKS[week] + dt.timedelta(days=day, hours=hour - 0)


def build_marts(
    path: Path,
    *,
    spend: str | None = "monthly",
    with_accounts: bool = True,
    with_activity: bool = True,
    touched_at: bool = True,
) -> Path:
    """Write the crafted marts into a fresh DuckDB file at `path`.

    spend: "monthly" (a month-grained spend mart), "total" (only fct_source_summary's all-time
    spend) or None. dim_leads.stages_reached follows int_lead_funnel_status's rule: every stage
    with evidence, plus the sales stages before the furthest one (implied). Evidence: activity
    for the sales stages, except the crafted CRM evidence for trade_shows' `won` (t1). touched_at=False drops fct_lead_touches.touched_at (marts from before the column).
    """
    touches: list[tuple] = []  # (touch_id, lead_id, source, received_at, channel, valid, reason)
    leads: dict[str, dict] = {}
    funnel: list[tuple] = []

    def touch(
        lead: str,
        source: str,
        at: dt.datetime,
        channel: str | None = None,
        valid: bool = True,
        reason: str | None = None,
    ) -> None:
        touches.append((f"t{len(touches) + 1:03d}", lead, source, at, channel, valid, reason))

    def person(
        lead: str,
        source: str,
        origin: str,
        *,
        mql: bool = False,
        stages: tuple = (),
        contact_hours: float | None = None,
        dq: str | None = None,
        company: str = "Other Co",
        domain: str = "other.example",
        first: str = "Pat",
    ) -> None:
        leads[lead] = dict(
            source=source,
            origin=origin,
            mql=mql,
            dq=dq,
            company=company,
            domain=domain,
            first=first,
            stages=stages,
            contact_hours=contact_hours,
        )

    # web_forms: 2 records per week (Mon, and Tue / Sun in W4), all new; w1..w4 MQL; w1 contacted.
    for i in range(8):
        lead = f"w{i + 1}"
        week, day = divmod(i, 2)
        at = _at(week, 0 if day == 0 else (6 if week == 3 else 1))
        touch(lead, "web_forms", at)
        person(
            lead,
            "web_forms",
            "inbound",
            mql=i < 4,
            stages=("contacted", "responded") if i == 0 else (),
            contact_hours=48 if i == 0 else None,
            company="Globex" if i == 0 else "Other Co",
            domain="globex.example" if i == 0 else "other.example",
        )
    # trade_shows: W1 t1-t4, W2 t5-t8, W3 none, W4 t9, t10, t1 again, w2 again (dups).
    for i in range(8):
        touch(
            f"t{i + 1}",
            "trade_shows",
            _at(i // 4, 2, 9 + i % 4),
            "Event",
            valid=i != 7,
            reason=None if i != 7 else "missing email",
        )
    touch("t9", "trade_shows", _at(3, 2), "Event")
    touch("t10", "trade_shows", _at(3, 2, 11), "Event")
    touch("t1", "trade_shows", _at(3, 3), "Event")
    touch("w2", "trade_shows", _at(3, 3, 12), "Event")
    stages = {1: SALES, 2: SALES[:4], 3: ("contacted", "opportunity"), 4: SALES[:2], 5: SALES[:1]}
    for i in range(1, 11):
        person(
            f"t{i}",
            "trade_shows",
            "outbound",
            mql=i <= 6,
            stages=stages.get(i, ()),
            contact_hours=2.0 * i if i <= 5 else None,
            company="Acme" if i == 1 else "Other Co",
            domain="acme.example" if i == 1 else "other.example",
            first=XSS if i == 10 else "Pat",
        )
    # cold_calls: six in W2, all contacted after 1h; c1, c2 responded; c3-c6 disqualified.
    for i in range(1, 7):
        touch(f"c{i}", "cold_calls", _at(1, 1, 8 + i), XSS if i == 6 else "Cold Call")
        person(
            f"c{i}",
            "cold_calls",
            "outbound",
            mql=i == 1,
            stages=SALES[:2] if i <= 2 else SALES[:1],
            contact_hours=1.0,
            dq=None if i <= 2 else (XSS if i == 6 else "not in ICP"),
            company=f"{XSS} Corp" if i == 6 else "Other Co",
            domain="xss.example" if i == 6 else "other.example",
        )
    # Older records outside the 28-day period.
    touch("o1", "web_forms", dt.datetime(2026, 2, 2, 10))
    person("o1", "web_forms", "inbound")
    touch("o2", "cold_calls", dt.datetime(2026, 1, 5, 10), "Cold Call")
    person("o2", "cold_calls", "outbound")
    for i in range(3):
        touch(f"x{i + 1}", "expo_2025", dt.datetime(2026, 1, 13 + i, 11), "Event")
        person(f"x{i + 1}", "expo_2025", "outbound")

    first_at: dict[str, dt.datetime] = {}
    for _, lead, _, at, *_ in touches:
        first_at[lead] = min(first_at.get(lead, at), at)
    for lead, p in leads.items():
        start = first_at[lead]
        funnel.append((lead, "new", start, p["source"], "first touch"))
        reached = ["new"]
        if p["mql"]:
            funnel.append((lead, "mql", start, p["source"], "icp score"))
            reached.append("mql")
        if with_activity:
            for k, stage in enumerate(p["stages"]):
                hours = p["contact_hours"] + k * 24
                evidence = "hubspot: dealstage closedwon" if stage == "won" else f"activity: {stage}"
                funnel.append((lead, stage, start + dt.timedelta(hours=hours), p["source"], evidence))
            if p["stages"]:
                reached += SALES[: SALES.index(p["stages"][-1]) + 1]
            if p["dq"]:
                funnel.append(
                    (lead, "disqualified", start + dt.timedelta(days=3), p["source"], "activity: dq")
                )
        p["reached"] = reached

    con = duckdb.connect(str(path))
    con.execute(_DDL)
    first_touch = {
        lead: min((t for t in touches if t[1] == lead), key=lambda t: (t[3], t[0])) for lead in first_at
    }
    con.executemany(
        "insert into marts.fct_lead_touches values (?, ?, ?, 'csv', ?, ?, ?, ?, null, ?, ?, ?, ?)",
        [
            (
                t[0],
                t[1],
                t[2],
                t[0],
                SCAN_FILE_COPIED if t[2] == "trade_shows" else t[3],
                t[3],
                t[4],
                t[5],
                t[6],
                first_touch[t[1]] == t,
                SOURCE_ORIGINS[t[2]],
            )
            for t in touches
        ],
    )
    con.executemany(
        "insert into marts.dim_leads values (?, ?, null, ?, 'Lee', ?, ?, null, 'US', null, null, ?, ?,"
        " ?, ?, 1, 50, 'B', ?, ?, ?, ?, ?)",
        [
            (
                lead,
                f"{lead}@{p['domain']}",
                p["first"],
                p["company"],
                p["domain"],
                p["origin"],
                p["source"],
                first_at[lead],
                first_at[lead],
                p["mql"],
                p["dq"],
                (p["stages"][-1] if p["stages"] and with_activity else ("mql" if p["mql"] else "new")),
                p["contact_hours"] if with_activity else None,
                p["reached"],
            )
            for lead, p in leads.items()
        ],
    )
    con.executemany("insert into marts.fct_lead_funnel values (?, ?, ?, ?, ?)", funnel)
    if with_accounts:
        con.executemany(
            "insert into marts.dim_accounts values (?, ?, ?, ?, ?, ?, ?)",
            [
                ("a1", "Acme", "acme.example", True, 1, 1, "won"),
                ("a2", "Globex", "globex.example", True, 1, 1, "responded"),
                ("a3", "Initech", "initech.example", True, 0, 0, None),
                ("a4", f"{XSS} Corp", "xss.example", True, 1, 0, "contacted"),
                ("a5", "Other Co", "other.example", False, 20, 8, "opportunity"),
            ],
        )
    con.executemany(
        "insert into marts.fct_source_spend values (?, ?, ?, 'eur')",
        [
            ("trade_shows", "2026-03", 3000.0),
            ("web_forms", "2026-03", 400.0),
            ("trade_shows", "2026-01", 999.0),
        ],
    )
    con.executemany(
        "insert into marts.fct_source_summary values (?, ?, ?, 'EUR')",
        [
            ("trade_shows", 10, 3999.0),
            ("web_forms", 9, 400.0),
            ("cold_calls", 6, None),
        ],
    )
    if spend != "monthly":
        con.execute("drop table marts.fct_source_spend")
    if spend is None:
        con.execute("alter table marts.fct_source_summary drop column spend")
    if not touched_at:
        con.execute("alter table marts.fct_lead_touches drop column touched_at")
    if not with_accounts:
        con.execute("drop table marts.dim_accounts")
    con.close()
    return path


def report_config(tmp_path: Path, warehouse: Path) -> LeadsyncConfig:
    """A config naming the three crafted sources, plus one that never sent anything."""
    return parse_config(
        {
            "warehouse": {"path": str(warehouse), "bi_copy": str(tmp_path / "no_bi_copy.duckdb")},
            "sources": [
                {"name": "trade_shows", "type": "csv", "path": "in/expo/*.csv", "origin": "outbound"},
                {"name": "web_forms", "type": "webhook", "provider": "standard"},
                {"name": "cold_calls", "type": "csv", "path": "in/calls/*.csv", "origin": "outbound"},
                {"name": "partner_referrals", "type": "csv", "path": "in/partners/*.csv"},
                {"name": "sales_activity", "type": "activity_csv", "path": "in/activity/*.csv"},
            ],
        },
        base_dir=tmp_path,
    )
