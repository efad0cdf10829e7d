"""Property test of row-level recovery: valid rows around damaged lines all load, on their own line."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leadsync.ingestion.files import list_files
from leadsync.ingestion.files.reader import open_csv

WIDTH = 3
# field text with the characters that make CSV hard: delimiters, quotes, line breaks, non-ASCII
cell = st.text(alphabet=st.sampled_from(list('ab ,"\né€;')), max_size=12).map(lambda t: "x" + t)
valid_row = st.lists(cell, min_size=WIDTH, max_size=WIDTH)
# binary runs, NUL bytes, and a stray opening quote that never closes (valid cells start with "x",
# so a quote that opens a valid multi-line field can never close the stray one into a valid record)
damage = st.sampled_from(
    [b"x,\x00bad,row", b"\x00\x01\x02\xff\xfe\x89PNG\x1a", b"nul\x00", b'x,"never closed']
)
item = st.one_of(
    valid_row.map(lambda r: ("row", r)), damage.map(lambda d: ("bad", d)), st.just(("blank", ""))
)
line_end = st.sampled_from([b"\n", b"\r\n", b"\r"])


def _encode(row: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)  # (its line terminator decides what is quoted)
    return buf.getvalue()[:-1].encode()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(item, min_size=1, max_size=25), ends=st.lists(line_end, min_size=1, max_size=3))
def test_every_valid_row_loads_on_its_line_and_each_damaged_line_is_quarantined(items, ends):
    # a file that is mostly NUL lines is binary, not a damaged text file (dialect.py)
    assume(sum(k == "bad" for k, _ in items) * 2 < sum(k == "row" for k, _ in items) + 1)
    data, line, expected, bad_lines = b"h1,h2,h3", 1, [], []
    for i, (kind, value) in enumerate(items):
        end = ends[i % len(ends)]
        data += b"\r\n" if data.endswith(b"\r") and end == b"\n" else end  # CR then LF is one CRLF
        line += 1
        if kind == "row":
            # inside quoted fields a line break is written as LF (the repair normalises CR/CRLF)
            expected.append((*(v for v in value), line))
            data += _encode(value)
            line += sum(v.count("\n") for v in value)
        elif kind == "bad":
            bad_lines.append(line)
            data += value
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(data + b"\n")
        (entry,) = list_files(str(path))
        with open_csv(entry, Path(tmp), source_name="s", source_type="csv", delimiter=",") as table:
            rows = table.con.execute("select c0, c1, c2, _line from numbered order by _line").fetchall()
            rejects = table.rejects.to_pylist()
    assert rows == expected
    assert [r["source_line"] for r in rejects] == bad_lines
    assert all(("binary content" in r["reason"]) != ("quote" in r["reason"]) for r in rejects)
