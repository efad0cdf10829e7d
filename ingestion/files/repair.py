"""Row-level recovery: one streaming pass that turns a damaged file into one DuckDB can read whole.

A bad stretch of a file costs that stretch, not the file (issue #15). The pass reads the file's
UTF-8 bytes in chunks and writes a copy in which
  - line ends are normalised (CRLF and lone CR become LF: exports that mix them are common),
  - every bad record becomes an empty line, so the copy keeps the original's line numbers:
    lines with NUL or other control bytes (a binary run), lines or quoted records larger than
    `MAX_RECORD_BYTES` (kept only as a truncated prefix and their size, never whole in memory),
    and an opening quote that never closes (that line is dropped and reading resynchronises on
    the next line, so one stray `"` cannot swallow the rest of the file).
Each dropped record is returned as a `Damage` (line, reason, truncated raw text, size). The pass
also returns the blank lines and the continuation lines of multi-line quoted records, so every
row's `source_line` is its line in the original file.

Clean chunks (no control bytes, no odd quote counts, no long lines) are written as they are; only
a chunk with something to repair is walked line by line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

# DuckDB's own max_line_size is 2 MB; records above this are quarantined before DuckDB sees them.
MAX_RECORD_BYTES = 1024 * 1024
MAX_RECORD_LINES = 1000  # a quoted field spanning more lines than this is an unterminated quote
RAW_PREFIX_BYTES = 10_000
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# bytes.translate(None, delete) tables for the clean-chunk check
_NOT_CONTROL = bytes(b for b in range(256) if not CONTROL_BYTES.match(bytes([b])))
_NOT_QUOTE_OR_NEWLINE = bytes(b for b in range(256) if b not in b'"\n')


@dataclass(frozen=True)
class Damage:
    line: int  # 1-based line in the original file where the record starts
    reason: str
    raw: str  # the record's text, truncated to RAW_PREFIX_BYTES
    size: int  # the record's full size in bytes


@dataclass
class Repaired:
    damage: list[Damage] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)  # empty lines (incl. dropped records)
    continuation_lines: list[int] = field(default_factory=list)  # 2nd.. lines of multi-line records
    multi_line_records: list[tuple[int, int]] = field(default_factory=list)  # (start line, extra lines)
    line_ends_normalised: bool = False  # a CR was turned into LF

    @property
    def unchanged(self) -> bool:
        """The copy holds the original's bytes (so the original can be read instead)."""
        return not self.damage and not self.line_ends_normalised


@dataclass
class _Line:
    number: int
    prefix: bytes  # the line, or its first RAW_PREFIX_BYTES when oversized
    size: int
    quotes: int  # number of '"' bytes in the whole line
    control: bool

    @property
    def oversized(self) -> bool:
        return self.size > MAX_RECORD_BYTES


def _raw(prefix: bytes) -> str:
    return prefix[:RAW_PREFIX_BYTES].decode("utf-8", errors="backslashreplace")


class _Repairer:
    def __init__(self, out: BinaryIO | NullSink, delimiter: str, width: int) -> None:
        self.out = out
        self.delimiter = delimiter
        self.width = width
        self.result = Repaired()
        self.next_line = 1
        self.record: list[_Line] = []  # lines of an open quoted record

    # -- output -------------------------------------------------------------------------------
    def _drop(self, lines: list[_Line], reason: str) -> None:
        first = lines[0]
        size = sum(ln.size for ln in lines) + len(lines) - 1
        raw = b"\n".join(ln.prefix for ln in lines)
        self.result.damage.append(Damage(first.number, reason, _raw(raw), size))
        for ln in lines:
            self.result.blank_lines.append(ln.number)
        self.out.write(b"\n" * len(lines))

    def _emit(self, ln: _Line) -> None:
        if ln.size == 0:
            self.result.blank_lines.append(ln.number)
        self.out.write(ln.prefix + b"\n")

    # -- the state machine over physical lines -------------------------------------------------
    def line(self, ln: _Line) -> None:
        if self.record:
            self._continue_record(ln)
        elif ln.control:
            self._drop([ln], "binary content: control or NUL bytes in the line")
        elif ln.oversized:
            self._drop([ln], f"record too large: {ln.size} bytes (limit {MAX_RECORD_BYTES})")
        elif ln.quotes % 2:
            self.record = [ln]
        else:
            self._emit(ln)

    def _continue_record(self, ln: _Line) -> None:
        self.record.append(ln)
        size = sum(x.size for x in self.record)
        if ln.quotes % 2 == 0 and size <= MAX_RECORD_BYTES and len(self.record) <= MAX_RECORD_LINES:
            return
        lines, self.record = self.record, []
        if ln.quotes % 2:  # the quote closes here
            if any(x.oversized for x in lines) or size > MAX_RECORD_BYTES:
                self._drop(
                    lines, f"record too large: {size + len(lines) - 1} bytes (limit {MAX_RECORD_BYTES})"
                )
            elif not any(x.control for x in lines) and self._parses(lines):
                self._emit_record(lines)
            else:
                self._resync(lines)
        else:  # too long or too many lines without the quote closing
            self._resync(lines)

    def _parses(self, lines: list[_Line]) -> bool:
        text = b"\n".join(x.prefix for x in lines).decode("utf-8", errors="replace")
        rows = list(csv.reader([text], delimiter=self.delimiter, strict=True)) if "\n" not in text else None
        if rows is None:
            try:
                rows = list(csv.reader(text.split("\n"), delimiter=self.delimiter, strict=True))
            except csv.Error:
                return False
        return len(rows) == 1 and len(rows[0]) == self.width

    def _emit_record(self, lines: list[_Line]) -> None:
        self.result.multi_line_records.append((lines[0].number, len(lines) - 1))
        self.result.continuation_lines.extend(x.number for x in lines[1:])
        self.out.write(b"\n".join(x.prefix for x in lines) + b"\n")

    def _resync(self, lines: list[_Line]) -> None:
        """The opening quote never closes into a valid record: drop that line, read on after it."""
        self._drop(lines[:1], "bad quoting: a quote opened here is never closed (unterminated quote)")
        for ln in lines[1:]:
            self.line(ln)

    def finish(self) -> Repaired:
        while self.record:  # a quote still open at the end of the file
            lines, self.record = self.record, []
            if any(x.oversized for x in lines):
                size = sum(x.size for x in lines) + len(lines) - 1
                self._drop(lines, f"record too large: {size} bytes (limit {MAX_RECORD_BYTES})")
            else:
                self._resync(lines)  # may open another record from the lines after the quote
        return self.result


class _LineSplitter:
    """Chunks in, physical lines out; a line is never held whole past MAX_RECORD_BYTES."""

    def __init__(self, repairer: _Repairer) -> None:
        self.r = repairer
        self.pending = b""  # start of the current line (at most MAX_RECORD_BYTES + one chunk)
        self.size = 0  # bytes of the current line dropped from `pending` after truncation
        self.quotes = 0
        self.control = False
        self.cr = False  # the previous chunk ended in '\r'

    def feed(self, chunk: bytes) -> None:
        if self.cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self.cr = chunk.endswith(b"\r")
        if b"\r" in chunk:
            self.r.result.line_ends_normalised = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        cut = chunk.rfind(b"\n")
        if cut == -1:
            self._grow(chunk)
            return
        body, tail = chunk[: cut + 1], chunk[cut + 1 :]
        if not self.size and not self.r.record:
            body = self.pending + body
            self.pending, self.quotes, self.control = b"", 0, False
        if self.pending or self.size or self.r.record or not self._clean(body):
            self._slow(body)
        else:
            self.r.out.write(body)
            self.r.next_line += body.count(b"\n")
        self._grow(tail)

    def _clean(self, body: bytes) -> bool:
        """Nothing to repair in these whole lines? Only C-speed bytes operations, no per-line loop."""
        if b"\n\n" in body or body.startswith(b"\n") or body.translate(None, _NOT_CONTROL):
            return False
        # no line longer than MAX_RECORD_BYTES: every half-limit window holds a line break
        half = MAX_RECORD_BYTES // 2
        if len(body) > half and any(body.find(b"\n", i, i + half) == -1 for i in range(0, len(body), half)):
            return False
        # no line with an odd number of quotes: keep only quotes and line breaks, drop pairs
        return b'"' not in body.translate(None, _NOT_QUOTE_OR_NEWLINE).replace(b'""', b"")

    def _grow(self, part: bytes) -> None:
        if not part:
            return
        self.quotes += part.count(b'"')
        self.control = self.control or CONTROL_BYTES.search(part) is not None
        if self.size or len(self.pending) + len(part) > MAX_RECORD_BYTES:
            keep = max(0, RAW_PREFIX_BYTES - len(self.pending))
            self.size += len(self.pending) + len(part) if not self.size else len(part)
            self.pending = (self.pending + part[:keep])[:RAW_PREFIX_BYTES]
        else:
            self.pending += part

    def _slow(self, body: bytes) -> None:
        lines = body.split(b"\n")[:-1]
        for i, text in enumerate(lines):
            if i == 0 and (self.pending or self.size):
                self._grow(text)
                self._end_line()
                continue
            self.r.line(
                _Line(
                    self.r.next_line,
                    text if len(text) <= MAX_RECORD_BYTES else text[:RAW_PREFIX_BYTES],
                    len(text),
                    text.count(b'"'),
                    CONTROL_BYTES.search(text) is not None,
                )
            )
            self.r.next_line += 1

    def _end_line(self) -> None:
        size = self.size or len(self.pending)
        ln = _Line(self.r.next_line, self.pending, size, self.quotes, self.control)
        self.pending, self.size, self.quotes, self.control = b"", 0, 0, False
        self.r.line(ln)
        self.r.next_line += 1

    def close(self) -> Repaired:
        if self.pending or self.size:
            self._end_line()
        return self.r.finish()


class NullSink:
    """An `out` for a checking pass: is there anything to repair at all?"""

    def write(self, data: bytes) -> int:
        return len(data)


def repair(chunks: Iterable[bytes], out: BinaryIO | NullSink, *, delimiter: str, width: int) -> Repaired:
    """Copy UTF-8 `chunks` into `out` with every bad record blanked; see the module docstring."""
    splitter = _LineSplitter(_Repairer(out, delimiter, width))
    for chunk in chunks:
        splitter.feed(chunk)
    return splitter.close()
