"""Encoding and delimiter detection, and whole-file failures."""

from __future__ import annotations

import codecs

import pytest

from leadsync.ingestion.files.dialect import UnreadableFile, detect_dialect, detect_encoding


def test_plain_utf8_and_ascii():
    assert detect_encoding("email,name\na@x.com,Zoë\n".encode()) == "utf-8"
    assert detect_encoding(b"email,name\na@x.com,Zoe\n") == "utf-8"


def test_utf8_with_bom():
    assert detect_encoding(codecs.BOM_UTF8 + b"email\n") == "utf-8-sig"


def test_cp1252_export():
    text = "Name;Firma\nMüller, Jürgen;Weber & Söhne – Kühltechnik €\nGarçon, Émile;Société\n"
    assert detect_encoding(text.encode("cp1252")) == "cp1252"


def test_mostly_utf8_with_one_broken_byte_stays_utf8():
    data = "name,city\nZoë,Köln\nRenée,Zürich\n".encode() + b"Ren\xe9,Paris\n"
    assert detect_encoding(data) == "utf-8"


def test_multibyte_char_cut_at_sample_end_is_not_an_error():
    data = "name\nZoë".encode()[:-1]
    assert detect_encoding(data) == "utf-8"


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiters(delim):
    rows = [["Email", "First Name", "Company"], ["a@x.com", "Ann", "Acme, Inc."], ["b@y.com", "Bob", "Beta"]]
    text = "\n".join(delim.join(f'"{c}"' if delim in c or "," in c else c for c in r) for r in rows)
    dialect = detect_dialect(text.encode())
    assert dialect.delimiter == delim
    assert dialect.headers == ("Email", "First Name", "Company")


def test_semicolon_file_with_commas_in_values():
    text = "Name;Company;Email\nLovelace, Ada;Analytical, Ltd;ada@x.com\nBabbage, Charles;Engines, Inc;cb@x.com\n"
    assert detect_dialect(text.encode("cp1252")).delimiter == ";"


def test_config_overrides_detection():
    text = "a;b,c\n1;2,3\n"
    dialect = detect_dialect(text.encode(), delimiter=";", encoding="latin-1")
    assert (dialect.delimiter, dialect.encoding, dialect.headers) == (";", "latin-1", ("a", "b,c"))


def test_bom_is_not_part_of_the_first_header():
    assert detect_dialect(codecs.BOM_UTF8 + b"Lead ID,Email\n1,a@x.com\n").headers == ("Lead ID", "Email")


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "empty"),
        (b"\n\r\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ],
)
def test_unreadable_files(data, words):
    with pytest.raises(UnreadableFile, match=words):
        detect_dialect(data)


def test_non_latin_single_byte_encoding_is_kept():
    text = "Имя;Компания\nИван Петров;ООО Ромашка\nМария Иванова;АО Север\n" * 3
    assert detect_encoding(text.encode("cp1251")) in ("cp1251", "windows_1251", "koi8_r", "mac_cyrillic")
