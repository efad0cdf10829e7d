"""File headers -> canonical fields, and the SQL fragments every file source's projection shares.

Order of precedence: the config's explicit `columns` (canonical field -> header), then the record
id (`id_column`, else a record-id synonym), then header synonyms; whatever is left is kept as a
custom field under its original header. Nothing in a file is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from leadsync.ingestion.files.reader import sql_literal
from leadsync.ingestion.lead import header_key

HASH_SEPARATOR = "chr(31)"  # ASCII unit separator: cannot be confused with cell content
# Record-id headers of the reference files (accounts, spend); lead files use lead.is_record_id_header.
GENERIC_ID_HEADERS = frozenset(header_key(h) for h in ("id", "record id", "account id", "row id"))


@dataclass(frozen=True)
class HeaderMapping:
    """Which column (by position) feeds which field."""

    headers: tuple[str, ...]
    fields: dict[str, int]  # canonical field -> column index
    record_id: int | None  # column index of the record's own id
    custom: tuple[int, ...]  # columns without a canonical home

    def column(self, field: str) -> str | None:
        """The SQL column (c<i>) that feeds `field`, or None."""
        idx = self.fields.get(field)
        return None if idx is None else f"c{idx}"


def map_headers(
    headers: Iterable[str],
    *,
    synonym: Callable[[str], str | None],
    explicit: Mapping[str, str] | None = None,
    id_column: str | None = None,
    is_id_header: Callable[[str], bool] | None = None,
) -> HeaderMapping:
    """Assign each header to at most one field; a field takes the first header that names it."""
    headers = tuple(headers)
    keys = [header_key(h) for h in headers]
    fields: dict[str, int] = {}
    taken: set[int] = set()

    def find(name: str) -> int | None:
        for i, h in enumerate(headers):
            if i not in taken and h == name:
                return i
        for i, k in enumerate(keys):
            if i not in taken and k == header_key(name):
                return i
        return None

    for field, header in (explicit or {}).items():
        idx = find(header)
        if idx is not None:
            fields[field] = idx
            taken.add(idx)

    record_id = find(id_column) if id_column else None
    if record_id is None and is_id_header is not None:
        record_id = next((i for i, h in enumerate(headers) if i not in taken and is_id_header(h)), None)
    if record_id is not None:
        taken.add(record_id)

    for i, h in enumerate(headers):
        if i in taken:
            continue
        field = synonym(h)
        if field is not None and field not in fields:
            fields[field] = i
            taken.add(i)

    custom = tuple(i for i in range(len(headers)) if i not in taken)
    return HeaderMapping(headers=headers, fields=fields, record_id=record_id, custom=custom)


def custom_key(headers: tuple[str, ...], idx: int) -> str:
    """The custom_fields key for a column: its header, or 'column N' when the header is blank."""
    return headers[idx] or f"column {idx + 1}"


def custom_fields_sql(mapping: HeaderMapping) -> str:
    """A JSON object (text) of every unmapped column, keyed by its original header."""
    if not mapping.custom:
        return "'{}'"
    pairs = ", ".join(f"{sql_literal(custom_key(mapping.headers, i))}, c{i}" for i in mapping.custom)
    return f"json_object({pairs})::varchar"


def content_hash_sql(headers: tuple[str, ...]) -> str:
    """md5 over header=value pairs in header order: the same row gets the same id in any file/run,
    whatever the column order."""
    order = sorted(range(len(headers)), key=lambda i: (headers[i], i))
    parts = ", ".join(f"{sql_literal(headers[i] + '=')} || coalesce(c{i}, '')" for i in order)
    return f"md5(concat_ws({HASH_SEPARATOR}, {parts}))"


def record_id_sql(mapping: HeaderMapping) -> str:
    """The record's own id where the row has one, else the content hash."""
    hashed = content_hash_sql(mapping.headers)
    if mapping.record_id is None:
        return hashed
    return f"coalesce(nullif(trim(c{mapping.record_id}), ''), {hashed})"


def field_sql(mapping: HeaderMapping, field: str) -> str:
    """The column feeding `field`, or NULL."""
    return mapping.column(field) or "NULL::varchar"


def synonym_lookup(synonyms: Mapping[str, Iterable[str]]) -> Callable[[str], str | None]:
    """A header -> field function from {field: synonyms} (headers folded with lead.header_key)."""
    index: dict[str, str] = {}
    for field, names in synonyms.items():
        for name in (field, *names):
            index.setdefault(header_key(name), field)
    return lambda header: index.get(header_key(header))


def is_generic_id_header(header: str) -> bool:
    """True for the plain record-id headers of reference files ("ID", "Record ID", ...)."""
    return header_key(header) in GENERIC_ID_HEADERS
