"""Header mapping (explicit, synonyms, folding), name splitting and content-hash ids, run in DuckDB."""

from __future__ import annotations

import duckdb

from leadsync.ingestion.csv_leads.projection import first_name_sql, last_name_sql
from leadsync.ingestion.files.mapping import (
    content_hash_sql,
    custom_fields_sql,
    map_headers,
    synonym_lookup,
)
from leadsync.ingestion.lead import canonical_field_for, is_record_id_header


def lead_map(headers, **kw):
    return map_headers(headers, synonym=canonical_field_for, is_id_header=is_record_id_header, **kw)


def test_synonyms_with_folding():
    m = lead_map(["E-Mail Address", "FIRST NAME", "last_name", " Company / Account ", "Lead Source"])
    assert m.fields == {"email": 0, "first_name": 1, "last_name": 2, "company_name": 3, "channel": 4}
    assert m.custom == ()


def test_explicit_columns_win_over_synonyms():
    m = lead_map(["Email", "Work Mail", "Badge ID"], explicit={"email": "Work Mail"})
    assert m.fields["email"] == 1
    assert m.record_id == 2
    assert m.custom == (0,)  # the other "Email" column is kept, not dropped


def test_explicit_id_column_and_unmapped_to_custom():
    m = lead_map(["Ref", "Email", "Booth Notes", "id"], id_column="Ref")
    assert m.record_id == 0
    assert m.custom == (2, 3)


def test_first_header_wins_for_a_field():
    m = lead_map(["Phone", "Mobile"])
    assert m.fields["phone"] == 0 and m.custom == (1,)


def test_custom_synonym_table():
    lookup = synonym_lookup({"tier": ("abm tier", "priority")})
    assert lookup("ABM-Tier") == "tier" and lookup("Priority") == "tier" and lookup("x") is None


def _eval(sql: str, **cols: str | None):
    names = ", ".join(f"?::varchar as {k}" for k in cols)
    with duckdb.connect() as con:
        return con.execute(f"select {sql} from (select {names})", list(cols.values())).fetchall()[0][0]


def test_name_split():
    cases = {
        "Lovelace, Ada": ("Ada", "Lovelace"),
        "  Ada   Lovelace ": ("Ada", "Lovelace"),
        "Ludwig van Beethoven": ("Ludwig", "van Beethoven"),
        "Cher": ("Cher", None),
        "Müller,Jürgen": ("Jürgen", "Müller"),
    }
    for full, expected in cases.items():
        assert (_eval(first_name_sql("c0"), c0=full), _eval(last_name_sql("c0"), c0=full)) == expected


def test_content_hash_is_deterministic_and_order_independent():
    h1 = _eval(content_hash_sql(("Email", "Name")), c0="a@x.com", c1="Ann")
    h2 = _eval(content_hash_sql(("Name", "Email")), c0="Ann", c1="a@x.com")
    h3 = _eval(content_hash_sql(("Email", "Name")), c0="a@x.com", c1="Anne")
    assert h1 == h2 and h1 != h3 and len(h1) == 32


def test_custom_fields_json_keeps_original_headers():
    m = lead_map(["Email", "Booth Notes", 'Interest "Level"'])
    assert (
        _eval(custom_fields_sql(m), c0="a@x.com", c1="likes it", c2=None)
        == '{"Booth Notes":"likes it","Interest \\"Level\\"":null}'
    )
