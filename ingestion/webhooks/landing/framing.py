"""How one stored submission is laid out in a segment file, and reading frames back.

Each record is framed as ``MAGIC | u32 length | u32 crc32 | payload`` so a reader can detect a
torn tail (a crash mid-write) or damage, skip it and carry on. The payload is
``u32 header length | header JSON | body bytes``. Records are never edited except by
`overwrite_with_tombstone` (`leadsync forget`), which keeps the record's length so byte offsets
(the drain cursor) stay valid.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAGIC = b"LSW1"
_FRAME = struct.Struct("<4sII")  # magic, payload length, crc32(payload)
_HLEN = struct.Struct("<I")
FRAME_OVERHEAD = _FRAME.size
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a length above this is damage, not a record


@dataclass(frozen=True)
class LandedRecord:
    """One stored submission as read back from a segment."""

    header: dict[str, Any]
    body: bytes
    segment: str  # segment stem
    offset: int  # where the frame starts
    end: int  # where the next frame starts

    @property
    def delivery_id(self) -> str:
        return str(self.header.get("delivery_id"))

    @property
    def forgotten(self) -> bool:
        return bool(self.header.get("forgotten"))

    @property
    def storage_key(self) -> str:
        """What the writer's idempotency index knows it by: the delivery id, or for a conflict
        (the id seen before with another body) the id plus this body's hash."""
        return str(self.header.get("stored_as") or self.delivery_id)

    @property
    def body_sha256(self) -> str:
        """Hex sha256 of the body, recorded by the writer ("" for records stored before that)."""
        return str(self.header.get("sha256") or "")

    @property
    def conflict_with(self) -> str | None:
        """For a conflict record: the sha256 of the body first stored under this delivery id."""
        value = self.header.get("conflict_with")
        return None if value is None else str(value)


@dataclass(frozen=True)
class Damage:
    """Bytes in a segment that do not form a valid record (torn tail or corruption)."""

    segment: str
    offset: int
    length: int
    raw: bytes


@dataclass
class SegmentScan:
    records: list[LandedRecord] = field(default_factory=list)
    damages: list[Damage] = field(default_factory=list)
    end: int = 0  # how far the scan may be considered consumed


def received_at(header: dict[str, Any]) -> datetime | None:
    """When the receiver stored a record: `received_ns` (epoch ns, cheap to write) or ISO text."""
    ns = header.get("received_ns")
    if isinstance(ns, int):
        return datetime.fromtimestamp(ns / 1e9, UTC)
    try:
        return datetime.fromisoformat(header["received_at"]) if header.get("received_at") else None
    except (TypeError, ValueError):
        return None


# Built once: json.dumps with non-default options constructs a new encoder on every call.
_HEADER_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_record(header: dict[str, Any], body: bytes) -> bytes:
    """One framed record: magic, length, checksum, then header JSON and body."""
    hjson = _HEADER_JSON.encode(header).encode("utf-8")
    hlen = _HLEN.pack(len(hjson))
    crc = zlib.crc32(body, zlib.crc32(hjson, zlib.crc32(hlen)))  # crc32 of hlen + hjson + body
    return b"".join((_FRAME.pack(MAGIC, len(hlen) + len(hjson) + len(body), crc), hlen, hjson, body))


def _decode_payload(payload: bytes) -> tuple[dict[str, Any], bytes]:
    (hlen,) = _HLEN.unpack_from(payload, 0)
    header = json.loads(payload[4 : 4 + hlen].decode("utf-8"))
    return header, payload[4 + hlen :]


def _valid_frame_at(data: bytes, pos: int) -> int | None:
    """Payload length when a complete, checksummed frame starts at `pos`, else None."""
    if pos + FRAME_OVERHEAD > len(data):
        return None
    magic, length, crc = _FRAME.unpack_from(data, pos)
    if magic != MAGIC or length > MAX_RECORD_BYTES:
        return None
    start = pos + FRAME_OVERHEAD
    if start + length > len(data):
        return None
    if zlib.crc32(data[start : start + length]) != crc:
        return None
    return length


def scan_segment(path: Path, start: int = 0, *, sealed: bool, headers_only: bool = False) -> SegmentScan:
    """Read the records of one segment from byte `start`.

    In a live (unsealed) segment an invalid frame is where the writer is, so the scan stops there
    and does not advance past it. In a sealed segment invalid bytes are damage: they are reported
    (the caller quarantines them) and the scan resynchronises at the next valid frame.
    """
    data = path.read_bytes()
    stem = path.stem
    scan = SegmentScan(end=start)
    pos = start
    while pos < len(data):
        length = _valid_frame_at(data, pos)
        if length is None:
            if not sealed:
                break
            nxt = data.find(MAGIC, pos + 1)
            while nxt != -1 and _valid_frame_at(data, nxt) is None:
                nxt = data.find(MAGIC, nxt + 1)
            stop = len(data) if nxt == -1 else nxt
            scan.damages.append(Damage(stem, pos, stop - pos, data[pos:stop]))
            pos = stop
            scan.end = pos
            continue
        begin = pos + FRAME_OVERHEAD
        payload = data[begin : begin + length]
        if headers_only:
            (hlen,) = _HLEN.unpack_from(payload, 0)
            header, body = json.loads(payload[4 : 4 + hlen].decode("utf-8")), b""
        else:
            header, body = _decode_payload(payload)
        end = begin + length
        scan.records.append(LandedRecord(header, body, stem, pos, end))
        pos = end
        scan.end = pos
    return scan


def overwrite_with_tombstone(path: Path, record: LandedRecord, reason: str) -> None:
    """Replace a record's bytes in place with a tombstone of the same length (offsets stay valid)."""
    total = record.end - record.offset - FRAME_OVERHEAD
    header = {
        "forgotten": True,
        "delivery_id": record.delivery_id,
        "source": record.header.get("source"),
        "received_ns": record.header.get("received_ns"),
        "received_at": record.header.get("received_at"),
        "reason": reason,
    }
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    room = total - _HLEN.size
    if len(hjson) > room:  # tiny record: keep only what proves it was erased
        hjson = json.dumps({"forgotten": True}).encode()
    hjson = hjson + b" " * (room - len(hjson))
    payload = _HLEN.pack(room) + hjson
    frame = _FRAME.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, frame, record.offset)
        os.fsync(fd)
    finally:
        os.close(fd)
