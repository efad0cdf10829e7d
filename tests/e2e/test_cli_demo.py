"""End to end: the real `leadsync` command on the bundled samples, as a user runs it.

One `leadsync demo --fresh` (session fixture `demo_run`) loads every source type through the
real receiver, sandboxes, dlt, dbt and the BI publish; the tests below read what it left and run
the other commands against it.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]

# What the bundled samples contain (examples/README.md): records per source after a demo run.
EXPECTED_TOUCHES = {
    "expo_2026": 20,
    "purchased_list": 21,
    "crm_export": 21,
    "website_forms": 3,
    "hubspot_forms": 3,
    "tally_forms": 3,
    "webflow_forms": 3,
    "jotform_forms": 3,
    "partner_referrals": 3,
    "meta_ads": 24,
    "linkedin_ads": 14,
    "google_ads": 10,
    "hubspot_crm": 40,
    "salesforce_crm": 36,
}
EXPECTED_QUARANTINE = {
    "expo_2026": 3,
    "crm_export": 2,
    "sales_activity": 3,
    "target_accounts": 1,
    "marketing_spend": 2,
}


def bi(demo_run, sql: str, params=None):
    con = duckdb.connect(str(demo_run.bi_copy), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_demo_prints_a_summary_and_where_things_are(demo_run):
    out = demo_run.stdout
    assert "leadsync demo finished." in out
    assert str(demo_run.warehouse) in out and str(demo_run.bi_copy) in out and str(demo_run.report) in out
    assert demo_run.warehouse.exists() and demo_run.bi_copy.exists() and demo_run.report.exists()
    # one summary line per configured source, none failed
    for source in EXPECTED_TOUCHES:
        assert any(line.startswith(source) for line in out.splitlines()), source
    assert "FAILED" not in out


def test_every_source_type_reaches_the_touches_mart(demo_run):
    rows = dict(bi(demo_run, "select source_name, count(*) from marts.fct_lead_touches group by 1"))
    assert rows == EXPECTED_TOUCHES
    types = {t for (t,) in bi(demo_run, "select distinct source_type from marts.fct_lead_touches")}
    assert types == {
        "csv",
        "webhook",
        "meta_lead_ads",
        "linkedin_lead_gen",
        "google_ads_lead_forms",
        "hubspot",
        "salesforce",
    }


def test_bad_rows_are_quarantined_with_reasons_never_dropped(demo_run):
    rows = dict(bi(demo_run, "select source_name, count(*) from marts.quarantine group by 1"))
    assert rows == EXPECTED_QUARANTINE
    assert bi(demo_run, "select count(*) from marts.quarantine where reason is null or reason = ''") == [(0,)]


def test_the_same_person_across_files_is_one_lead(demo_run):
    """Robert 'Bob' Fischer of Acme Robotics is in all three CSV exports, spelt three ways."""
    leads = bi(
        demo_run,
        """
        select t.lead_id, count(distinct t.source_name)
        from marts.fct_lead_touches t join marts.dim_leads l using (lead_id)
        where l.last_name = 'Fischer' group by 1""",
    )
    assert len(leads) == 1 and leads[0][1] == 3


def test_colleagues_sharing_a_switchboard_stay_apart(demo_run):
    leads = bi(
        demo_run,
        """
        select distinct lead_id from marts.dim_leads
        where (first_name, last_name) in (('Sarah', 'O''Connor'), ('David', 'Chen'))""",
    )
    assert len(leads) == 2


def test_resync_loads_nothing_new_and_keeps_lead_ids(demo_run, leadsync_cli):
    before = set(bi(demo_run, "select lead_id from marts.dim_leads"))
    file_sources = ["expo_2026", "purchased_list", "crm_export", "sales_activity", "website_forms"]
    args = [a for s in file_sources for a in ("--source", s)]
    done = leadsync_cli("--config", str(demo_run.config_file), "sync", *args, cwd=demo_run.root)
    assert done.returncode == 0, done.stderr
    loaded = {
        line.split()[0]: int(line.split()[1])
        for line in done.stdout.splitlines()
        if line.split() and line.split()[0] in file_sources
    }
    assert loaded == {s: 0 for s in file_sources}
    assert set(bi(demo_run, "select lead_id from marts.dim_leads")) == before


def test_report_command_writes_one_self_contained_page(demo_run, leadsync_cli):
    out = demo_run.root / "elsewhere" / "quality.html"
    done = leadsync_cli("--config", str(demo_run.config_file), "report", "--out", str(out), cwd=demo_run.root)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "http://" not in html.split("<body", 1)[1][:200]
    assert "expo_2026" in html


def test_errors_are_one_plain_line_with_a_non_zero_exit(tmp_path, demo_run, leadsync_cli):
    missing = leadsync_cli("--config", str(tmp_path / "nope.yaml"), "sync", cwd=tmp_path)
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1
    assert "No config file" in missing.stderr

    unknown = leadsync_cli("--config", str(demo_run.config_file), "sync", "--source", "nope", cwd=tmp_path)
    assert unknown.returncode != 0 and "no source named 'nope'" in unknown.stderr

    cfg = tmp_path / "meta.yaml"
    cfg.write_text(
        "sources:\n  - {name: meta_ads, type: meta_lead_ads, form_ids: ['1'],"
        " access_token_env: LEADSYNC_TEST_NO_SUCH_TOKEN}\n"
    )
    secret = leadsync_cli("--config", str(cfg), "sync", cwd=tmp_path)
    assert secret.returncode != 0 and len(secret.stderr.strip().splitlines()) == 1
    assert "LEADSYNC_TEST_NO_SUCH_TOKEN" in secret.stderr and "meta_ads" in secret.stderr


def test_forget_erases_a_person_everywhere(demo_run, leadsync_cli):
    """Runs last in this module: it changes the demo warehouse."""
    email = bi(demo_run, "select email from marts.dim_leads where last_name = 'O''Connor'")[0][0]
    done = leadsync_cli("--config", str(demo_run.config_file), "forget", email, cwd=demo_run.root)
    assert done.returncode == 0, done.stderr
    assert "total removed:" in done.stdout and "marts.dim_leads" in done.stdout
    for path in (demo_run.warehouse, demo_run.bi_copy):
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = con.execute(
                "select table_schema, table_name from information_schema.columns "
                "where column_name = 'email' and table_catalog = current_database()"
            ).fetchall()
            for schema, table in tables:
                n = con.execute(
                    f'select count(*) from "{schema}"."{table}" where lower(email) = ?', [email.lower()]
                ).fetchone()[0]
                assert n == 0, f"{email} still in {path.name}:{schema}.{table}"
        finally:
            con.close()
