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


def _rows(a: int, b: int) -> str:
    return "".join(f"p{i}@example.com,Pat{i},Acme {i}\n" for i in range(a, b))


MIB = 1024 * 1024


def _load(tmp_path, make_config, query, content: bytes):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_bytes(content)
    config = make_config({"name": "expo", "type": "csv", "path": "in/*.csv"})
    counts = run_source(config, "expo").rows_by_table
    loaded = query(config, "select source_line, email from raw.csv_leads order by source_line")
    quarantined = (
        query(config, "select source_line, reason, raw_content from raw.quarantine order by source_line")
        if counts.get("quarantine")
        else []
    )
    return counts, loaded, quarantined


def _emails(loaded):
    return [email for _, email in loaded]


@pytest.mark.parametrize(
    "name,content,bad_line,reason",
    [
        (
            "binary run",
            (HEADER + _rows(0, 2)).encode()
            + b"\x00\x01\x02\xff\xfe\x00\x89PNG\x00\x1a\n"
            + _rows(2, 4).encode(),
            4,
            "binary content",
        ),
        (
            "NUL byte",
            (HEADER + _rows(0, 2)).encode() + b"x@example.com,Na\x00me,Acme\n" + _rows(2, 4).encode(),
            4,
            "NUL",
        ),
        (
            "unterminated quote",
            (HEADER + _rows(0, 2) + 'q@example.com,"Pat,Acme\n' + _rows(2, 4)).encode(),
            4,
            "quot",
        ),
    ],
)
def test_a_damaged_line_costs_that_line_only(tmp_path, make_config, query, name, content, bad_line, reason):
    counts, loaded, quarantined = _load(tmp_path, make_config, query, content)
    assert counts == {"csv_leads": 4, "quarantine": 1}
    assert loaded == [
        (2, "p0@example.com"),
        (3, "p1@example.com"),
        (5, "p2@example.com"),
        (6, "p3@example.com"),
    ]
    ((line, why, raw),) = quarantined
    assert line == bad_line and reason in why and raw


def test_mixed_line_ends_are_normalised(tmp_path, make_config, query):
    rows = [f"p{i}@example.com,Pat{i},Acme" for i in range(5)]
    data = (
        "Email,First Name,Company\r\n"
        + rows[0]
        + "\r"
        + rows[1]
        + "\n"
        + rows[2]
        + "\r\n"
        + rows[3]
        + "\r"
        + rows[4]
    )
    counts, loaded, _ = _load(tmp_path, make_config, query, data.encode())
    assert counts == {"csv_leads": 5}
    assert loaded == [(i + 2, f"p{i}@example.com") for i in range(5)]


@pytest.mark.parametrize(
    "before,big,after,size",
    [
        # a 50 MiB field mid-file
        (_rows(0, 2), "big@example.com,Pat," + "x" * (50 * MIB) + "\n", _rows(2, 4), 50 * MIB + 20),
        # a 50 MB field after the first 256 KiB (the dialect sample): its row must not vanish
        (_rows(0, 3000), "big@example.com,Pat," + "x" * 50_000_000 + "\n", _rows(3000, 3002), 50_000_020),
        # a 20 MiB unterminated last line
        (_rows(0, 4), 'z@example.com,"' + "y" * (20 * MIB), "", 20 * MIB + 15),
    ],
    ids=["50MiB-field", "50MB-field-after-sample", "20MiB-unterminated-last-line"],
)
def test_an_oversized_record_is_quarantined_truncated_with_its_size(
    tmp_path, make_config, query, before, big, after, size
):
    counts, loaded, quarantined = _load(
        tmp_path, make_config, query, (HEADER + before + big + after).encode()
    )
    valid = before.count("\n") + after.count("\n")
    assert counts == {"csv_leads": valid, "quarantine": 1}
    ((line, why, raw),) = quarantined
    assert line == before.count("\n") + 2
    assert why.startswith(f"record too large: {size} bytes")
    assert raw.startswith(f"({size} bytes, truncated) ") and len(raw) <= 10_000
    assert _emails(loaded)[-1] == (after or before).splitlines()[-1].split(",")[0]


def test_source_line_does_not_drift_after_multi_line_quoted_fields(tmp_path, make_config, query):
    data = (
        HEADER
        + 'a@example.com,"Pat\nsecond\nthird",Acme\n'  # lines 2-4
        + "\n"  # line 5
        + "bad,row\n"  # line 6: ragged
        + 'b@example.com,Bo,"multi\n\nline"\n'  # lines 7-9 (a blank line inside quotes)
        + _rows(0, 2)  # lines 10-11
    )
    counts, loaded, quarantined = _load(tmp_path, make_config, query, data.encode())
    assert counts == {"csv_leads": 4, "quarantine": 1}
    assert loaded == [
        (2, "a@example.com"),
        (7, "b@example.com"),
        (10, "p0@example.com"),
        (11, "p1@example.com"),
    ]
    assert [(line, why) for line, why, _ in quarantined] == [(6, "ragged row: 2 fields, header has 3")]


def test_a_file_that_disappears_mid_read_is_quarantined_not_the_source(
    tmp_path, make_config, query, monkeypatch
):
    from leadsync.ingestion.files import listing

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text(HEADER + _rows(0, 3))
    (tmp_path / "in" / "b.csv").write_text(HEADER + _rows(3, 5))
    real = listing.iter_chunks

    def vanishing(entry, chunk_bytes=listing.COPY_CHUNK_BYTES):
        if entry.path.endswith("a.csv"):
            (tmp_path / "in" / "a.csv").unlink()  # gone after listing and dialect detection
        yield from real(entry, chunk_bytes)

    monkeypatch.setattr("leadsync.ingestion.files.reader.iter_chunks", vanishing)
    config = make_config({"name": "expo", "type": "csv", "path": "in/*.csv"})
    assert run_source(config, "expo").rows_by_table == {"csv_leads": 2, "quarantine": 1}
    ((loc, reason),) = query(config, "select source_location, reason from raw.quarantine")
    assert loc.endswith("a.csv") and "could not be read to the end" in reason
