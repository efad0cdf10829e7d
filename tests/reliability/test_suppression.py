"""The load-time suppression filter on its own: dict rows and Arrow batches, drops and erasures."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.ingestion.suppression import (
    ERASED,
    Suppressor,
    email_rule_sql,
    hmac_key,
    identifier_hash,
    normalize_emails,
    record_forgotten,
)


def _suppressor(emails=("ada@example.com",), phones=("+14155550199",)) -> Suppressor:
    con = duckdb.connect(":memory:")
    record_forgotten(con, {"email": set(emails), "phone": set(phones)}, 3)
    key = hmac_key(con)
    hashes = frozenset(
        r[0] for r in con.execute("select identifier_hash from suppression.identifiers").fetchall()
    )
    return Suppressor(key, hashes)


def test_drops_by_email_or_phone_and_erases_mentions_elsewhere():
    s = _suppressor()
    rows = [
        {"email": " <ADA@Example.com>", "phone": None, "custom_fields": "{}"},
        {"email": "bob@example.org", "phone": "+1 (415) 555-0199", "custom_fields": "{}"},
        {
            "email": "cy@example.org",
            "phone": None,
            "custom_fields": '{"Referred by": "mailto:Ada@example.com"}',
        },
        {"email": "dee@example.org", "phone": "415-555-0199", "custom_fields": "{}"},  # national: kept
    ]
    kept = s.filter_rows("csv_leads", rows)
    assert [r["email"] for r in kept] == ["cy@example.org", "dee@example.org"]
    assert kept[0]["custom_fields"] == '{"Referred by": "' + ERASED + '"}'
    assert s.dropped == {"csv_leads": 2} and s.erased == {"csv_leads": 1}


def test_arrow_batches_keep_their_schema():
    s = _suppressor()
    table = pa.table({"email": ["ada@example.com", "x@y.org"], "n": pa.array([1, 2], pa.int16())})
    (out,) = list(s(table, resource="meta_leads"))
    assert out.schema == table.schema and out.column("email").to_pylist() == ["x@y.org"]
    assert list(s(table.slice(0, 1), resource="meta_leads")) == []  # nothing left: nothing yielded


def test_the_key_is_per_warehouse():
    a, b = duckdb.connect(":memory:"), duckdb.connect(":memory:")
    assert hmac_key(a) == hmac_key(a) != hmac_key(b)
    assert identifier_hash(hmac_key(a), "email", "x@y.z") != identifier_hash(hmac_key(b), "email", "x@y.z")


def test_the_rule_is_the_dbt_macro():
    assert email_rule_sql() == "nullif(regexp_replace(lower(trim(email)), '^mailto:|[<>\\s]', '', 'g'), '')"


_SQL = duckdb.connect(":memory:")


@settings(deadline=None)  # DuckDB queries on a loaded machine
@given(st.text(max_size=40))
def test_python_side_normalisation_is_the_sql_rule(text):
    expected = _SQL.execute(
        f"select {email_rule_sql()} from (select ?::varchar as email)", [text]
    ).fetchone()[0]
    assert normalize_emails([text]).get(text) == expected
