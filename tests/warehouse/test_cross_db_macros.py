"""Every cross_db macro (transform/macros/cross_db) on a real DuckDB and a real PostgreSQL.

One select, one column per case, is compiled by dbt for each target and run there; each column
must equal the expected value on both engines. The expectations are DuckDB's documented results
(https://duckdb.org/docs/stable/sql/functions/overview), so PostgreSQL is held to DuckDB's
behaviour, including its edge cases (no match, null list, a word boundary, a month 13).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import duckdb

from leadsync.ingestion.config import parse_config
from leadsync.ingestion.warehouse import connect
from leadsync.orchestration.dbt_project import run_dbt

FORMATS = (
    "['%m/%d/%Y %H:%M', '%m/%d/%Y', '%d/%m/%Y', '%d.%m.%Y', '%b %d, %Y', '%d %B %Y', '%m/%d/%Y %I:%M %p']"
)
VALUES = "(values ('a', 1, 10), ('b', 2, 30), (null, 3, 20), ('c', null, 40)) as t (x, y, z)"

# (column, SQL with macros, expected value)
CASES = [
    ("cast_double", "{{ xdb_try_cast(\"'12.5'\", 'double') }}", 12.5),
    ("cast_double_bad", "{{ xdb_try_cast(\"'12,5 EUR'\", 'double') }}", None),
    ("cast_bigint", "{{ xdb_try_cast(\"'42'\", 'bigint') }}", 42),
    ("cast_date_bad", "{{ xdb_try_cast(\"'2024-02-30'\", 'date') }}", None),
    ("cast_tstz_bad", "{{ xdb_try_cast(\"'yesterday-ish'\", 'timestamptz') }}", None),
    ("strp_us", "{{ xdb_try_strptime(\"'03/04/2024'\", " + FORMATS + ") }}", dt.datetime(2024, 3, 4)),
    (
        "strp_us_time",
        "{{ xdb_try_strptime(\"'3/4/2024 14:05'\", " + FORMATS + ") }}",
        dt.datetime(2024, 3, 4, 14, 5),
    ),
    (
        "strp_ampm",
        "{{ xdb_try_strptime(\"'03/04/2024 2:05 PM'\", " + FORMATS + ") }}",
        dt.datetime(2024, 3, 4, 14, 5),
    ),
    ("strp_day_first", "{{ xdb_try_strptime(\"'13/04/2024'\", " + FORMATS + ") }}", dt.datetime(2024, 4, 13)),
    ("strp_dots", "{{ xdb_try_strptime(\"'05.06.2024'\", " + FORMATS + ") }}", dt.datetime(2024, 6, 5)),
    (
        "strp_month_name",
        "{{ xdb_try_strptime(\"'Mar 5, 2024'\", " + FORMATS + ") }}",
        dt.datetime(2024, 3, 5),
    ),
    (
        "strp_long_month",
        "{{ xdb_try_strptime(\"'7 September 2024'\", " + FORMATS + ") }}",
        dt.datetime(2024, 9, 7),
    ),
    ("strp_none", "{{ xdb_try_strptime(\"'13/13/2024'\", " + FORMATS + ") }}", None),
    ("strp_text", "{{ xdb_try_strptime(\"'soon'\", " + FORMATS + ") }}", None),
    ("re_matches", "{{ xdb_regexp_matches(\"'10k employees'\", \"'\\\\d+\\\\s*k\\\\b'\") }}", True),
    ("re_boundary", "{{ xdb_regexp_matches(\"'10kg'\", \"'\\\\d+k\\\\b'\") }}", False),
    ("re_full", "{{ xdb_regexp_full_match(\"'abc'\", \"'a.c'\") }}", True),
    ("re_full_partial", "{{ xdb_regexp_full_match(\"'abcd'\", \"'a.c|x'\") }}", False),
    ("re_extract_group", "{{ xdb_regexp_extract(\"'$5m'\", \"'(\\\\d+)\\\\s*(m|k)'\", 2) }}", "m"),
    ("re_extract_whole", "{{ xdb_regexp_extract(\"'x12y'\", \"'\\\\d+'\") }}", "12"),
    ("re_extract_none", "{{ xdb_regexp_extract(\"'abc'\", \"'(\\\\d+)'\", 1) }}", ""),
    ("re_extract_null", "{{ xdb_regexp_extract('cast(null as varchar)', \"'(\\\\d+)'\", 1) }}", None),
    (
        "re_all",
        "{{ xdb_regexp_extract_all(\"'o''neil-smith jr'\", \"'[^\\\\s\\\\-'']+|[\\\\s\\\\-'']'\") }}",
        ["o", "'", "neil", "-", "smith", " ", "jr"],
    ),
    ("re_replace", "{{ xdb_regexp_replace(\"'a  b\\tc'\", \"'\\\\s+'\", \"' '\") }}", "a b c"),
    ("re_letters", "{{ xdb_regexp_replace(\"'Zoë-Łukasz 1'\", \"'[^\\\\pL]'\", \"''\") }}", "ZoëŁukasz"),
    ("list_agg", "(select {{ xdb_list_agg('z', order_by='z desc') }} from " + VALUES + ")", [40, 30, 20, 10]),
    ("list_len", "{{ xdb_list_len(\"array['a', 'b']\") }}", 2),
    ("list_contains", "{{ xdb_list_contains(\"array['a', 'b']\", \"'b'\") }}", True),
    ("list_contains_not", "{{ xdb_list_contains(\"array['a', null]\", \"'z'\") }}", False),
    ("list_has_any", "{{ xdb_list_has_any(\"array['a', 'b']\", \"array['c', 'b']\") }}", True),
    ("list_has_none", "{{ xdb_list_has_any(\"array['a']\", \"array['c']\") }}", False),
    ("list_position", "{{ xdb_list_position(\"array['a', 'b']\", \"'b'\") }}", 2),
    ("list_position_none", "{{ xdb_list_position(\"array['a', 'b']\", \"'z'\") }}", None),
    ("list_slice", "{{ xdb_list_slice(\"array['a', 'b', 'c']\", 2, 3) }}", ["b", "c"]),
    ("list_concat", "{{ xdb_list_concat(\"array['a']\", \"array['b', 'c']\") }}", ["a", "b", "c"]),
    ("list_prepend", "{{ xdb_list_prepend(\"'a'\", \"array['b']\") }}", ["a", "b"]),
    ("string_split", "{{ xdb_string_split(\"'acme corp inc'\", \"' '\") }}", ["acme", "corp", "inc"]),
    ("list_transform", "{{ xdb_list_transform(\"array['ab', 'c']\", 'w', 'upper(w)') }}", ["AB", "C"]),
    ("list_transform_null", "{{ xdb_list_transform('cast(null as varchar[])', 'w', 'upper(w)') }}", None),
    ("list_filter", "{{ xdb_list_filter(\"array['a', null, 'b']\", 'r', 'r is not null') }}", ["a", "b"]),
    (
        "list_filter_empty",
        "{{ xdb_list_filter(\"array[cast(null as varchar)]\", 'r', 'r is not null') }}",
        [],
    ),
    ("list_reverse", "{{ xdb_list_reverse(\"array['a', 'b', 'c']\") }}", ["c", "b", "a"]),
    ("list_sort", "{{ xdb_list_sort(\"array['b', 'c', 'a']\") }}", ["a", "b", "c"]),
    ("list_distinct", "{{ xdb_list_distinct_sorted(\"array['b', 'a', 'b', null]\") }}", ["a", "b"]),
    ("list_avg", "{{ xdb_list_avg('array[1, 2, 6, null]') }}", 3.0),
    ("list_stddev", "{{ xdb_list_stddev_pop('array[2, 4, 4, 4, 5, 5, 7, 9]') }}", 2.0),
    ("arg_max", "(select {{ xdb_arg_max('x', 'z') }} from " + VALUES + ")", "c"),
    ("arg_max_skips_null", "(select {{ xdb_arg_max('x', 'y') }} from " + VALUES + ")", "b"),
    ("arg_min_where", "(select {{ xdb_arg_min('x', 'z', where='y > 1') }} from " + VALUES + ")", "b"),
    ("arg_max_row", "(select {{ xdb_arg_max('x', '(coalesce(y, 0), z)') }} from " + VALUES + ")", "b"),
    ("median", "(select {{ xdb_median('z') }} from " + VALUES + ")", 25.0),
    ("median_where", "(select {{ xdb_median('z', where='y is not null') }} from " + VALUES + ")", 20.0),
    ("any_value", "(select {{ xdb_any_value('x') }} from " + VALUES + " where y = 2)", "b"),
    ("strip_accents", "{{ xdb_strip_accents(\"'Zoë Müller-Ångström'\") }}", "Zoe Muller-Angstrom"),
    ("contains", "{{ xdb_contains(\"'a, b'\", \"','\") }}", True),
    ("levenshtein", "{{ xdb_levenshtein(\"'kitten'\", \"'sitting'\") }}", 3),
    ("damerau", "{{ xdb_damerau_levenshtein(\"'jonh'\", \"'john'\") }}", 1),
    ("damerau_plain", "{{ xdb_damerau_levenshtein(\"'kitten'\", \"'sitting'\") }}", 3),
    ("jw_martha", "{{ xdb_jaro_winkler_similarity(\"'martha'\", \"'marhta'\") }}", 0.9611111111),
    ("jw_dixon", "{{ xdb_jaro_winkler_similarity(\"'dixon'\", \"'dicksonx'\") }}", 0.8133333333),
    ("jw_none", "{{ xdb_jaro_winkler_similarity(\"'abc'\", \"'xyz'\") }}", 0.0),
    ("jw_same", "{{ xdb_jaro_winkler_similarity(\"'smith'\", \"'smith'\") }}", 1.0),
    ("round", "{{ xdb_round('cast(2.0 as double precision) / 3', 2) }}", 0.67),
    (
        "json",
        "{{ xdb_json_object([('email', \"'a@b.co'\"), ('n', '2'), ('none', 'cast(null as varchar)')]) }}",
        None,
    ),
]
JSON_EXPECTED = {"email": "a@b.co", "n": 2, "none": None}


def compile_select(config, tmp_path: Path, name: str) -> str:
    sql = "select\n" + ",\n".join(f"    {expr} as {col}" for col, expr, _ in CASES)
    target = tmp_path / f"target_{name}"
    run_dbt(config, ["compile", "--inline", sql], target_path=target)
    return json.loads((target / "run_results.json").read_text())["results"][0]["compiled_code"]


def compile_functions(config, tmp_path: Path) -> str:
    target = tmp_path / "target_functions"
    run_dbt(config, ["compile", "--inline", "{{ create_cross_db_functions() }}"], target_path=target)
    return json.loads((target / "run_results.json").read_text())["results"][0]["compiled_code"]


def normalised(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def check(row: dict, engine: str) -> list[str]:
    wrong = []
    for col, _, expected in CASES:
        got = normalised(row[col])
        if col == "json":
            ok = json.loads(got) == JSON_EXPECTED
        elif isinstance(expected, float):
            ok = got is not None and math.isclose(got, expected, abs_tol=1e-6)
        else:
            ok = got == expected and type(got) is type(expected)
        if not ok:
            wrong.append(f"{engine} {col}: got {got!r}, expected {expected!r}")
    return wrong


def test_every_macro_gives_duckdbs_result_on_both_engines(tmp_path, pg_url):
    duck_config = parse_config({"warehouse": {"path": str(tmp_path / "x.duckdb")}}, base_dir=tmp_path)
    pg_config = parse_config(
        {"warehouse": {"target": "postgres", "credentials_env": "LEADSYNC_TEST_PG_URL"}}, base_dir=tmp_path
    )
    wrong = []

    duck_sql = compile_select(duck_config, tmp_path, "duckdb")  # dbt holds the file while it compiles
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    cur = con.execute(duck_sql)
    wrong += check(dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True)), "duckdb")
    con.close()

    pg = connect(pg_config)
    pg_cur = pg.cursor()
    pg_cur.execute(compile_functions(pg_config, tmp_path))
    pg_cur.execute("set timezone = 'UTC'")
    pg_cur.execute(compile_select(pg_config, tmp_path, "postgres"))
    wrong += check(dict(zip([d[0] for d in pg_cur.description], pg_cur.fetchone(), strict=True)), "postgres")
    pg.close()

    assert not wrong, "\n".join(wrong)
