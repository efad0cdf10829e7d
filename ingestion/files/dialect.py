"""How a delimited file is written: its encoding, delimiter and header row.

Exports come from Excel on Windows (cp1252, `;` in European locales), CRMs (UTF-8 with a BOM),
list vendors (tab-separated) and badge scanners (anything). Detection looks at the first
`SAMPLE_BYTES` only, so it costs the same for a 50-row file and a 5 GB one.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from leadsync.ingestion.files.repair import CONTROL_BYTES

SAMPLE_BYTES = 256 * 1024
# The sample is parsed with the csv module, whose default field limit (128 KiB) is smaller than
# the sample: one long field there failed the whole file ("field larger than field limit").
csv.field_size_limit(max(csv.field_size_limit(), 2 * SAMPLE_BYTES))
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50
# Single-byte Western code pages: cp1252 is their superset for printable text (it adds the euro
# sign and curly quotes that latin-1 lacks), so all of them are read as cp1252.
_WESTERN = {
    "cp1252",
    "windows_1252",
    "latin_1",
    "iso8859_1",
    "iso8859_15",
    "ascii",
    "cp1250",
    "windows_1250",
    "mac_roman",
    "cp850",
    "cp437",
    "utf_8",
}
UTF8_NAMES = {"utf-8", "utf-8-sig"}
_LINES = re.compile(rb"\r\n|\r|\n")


class UnreadableFile(Exception):
    """The file as a whole cannot be read as delimited text; the message says why, in plain words."""


@dataclass(frozen=True)
class Dialect:
    encoding: str  # a Python codec name; "utf-8-sig" when the file starts with a BOM
    delimiter: str
    headers: tuple[str, ...]  # as written in the header row (BOM and surrounding spaces removed)


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM), else charset-normalizer's guess, Western -> cp1252.

    A mostly-UTF-8 file with a few broken bytes stays UTF-8: the broken rows are quarantined
    one by one instead of the whole file being misread as cp1252.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_binary(sample):
        raise UnreadableFile("binary content (NUL bytes), not a delimited text file")
    # a NUL line mid-file is a damaged record (quarantined by repair.py), not a reason to guess
    sample = b"\n".join(ln for ln in _LINES.split(sample) if b"\x00" not in ln)
    text = sample.decode("utf-8", errors="replace")
    # a multi-byte character cut at the end of the sample is not an error
    broken = text.rstrip("\ufffd").count("\ufffd")
    if broken == 0:
        return "utf-8"
    valid_non_ascii = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    if valid_non_ascii >= broken:
        return "utf-8"
    guess = charset_normalizer.from_bytes(sample).best()
    if guess is None:
        raise UnreadableFile("not text in any known encoding (binary content?)")
    # On small samples charset-normalizer often names some Latin code page (cp775, cp850 ...):
    # its guess is taken only when it reads the text as a non-Latin script (Cyrillic, CJK ...).
    if guess.encoding in _WESTERN or _mostly_latin(str(guess)):
        return "cp1252"
    return guess.encoding


def _is_binary(sample: bytes) -> bool:
    """NUL bytes in the header row, or control bytes in half the lines: not a text file at all.
    A few such lines further on are a damaged stretch of a text file (repair.py drops them)."""
    if b"\x00" not in sample:
        return False
    lines = [ln for ln in _LINES.split(sample) if ln.strip()]
    damaged = sum(1 for ln in lines if CONTROL_BYTES.search(ln))
    return b"\x00" in lines[0] or damaged * 2 >= len(lines)


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin * 2 >= len(letters)


def _sample_lines(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # the last line of a long sample may be cut in the middle: leave it out
    return lines[:_SAMPLE_LINES] if len(lines) > _SAMPLE_LINES else lines


def detect_delimiter(text: str) -> str:
    """The candidate that splits the header into the most fields and most rows into the same count."""
    lines = _sample_lines(text)
    if not lines:
        raise UnreadableFile("the file is empty (no header row)")
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(1 for r in rows[1:] if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def unique_headers(headers: list[str]) -> tuple[str, ...]:
    """`Notes,Notes` -> `Notes`, `Notes_2`: a repeated header keeps both values (custom fields are
    keyed by header, so the second would otherwise overwrite the first)."""
    seen: set[str] = set()
    out = []
    for h in headers:
        name, n = h, 1
        while name and name in seen:
            n += 1
            name = f"{h}_{n}"
        seen.add(name)
        out.append(name)
    return tuple(out)


def parse_header(text: str, delimiter: str) -> tuple[str, ...]:
    """The header row's fields (quoted fields and embedded delimiters handled)."""
    for row in csv.reader(io.StringIO(text, newline=None), delimiter=delimiter):  # CR-only files too
        if any(cell.strip() for cell in row):
            return unique_headers([cell.strip().lstrip("\ufeff").strip() for cell in row])
        break
    raise UnreadableFile("the file is empty (no header row)")


def detect_dialect(sample: bytes, *, encoding: str | None = None, delimiter: str | None = None) -> Dialect:
    """Encoding, delimiter and headers from the file's first bytes; config values override detection."""
    if not sample.strip():
        raise UnreadableFile("the file is empty")
    enc = encoding or detect_encoding(sample)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise UnreadableFile(f"unknown encoding {enc!r} (set `encoding:` to a known one)") from None
    text = sample.decode(enc, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    delim = delimiter or detect_delimiter(text)
    headers = parse_header(text, delim)
    if not any(headers):
        raise UnreadableFile("the header row is empty")
    return Dialect(encoding=enc, delimiter=delim, headers=headers)
