"""One delimited file -> a private in-memory DuckDB table, plus the lines DuckDB could not parse.

DuckDB's CSV reader does the parsing (parallel, quoted fields, CRLF, blank lines) and keeps the
rejected lines with their line numbers (`store_rejects`). Every column is read as text under a
safe name (`c0`, `c1`, ...) so headers with any characters, or duplicated headers, are harmless;
the callers build their projection in SQL over the view `numbered` (those columns + `_line`).
Files that DuckDB cannot open directly (remote fsspec URLs, non-UTF-8 encodings) are first
streamed into a local UTF-8 copy.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from fsspec.utils import infer_compression

from leadsync.ingestion.files.dialect import (
    SAMPLE_BYTES,
    UTF8_NAMES,
    Dialect,
    UnreadableFile,
    detect_dialect,
)
from leadsync.ingestion.files.listing import FileEntry, compression_of, iter_chunks, read_head
from leadsync.ingestion.files.repair import MAX_RECORD_BYTES, NullSink, Repaired, repair
from leadsync.ingestion.raw_tables import QUARANTINE_SCHEMA

BATCH_ROWS = 100_000
RAW_CONTENT_MAX_CHARS = 10_000
_FOUND = re.compile(r"Found:\s*(\d+)")


def sql_literal(value: str | None) -> str:
    """A SQL string literal (or NULL) for DuckDB."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def column_names(width: int) -> tuple[str, ...]:
    return tuple(f"c{i}" for i in range(width))


@dataclass
class CsvTable:
    """A file loaded into `con` as view `numbered` (text columns c0..cN and `_line`)."""

    con: duckdb.DuckDBPyConnection
    entry: FileEntry
    dialect: Dialect
    rejects: pa.Table  # quarantine rows (QUARANTINE_SCHEMA) for the lines that could not be parsed
    row_count: int

    @property
    def columns(self) -> tuple[str, ...]:
        return column_names(len(self.dialect.headers))

    def batches(self, sql: str, schema: pa.Schema, rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
        """Run `sql` (over `numbered`) and yield its result as Arrow tables of `schema`, ~`rows` each."""
        reader = self.con.sql(sql).to_arrow_reader(rows)
        for batch in reader:
            if batch.num_rows:
                yield pa.Table.from_batches([batch]).cast(schema)


CP1252_FALLBACK = "leadsync-cp1252-fallback"


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("cp1252", "surrogateescape"), err.end


codecs.register_error(CP1252_FALLBACK, _cp1252_fallback)


def _utf8_chunks(entry: FileEntry, encoding: str) -> Iterator[bytes]:
    """The file's content as UTF-8 chunks. Undecodable bytes are kept as they are (invalid UTF-8),
    so DuckDB rejects exactly those lines and they are quarantined, not guessed at."""
    if encoding in UTF8_NAMES:
        yield from iter_chunks(entry)
        return
    if encoding == "cp1252":
        # Excel exports mix: a cp1252 file with a row pasted from a UTF-8 source. Valid UTF-8
        # sequences are (almost) never cp1252 text, so they are read as UTF-8, the rest as cp1252.
        decoder = codecs.getincrementaldecoder("utf-8")(errors=CP1252_FALLBACK)
    else:
        decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    for chunk in iter_chunks(entry):
        yield decoder.decode(chunk).encode("utf-8", errors="surrogateescape")
    yield decoder.decode(b"", final=True).encode("utf-8", errors="surrogateescape")


def _repaired_copy(entry: FileEntry, dialect: Dialect, target: Path) -> Repaired:
    """Stream the file into `target` as UTF-8 with every damaged record blanked (repair.py)."""
    with open(target, "wb") as out:
        return repair(
            _utf8_chunks(entry, dialect.encoding),
            out,
            delimiter=dialect.delimiter,
            width=len(dialect.headers),
        )


def _physical_lines(duckdb_lines: list[int], multi_line_records: list[tuple[int, int]]) -> list[int]:
    """DuckDB counts a multi-line quoted record as one line; the file's own line numbers."""
    units, extras, total = [], [], 0  # each record's DuckDB line, and the extra lines up to it
    for start, extra in multi_line_records:
        units.append(start - total)
        total += extra
        extras.append(total)
    return [line + (extras[i - 1] if (i := bisect_left(units, line)) else 0) for line in duckdb_lines]


def _reason(error_type: str, message: str, width: int, encoding: str) -> str:
    if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        found = _FOUND.search(message or "")
        fields = found.group(1) if found else "a different number of"
        return f"ragged row: {fields} fields, header has {width}"
    if error_type in ("INVALID ENCODING", "INVALID UNICODE"):
        return f"undecodable bytes: not valid {encoding} text"
    if error_type == "UNQUOTED VALUE":
        return "bad quoting: a quoted field is not closed properly (unterminated quote or text after it)"
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "line too long to be a record"
    return f"unparseable row: {message}"


def _rejects(
    con: duckdb.DuckDBPyConnection,
    entry: FileEntry,
    dialect: Dialect,
    repaired: Repaired,
    source_name: str,
    source_type: str,
) -> tuple[pa.Table, list[int]]:
    rows = con.execute(
        "select line, any_value(error_type order by column_idx), any_value(error_message order by column_idx),"
        " any_value(csv_line order by column_idx) from rejects group by line order by line"
    ).fetchall()
    width = len(dialect.headers)
    lines = _physical_lines([int(r[0]) for r in rows], repaired.multi_line_records)
    found = [
        (line, _reason(err, msg, width, dialect.encoding), (raw or "").strip("\r\n")[:RAW_CONTENT_MAX_CHARS])
        for line, (_, err, msg, raw) in zip(lines, rows, strict=True)
    ]
    rejected_lines = [line for line, _, _ in found]
    for d in repaired.damage:
        size = f"({d.size} bytes{', truncated' if d.size > len(d.raw.encode()) else ''}) "
        found.append((d.line, d.reason, (size + d.raw)[:RAW_CONTENT_MAX_CHARS]))
    now = datetime.now(UTC)
    table = pa.Table.from_pylist(
        [
            {
                "source_name": source_name,
                "source_type": source_type,
                "source_location": entry.url,
                "source_line": line,
                "source_record_id": None,
                "reason": reason,
                "raw_content": raw,
                "quarantined_at": now,
            }
            for line, reason, raw in sorted(found)
        ],
        schema=QUARANTINE_SCHEMA,
    )
    return table, rejected_lines


def _number_lines(con: duckdb.DuckDBPyConnection, skipped: list[int]) -> None:
    """View `numbered`: every accepted row with its line number.

    Accepted rows come in file order, so row k (rowid k-1) is on the (k+1)-th line that is neither
    the header, a rejected line nor a blank one: with the skipped lines sorted s_1 < s_2 < ...,
    t_j = s_j - j counts the usable lines before s_j, and the row's line is m + #{j: t_j < m},
    m = rowid + 2. An ASOF join finds that count for all rows at once.
    """
    if not skipped:
        con.execute("create view numbered as select *, rowid + 2 as _line from rows")
        return
    s = sorted(set(skipped))
    shifts = pa.table({"t": [sj - j for j, sj in enumerate(s, start=1)], "n": list(range(1, len(s) + 1))})
    con.register("shifts_arrow", shifts)
    con.execute("create table shifts as select t, max(n) as n from shifts_arrow group by t")
    con.execute(
        "create view numbered as select r.* exclude (rowid), r.rowid + 2 + coalesce(s.n, 0) as _line"
        " from (select *, rowid from rows) r asof left join shifts s on r.rowid + 2 > s.t"
    )


@contextmanager
def open_csv(
    entry: FileEntry,
    scratch: Path,
    *,
    source_name: str,
    source_type: str,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Iterator[CsvTable]:
    """Load one file into a private DuckDB. Raises UnreadableFile when the file as a whole cannot be read."""
    dialect = detect_dialect(read_head(entry, SAMPLE_BYTES), encoding=encoding, delimiter=delimiter)
    # DuckDB reads a repaired local copy, so it sees only records it can parse, and compression
    # is decided by content (DuckDB would decide by the file name). A plain local UTF-8 file with
    # nothing to repair (the common case) is checked without writing and read where it is.
    local, repaired = entry.local_path, None
    plain = local is not None and infer_compression(local) is None and compression_of(entry) is None
    if plain and dialect.encoding == "utf-8":
        checked = repair(
            iter_chunks(entry), NullSink(), delimiter=dialect.delimiter, width=len(dialect.headers)
        )
        repaired = checked if checked.unchanged else None
    if repaired is None:
        local = str(scratch / f"{abs(hash(entry.url))}.csv")
        repaired = _repaired_copy(entry, dialect, Path(local))
    cols = column_names(len(dialect.headers))
    columns_sql = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    con = duckdb.connect()
    try:
        try:
            con.execute(
                f"create table rows as select * from read_csv({sql_literal(local)}, header = true,"
                f" auto_detect = false, columns = {columns_sql}, delim = {sql_literal(dialect.delimiter)},"
                " quote = '\"', escape = '\"', strict_mode = true, null_padding = false,"
                f" max_line_size = {2 * MAX_RECORD_BYTES},"
                " store_rejects = true, rejects_table = 'rejects', rejects_scan = 'reject_scans')"
            )
        except duckdb.Error as err:
            raise UnreadableFile(f"cannot be parsed as delimited text: {str(err).splitlines()[0]}") from None
        rejects, rejected_lines = _rejects(con, entry, dialect, repaired, source_name, source_type)
        _number_lines(con, rejected_lines + repaired.blank_lines + repaired.continuation_lines)
        ((count,),) = con.execute("select count(*) from rows").fetchall()
        yield CsvTable(con=con, entry=entry, dialect=dialect, rejects=rejects, row_count=int(count))
    finally:
        con.close()
