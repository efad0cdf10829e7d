"""Hostile lead files (issue #15): the bad part costs that part, every valid row around it loads."""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile

import pytest
import zstandard

from leadsync.ingestion.pipeline import run_source

HEADER = "Email,First Name,Company\n"
ROWS = [f"p{i}@example.com,Pat{i},Acme {i}\n" for i in range(5)]
PLAIN = (HEADER + "".join(ROWS)).encode()


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("leads.csv", data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("leads.csv", gzip.compress(PLAIN)),  # gzip named .csv: found by content
        ("leads.csv.gz", gzip.compress(PLAIN)),
        ("leads.csv.bz2", bz2.compress(PLAIN)),
        ("leads.zip", _zip(PLAIN)),
        ("leads.csv.zst", zstandard.ZstdCompressor().compress(PLAIN)),
        ("leads.csv.gz", PLAIN),  # named .gz but plain: content wins
    ],
)
def test_compressed_files_load_every_row(tmp_path, make_config, query, name, content):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(content)
    config = make_config({"name": "expo", "type": "csv", "path": "in/*"})
    result = run_source(config, "expo")
    assert result.rows_by_table == {"csv_leads": 5}
    assert query(config, "select email from raw.csv_leads order by source_line")[0] == ("p0@example.com",)


def test_duplicate_headers_keep_both_values(tmp_path, make_config, query):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("Email,Booth,Booth\nada@example.com,first,second\n")
    config = make_config({"name": "expo", "type": "csv", "path": "in/*.csv"})
    assert run_source(config, "expo").rows_by_table == {"csv_leads": 1}
    assert query(config, "select custom_fields from raw.csv_leads") == [
        ('{"Booth":"first","Booth_2":"second"}',)
    ]


def test_cp1252_file_with_one_utf8_row_decodes_both(tmp_path, make_config, query):
    (tmp_path / "in").mkdir()
    text = "Email,First Name\n" + "".join(f"r{i}@example.com,Jürgen\n" for i in range(20))
    data = text.encode("cp1252") + "jose@example.com,José\n".encode()
    (tmp_path / "in" / "a.csv").write_bytes(data)
    config = make_config({"name": "expo", "type": "csv", "path": "in/*.csv"})
    assert run_source(config, "expo").rows_by_table == {"csv_leads": 21}
    names = {n for (n,) in query(config, "select first_name from raw.csv_leads")}
    assert names == {"Jürgen", "José"}


def test_a_long_field_in_the_sample_does_not_fail_the_file(tmp_path, make_config):
    (tmp_path / "in").mkdir()
    long_note = "x" * 200_000  # over the csv module's default 128 KiB field limit
    (tmp_path / "in" / "a.csv").write_text(f"Email,Notes\na@example.com,{long_note}\nb@example.com,short\n")
    config = make_config({"name": "expo", "type": "csv", "path": "in/*.csv"})
    assert run_source(config, "expo").rows_by_table == {"csv_leads": 2}
