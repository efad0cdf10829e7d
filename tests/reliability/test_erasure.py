"""`leadsync forget` erases the whole person and they stay erased (issue #15).

The person is in a CSV export, a second CSV row under another address linked by phone and name,
a signed webhook submission and a Meta lead; another person's notes mention their address.
After `forget`, no table, the BI copy nor the landing store holds any of it; then every source
type that held them sends them again (a changed file, a new submission, a new platform lead)
and a plain sync still brings nothing back, while the erasure log counts what it dropped.
"""

from __future__ import annotations

import csv
import json
import os

import duckdb
import pytest
from workspace import make_workspace, store_webhooks

from leadsync.ingestion.sandboxes import STARTERS
from leadsync.ingestion.suppression import erasure_log

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

PAT = "Pat.Quinn@QuinnWorks.example"
PAT_HOME = "pat@quinn-home.example"
PAT_PHONE = "+1 415 555 0199"
NEEDLES = ("quinnworks.example", "quinn-home.example", "415 555 0199", "4155550199")
HEADER = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Company",
    "Title",
    "Email",
    "Phone",
    "Lead Source",
    "Description",
]


@pytest.fixture
def meta():
    sandbox = STARTERS["meta"](port=0)
    yield sandbox
    sandbox.stop()


def _pat_on_meta(sandbox, n: int) -> None:
    sandbox.add_leads(
        1,
        custom_answers={
            "email": PAT,
            "full_name": "Pat Quinn",
            "phone_number": PAT_PHONE,
            "company_name": "Quinn Works",
        },
    )


def _write_extra(ws, rows) -> None:
    with open(ws.root / "inbox" / "crm_export_extra.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


BASE_ROWS = [
    ["X-1", "Pat", "Quinn", "Quinn Works", "CEO", PAT_HOME, PAT_PHONE, "Web", "second address"],
    [
        "X-2",
        "Quentin",
        "Other",
        "Other Co",
        "CTO",
        "quentin@other.example",
        "+1 212 555 0111",
        "Web",
        f"referred by {PAT.upper()} last week",
    ],
]


def _send_pat_webhook(ws, copy: int) -> None:
    from leadsync.ingestion.webhooks.client import sample_submissions, sign_and_send
    from leadsync.ingestion.webhooks.receiver import serve_in_background

    sample = sample_submissions(("typeform",), copy + 1)[copy]
    body = sample.body.replace(sample.email.encode(), PAT.encode())
    os.environ.update(ws.env)
    config = ws.config
    src = config.source("website_forms")
    with serve_in_background(config) as url:
        answer = sign_and_send(url, src, ws.env["TYPEFORM_SECRET"], body, sample.content_type)
    assert answer.status_code < 300, answer.text


def _mentions(path) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value anywhere in a DuckDB file that names Pat."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON') and table_schema <> 'suppression'"
        ).fetchall()
        hits = []
        for schema, table, col in cols:
            cond = " or ".join(f"strpos(lower(\"{col}\"::varchar), '{n}') > 0" for n in NEEDLES)
            for (value,) in con.execute(
                f'select "{col}"::varchar from "{schema}"."{table}" where {cond}'
            ).fetchall():
                hits.append((f"{schema}.{table}", col, value[:120]))
        return hits
    finally:
        con.close()


def _landing_mentions(ws) -> list[str]:
    landing = ws.root / "warehouse" / "landing"
    return [
        str(p) for p in landing.rglob("*") if p.is_file() and b"quinnworks.example" in p.read_bytes().lower()
    ]


def test_forget_then_every_source_sends_them_again(tmp_path, meta):
    _pat_on_meta(meta, 0)
    ws = make_workspace(tmp_path / "ws", meta.url)
    _write_extra(ws, BASE_ROWS)
    store_webhooks(ws, count=1)
    _send_pat_webhook(ws, 1)
    first = ws.run("sync")
    assert first.returncode == 0, first.stderr[-2000:]
    before = _mentions(ws.warehouse)
    assert {t for t, _, _ in before} >= {
        "raw.csv_leads",
        "raw.meta_leads",
        "raw.webhook_leads",
        "marts.dim_leads",
    }

    forgot = ws.run("forget", "  <PAT.QUINN@quinnworks.example> ")  # the dbt rule normalises it
    assert forgot.returncode == 0, forgot.stderr[-2000:]
    assert "suppressed: " in forgot.stdout
    assert _mentions(ws.warehouse) == []
    assert _mentions(ws.root / "warehouse" / "leads_bi.duckdb") == []
    assert _landing_mentions(ws) == []
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    quentin = con.execute(
        "select custom_fields, need from raw.csv_leads where email = 'quentin@other.example'"
    ).fetchall()
    kinds = dict(con.execute("select kind, count(*) from suppression.identifiers group by all").fetchall())
    con.close()
    assert len(quentin) == 1 and "[erased]" in json.dumps(quentin[0])  # the other person stays
    # both addresses and the shared phone, and whatever the typeform sample (whose address was
    # replaced by Pat's) links them to by its own phone and name
    assert kinds["email"] >= 2 and kinds["phone"] >= 1

    # Every source type that held them sends them again.
    _write_extra(ws, [*BASE_ROWS, ["X-3", "Rita", "New", "New Co", "CFO", "rita@new.example", "", "Web", ""]])
    _send_pat_webhook(ws, 2)
    _pat_on_meta(meta, 1)
    again = ws.run("sync")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _mentions(ws.warehouse) == []
    assert _mentions(ws.root / "warehouse" / "leads_bi.duckdb") == []
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    assert (
        con.execute("select count(*) from marts.dim_leads where email = 'rita@new.example'").fetchone()[0]
        == 1
    )
    con.close()
    dropped = {}
    for _, source, _table, n, _erased in erasure_log(ws.config):
        dropped[source] = dropped.get(source, 0) + n
    assert (
        dropped.get("crm_export", 0) >= 1
        and dropped.get("website_forms", 0) >= 1
        and dropped.get("meta_ads", 0) >= 1
    )

    listed = ws.run("forget", "--list")
    assert listed.returncode == 0 and f"{sum(kinds.values())} identifier(s) suppressed" in listed.stdout
    assert not any(n in listed.stdout.lower() for n in NEEDLES)
