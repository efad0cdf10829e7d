"""Parsing one file with DuckDB: quoted fields, CRLF, blank lines, line numbers, rejected lines."""

from __future__ import annotations

from pathlib import Path

import fsspec

from leadsync.ingestion.files import list_files
from leadsync.ingestion.files.reader import open_csv


def parse(path: str, tmp_path: Path, **kw):
    (entry,) = list_files(path)
    with open_csv(entry, tmp_path, source_name="s", source_type="csv", **kw) as csv:
        rows = csv.con.execute("select * from numbered order by _line").fetchall()
        return csv.dialect, rows, csv.rejects.to_pylist()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_quotes_crlf_blank_lines_and_line_numbers(tmp_path):
    data = b'id,name,note\r\n1,"Ada, Countess","said ""hi"""\r\n\r\n2,Bob,"two\r\nlines"\r\n3,Cy,\r\n'
    dialect, rows, rejects = parse(write(tmp_path, "a.csv", data), tmp_path)
    assert rejects == []
    assert rows == [
        ("1", "Ada, Countess", 'said "hi"', 2),
        ("2", "Bob", "two\nlines", 4),  # line ends are normalised to LF, inside quotes too
        ("3", "Cy", None, 6),  # the file's own line: the quoted record above spans lines 4-5
    ]


def test_each_bad_row_kind_is_quarantined_with_its_line(tmp_path):
    data = (
        "id,name,email\n1,Zoë,z@x.com\n2,too,many,fields\n3,few\n".encode()
        + b"4,Ren\xe9,r@x.com\n"
        + b'5,"bad"quote,b@x.com\n6,Ok,o@x.com\n'
    )
    dialect, rows, rejects = parse(write(tmp_path, "b.csv", data), tmp_path)
    assert dialect.encoding == "utf-8"
    assert [r[0] for r in rows] == ["1", "6"]
    assert [r[3] for r in rows] == [2, 7]
    got = {r["source_line"]: r["reason"] for r in rejects}
    assert got == {
        3: "ragged row: 4 fields, header has 3",
        4: "ragged row: 2 fields, header has 3",
        5: "undecodable bytes: not valid utf-8 text",
        6: "bad quoting: a quoted field is not closed properly (unterminated quote or text after it)",
    }
    assert all(r["source_location"] == str(tmp_path / "b.csv") and r["raw_content"] for r in rejects)
    assert rejects[0]["raw_content"] == "2,too,many,fields"


def test_unterminated_quote_at_end(tmp_path):
    data = b'id,name\n1,Ann\n2,"never closed\n3,Cy\n'
    _, rows, rejects = parse(write(tmp_path, "c.csv", data), tmp_path)
    assert [(r[0], r[-1]) for r in rows] == [("1", 2), ("3", 4)]  # resynchronised on the next line
    assert len(rejects) == 1 and rejects[0]["source_line"] == 3 and "quot" in rejects[0]["reason"]


def test_cp1252_is_transcoded_and_its_undefined_bytes_quarantined(tmp_path):
    data = "Name;Firma\nMüller, Jürgen;Söhne – €\n".encode("cp1252") + b"Bad\x81Byte;X\nZo\xebe;Y\n"
    dialect, rows, rejects = parse(write(tmp_path, "d.csv", data), tmp_path)
    assert dialect.encoding == "cp1252" and dialect.delimiter == ";"
    assert [r[:2] for r in rows] == [("Müller, Jürgen", "Söhne – €"), ("Zoëe", "Y")]
    assert [(r["source_line"], r["reason"]) for r in rejects] == [
        (3, "undecodable bytes: not valid cp1252 text")
    ]


def test_utf16_excel_unicode_text(tmp_path):
    data = "Email\tName\na@x.com\tZoë\n".encode("utf-16")
    dialect, rows, _ = parse(write(tmp_path, "e.txt", data), tmp_path)
    assert dialect.delimiter == "\t" and rows == [("a@x.com", "Zoë", 2)]


def test_memory_protocol(tmp_path):
    fs = fsspec.filesystem("memory")
    fs.pipe("/reader_test/m.csv", "email;name\na@x.com;Zoë\n".encode("cp1252"))
    try:
        dialect, rows, _ = parse("memory://reader_test/m.csv", tmp_path)
        assert rows == [("a@x.com", "Zoë", 2)]
    finally:
        fs.rm("/reader_test", recursive=True)


def test_explicit_encoding_and_delimiter(tmp_path):
    data = "a|b\n1|é\n".encode("latin-1")
    dialect, rows, _ = parse(write(tmp_path, "f.csv", data), tmp_path, encoding="latin-1", delimiter="|")
    assert rows == [("1", "é", 2)]
