"""Reading a webhook body: the one decoder the receiver (at receipt) and the drain (at load) share.

The receiver may acknowledge only what the drain can load, so both decode through
`decode_body` with the same `BodyLimits` (size, nesting depth, number of values), built from
the same `webhooks:` config. A body over a limit is unreadable: 400 at receipt, a quarantine
row at load (for bodies stored by an earlier receiver or under looser limits).

Formats:
- JSON (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259). Python's parser recurses, so nesting
  deeper than the interpreter allows raised RecursionError (an HTTP 500); it is caught and the
  depth limit checked without recursion.
- application/x-www-form-urlencoded (WHATWG URL standard, https://url.spec.whatwg.org/#urlencoded-parsing).
- multipart/form-data (RFC 7578, https://www.rfc-editor.org/rfc/rfc7578, with the delimiter
  syntax of RFC 2046 section 5.1.1, https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1), which
  Jotform posts (https://www.jotform.com/help/245-how-to-setup-a-webhook-with-jotform/). Split
  here on the boundary with bytes operations: the stdlib `email` parser, used before, cost about
  a millisecond per submission and made Jotform the receiver's slowest path (benchmarks/README.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from leadsync.ingestion.config import WebhooksConfig

JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

# Content types each provider sends; anything else is answered 415.
ACCEPTED_CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "typeform": JSON_TYPES,
    "hubspot": JSON_TYPES,
    "tally": JSON_TYPES,
    "webflow": JSON_TYPES,
    "jotform": FORM_TYPES,
    "standard": JSON_TYPES,
    "generic": JSON_TYPES + FORM_TYPES,
}


class UnreadableBody(Exception):
    """The body cannot be decoded as the content type says (answered 400 / quarantined).

    Messages are fixed phrases: they are sent back to clients, so they never quote the input.
    """


@dataclass(frozen=True)
class BodyLimits:
    """What a readable body may hold. One instance per config, used at receipt and at load."""

    max_bytes: int
    max_depth: int = 32  # form payloads nest 3-6 levels; 32 leaves room and stays far from recursion limits
    max_values: int = 10_000  # JSON values (objects, arrays and scalars) or form fields

    @classmethod
    def from_settings(cls, settings: Any) -> BodyLimits:
        """From the config's `webhooks:` block (`ingestion.config.WebhooksConfig`)."""
        return cls(max_bytes=settings.max_body_bytes)


# The limits under the config's defaults (for callers without a config: tests, tools).
DEFAULT_LIMITS = BodyLimits.from_settings(WebhooksConfig())


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_type_accepted(provider: str, content_type: str | None) -> bool:
    mt = media_type(content_type)
    return mt in ACCEPTED_CONTENT_TYPES[provider] or (
        mt.endswith("+json") and "application/json" in ACCEPTED_CONTENT_TYPES[provider]
    )


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------
def _check_shape(value: Any, limits: BodyLimits) -> None:
    """Depth and value count of a decoded JSON value, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        v, depth = stack.pop()
        count += 1
        if count > limits.max_values:
            raise UnreadableBody(f"body holds more than {limits.max_values} values")
        if isinstance(v, dict):
            children = v.values()
        elif isinstance(v, list):
            children = v
        else:
            continue
        if depth > limits.max_depth:
            raise UnreadableBody(f"body is nested deeper than {limits.max_depth} levels")
        stack.extend((c, depth + 1) for c in children)


def decode_json(body: bytes, limits: BodyLimits) -> Any:
    try:
        value = json.loads(body)
    except RecursionError:
        raise UnreadableBody(f"body is nested deeper than {limits.max_depth} levels") from None
    except (UnicodeDecodeError, ValueError):
        raise UnreadableBody("body is not valid JSON") from None
    # Counted on the raw bytes first (C speed): a body with fewer brackets than the depth limit
    # cannot nest deeper, and one with fewer separators than the value limit cannot hold more.
    containers = body.count(b"{") + body.count(b"[")
    if containers > limits.max_depth or containers + body.count(b",") >= limits.max_values:
        _check_shape(value, limits)
    return value


# ---------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(
    rb';\s*(name|filename)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))', re.IGNORECASE
)
_CHARSET = re.compile(rb"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _part_fields(head: bytes) -> tuple[str | None, str | None, str]:
    """(name, filename, charset) from one part's header lines."""
    name = filename = None
    charset = "utf-8"
    for line in head.split(b"\r\n"):
        key, sep, value = line.partition(b":")
        if not sep:
            raise UnreadableBody("multipart part header is malformed")
        key = key.strip().lower()
        if key == b"content-disposition":
            for m in _DISPOSITION_PARAM.finditer(value):
                raw = m.group(2) if m.group(2) is not None else m.group(3)
                text = raw.replace(b'\\"', b'"').decode("utf-8", "replace")
                if m.group(1).lower() == b"name":
                    name = text
                else:
                    filename = text
        elif key == b"content-type":
            found = _CHARSET.search(value)
            if found:
                charset = found.group(1).decode("ascii")
    return name, filename, charset


def parse_multipart(body: bytes, content_type: str, limits: BodyLimits) -> dict[str, str]:
    """The fields of a multipart/form-data body (files kept by name only)."""
    m = _BOUNDARY.search(content_type)
    if not m:
        raise UnreadableBody("multipart body without a boundary")
    boundary = (m.group(1) or m.group(2)).encode("latin-1")
    # Every delimiter is CRLF "--" boundary; the first may open the body without the CRLF.
    parts = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(parts) < 3 or not parts[-1].startswith(b"--"):
        raise UnreadableBody("multipart body is malformed")
    if len(parts) - 2 > limits.max_values:
        raise UnreadableBody(f"body holds more than {limits.max_values} values")
    fields: dict[str, str] = {}
    for part in parts[1:-1]:
        line_end = part.find(b"\r\n")
        if line_end == -1 or part[:line_end].strip(b" \t"):  # only transport padding may follow
            raise UnreadableBody("multipart body is malformed")
        rest = part[line_end + 2 :]
        if rest.startswith(b"\r\n"):  # a part without headers has no name: skipped
            continue
        head, sep, content = rest.partition(b"\r\n\r\n")
        if not sep:
            raise UnreadableBody("multipart body is malformed")
        name, filename, charset = _part_fields(head)
        if not name:
            continue
        if filename:
            fields[name] = f"(file {filename})"
            continue
        try:
            fields[name] = content.decode(charset, "replace")
        except LookupError:
            fields[name] = content.decode("utf-8", "replace")
    if not fields:
        raise UnreadableBody("multipart body has no fields")
    return fields


def parse_form_body(body: bytes, content_type: str, limits: BodyLimits) -> dict[str, str]:
    """Form fields of a multipart or urlencoded body (files are kept by name only)."""
    if media_type(content_type) == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableBody("form body is not UTF-8") from None
        try:
            pairs = parse_qs(text, keep_blank_values=True, max_num_fields=limits.max_values)
        except ValueError:
            raise UnreadableBody(f"body holds more than {limits.max_values} values") from None
        return {k: v[0] for k, v in pairs.items()}
    return parse_multipart(body, content_type, limits)


def decode_body(content_type: str | None, body: bytes, limits: BodyLimits) -> Any:
    """JSON value or form fields within `limits`; raises UnreadableBody."""
    if len(body) > limits.max_bytes:
        raise UnreadableBody(f"body over {limits.max_bytes} bytes")
    if media_type(content_type) in FORM_TYPES:
        return parse_form_body(body, content_type or "", limits)
    return decode_json(body, limits)
