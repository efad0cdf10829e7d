"""Formula-safe CSV for anything leadsync writes for people to open in a spreadsheet.

Lead data is untrusted: a web form's "company" can be `=HYPERLINK(...)`. Spreadsheets evaluate a
cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP ASVS 1.2.10, CWE-1236),
quoted or not, so every cell that starts with one of them is written with a leading `'`, which
Excel, LibreOffice and Google Sheets read as "text". RFC 4180 quoting is the csv module's job.

Today no product code writes CSV (the BI copy is DuckDB, the optional export Parquet, the report
HTML); tests/orchestration/test_csv_cells.py fails when a CSV writer appears that does not go
through `writer` below. The Salesforce sandbox's Bulk API CSV stands in for the platform and is
left as Salesforce writes it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """The cell as a spreadsheet must see it: text starting with a formula trigger gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._inner.writerow([neutralize(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(fh: Any, **kwargs: Any) -> _SafeWriter:
    """`csv.writer(fh, **kwargs)` whose every cell is neutralised."""
    return _SafeWriter(csv.writer(fh, **kwargs))
