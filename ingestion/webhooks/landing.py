"""The durable landing store: append-only segment files the receiver writes and the drain reads.

Why this shape: a web form posts once and forgets. The receiver may answer 2xx only after the
submission is on disk (written and fsynced), yet an fsync per request would cap throughput at a
few thousand requests per second. So requests wait briefly and everything queued so far is
written and fsynced together (group commit): one fsync serves a whole batch.

Layout under ``landing_dir``::

    receiver.lock                        held (flock) by the one running receiver
    <source>/<ns>-<pid>.open             the segment the receiver is appending to
    <source>/<ns>-<pid>.seg              sealed segments (renamed from .open when full/old)
    <source>/drained.json                {segment stem: byte offset} loaded and committed
    <source>/retired.ids                 delivery ids of retired segments (idempotency memory)

Each record is framed as ``MAGIC | u32 length | u32 crc32 | payload`` so a reader can detect a
torn tail (a crash mid-write) or damage, skip it and carry on. The payload is
``u32 header length | header JSON | body bytes``. Records are never edited except by
`forget_email`, which overwrites a record in place with a same-length tombstone so byte offsets
(the drain cursor) stay valid.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAGIC = b"LSW1"
_FRAME = struct.Struct("<4sII")  # magic, payload length, crc32(payload)
_HLEN = struct.Struct("<I")
FRAME_OVERHEAD = _FRAME.size
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a length above this is damage, not a record

OPEN_SUFFIX = ".open"
SEALED_SUFFIX = ".seg"
LOCK_FILE = "receiver.lock"
CURSOR_FILE = "drained.json"
RETIRED_IDS_FILE = "retired.ids"

SEGMENT_MAX_BYTES = 32 * 1024 * 1024
SEGMENT_MAX_AGE_SECONDS = 30.0  # sealed this long after opening, so drains can retire it


class StorageError(Exception):
    """The landing store could not durably store a submission (disk full, permissions...)."""


class LandingLocked(Exception):
    """Another receiver process already writes this landing_dir."""


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


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Layout helpers shared by the writer and the drain
# ---------------------------------------------------------------------------------------------
def source_dir(landing_dir: Path, source_name: str) -> Path:
    return Path(landing_dir) / source_name


def list_segments(landing_dir: Path, source_name: str) -> list[Path]:
    """The source's segments in write order (names start with a nanosecond timestamp)."""
    d = source_dir(landing_dir, source_name)
    if not d.is_dir():
        return []
    return sorted((p for p in d.iterdir() if p.suffix in (OPEN_SUFFIX, SEALED_SUFFIX)), key=lambda p: p.stem)


def receiver_is_running(landing_dir: Path) -> bool:
    """True while a receiver holds the landing lock (then its .open segments are live)."""
    lock = Path(landing_dir) / LOCK_FILE
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def segment_is_sealed(path: Path, receiver_running: bool) -> bool:
    """A .open segment whose receiver is gone is as final as a sealed one."""
    return path.suffix == SEALED_SUFFIX or not receiver_running


def read_cursor(landing_dir: Path, source_name: str) -> dict[str, int]:
    p = source_dir(landing_dir, source_name) / CURSOR_FILE
    try:
        return {str(k): int(v) for k, v in json.loads(p.read_text()).items()}
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}


def write_cursor(landing_dir: Path, source_name: str, cursor: dict[str, int]) -> None:
    """Atomically replace the drained-offsets file (write, fsync, rename)."""
    d = source_dir(landing_dir, source_name)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / (CURSOR_FILE + ".tmp")
    with open(tmp, "w") as f:
        json.dump(cursor, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, d / CURSOR_FILE)
    fsync_dir(d)


def append_retired_ids(landing_dir: Path, source_name: str, ids: list[str]) -> None:
    if not ids:
        return
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    with open(p, "a", encoding="utf-8") as f:
        f.write("".join(i.replace("\n", " ") + "\n" for i in ids))
        f.flush()
        os.fsync(f.fileno())


def read_retired_ids(landing_dir: Path, source_name: str) -> set[str]:
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    try:
        return set(p.read_text(encoding="utf-8").splitlines())
    except (FileNotFoundError, NotADirectoryError):
        return set()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


# ---------------------------------------------------------------------------------------------
# The writer (one per receiver process)
# ---------------------------------------------------------------------------------------------
class _Segment:
    def __init__(self, directory: Path) -> None:
        self.stem = f"{time.time_ns():020d}-{os.getpid()}"
        self.path = directory / (self.stem + OPEN_SUFFIX)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        self.size = 0
        self.opened = time.monotonic()
        fsync_dir(directory)

    def seal(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)
        os.replace(self.path, self.path.with_suffix(SEALED_SUFFIX))
        fsync_dir(self.path.parent)


class LandingWriter:
    """Group-committing appender for one event loop: callers await until their batch is fsynced."""

    def __init__(
        self,
        landing_dir: Path,
        *,
        segment_max_bytes: int = SEGMENT_MAX_BYTES,
        segment_max_age: float = SEGMENT_MAX_AGE_SECONDS,
    ) -> None:
        self.landing_dir = Path(landing_dir)
        self.segment_max_bytes = segment_max_bytes
        self.segment_max_age = segment_max_age
        self._ids: dict[str, set[str]] = {}
        self._inflight: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._pending: list[tuple[str, bytes, tuple[str, str], asyncio.Future[None]]] = []
        self._flushing = False
        self._segments: dict[str, _Segment] = {}
        self._lock_fd: int | None = None
        self._sealer: asyncio.Task[None] | None = None
        self.batches = 0  # group commits done (for the benchmark)

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self, source_names: list[str]) -> None:
        """Take the landing lock, seal orphaned segments and rebuild the delivery-id index."""
        self.landing_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.landing_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise LandingLocked(
                f"another webhook receiver already writes to {self.landing_dir}; "
                "run one receiver per landing_dir"
            ) from None
        for name in source_names:
            ids = read_retired_ids(self.landing_dir, name)
            for seg in list_segments(self.landing_dir, name):
                if seg.suffix == OPEN_SUFFIX:  # its writer died: it is final now
                    sealed = seg.with_suffix(SEALED_SUFFIX)
                    os.replace(seg, sealed)
                    seg = sealed
                for rec in scan_segment(seg, sealed=True, headers_only=True).records:
                    ids.add(rec.delivery_id)
            self._ids[name] = ids

    async def start_sealer(self) -> None:
        self._sealer = asyncio.get_running_loop().create_task(self._seal_old_segments())

    async def close(self) -> None:
        if self._sealer:
            self._sealer.cancel()
        while self._flushing or self._pending:
            await asyncio.sleep(0.005)
        self._seal_all(0.0)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def knows(self, source: str, delivery_id: str) -> bool:
        return delivery_id in self._ids.get(source, ())

    # -- appending ---------------------------------------------------------------------------
    async def append(self, source: str, delivery_id: str, header: dict[str, Any], body: bytes) -> bool:
        """Store one submission durably. True when stored now, False when already stored.

        Raises StorageError when it could not be stored; the caller must not answer 2xx then.
        """
        key = (source, delivery_id)
        if delivery_id in self._ids.setdefault(source, set()):
            return False
        inflight = self._inflight.get(key)
        if inflight is not None:  # same id already on its way to disk: answer when it is there
            await asyncio.shield(inflight)
            return False
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._inflight[key] = fut
        self._pending.append((source, encode_record(header, body), key, fut))
        if not self._flushing:
            self._flushing = True
            loop.create_task(self._flush_loop())
        await asyncio.shield(fut)
        return True

    async def _flush_loop(self) -> None:
        # Yield once so every request already being handled in this loop turn joins the batch.
        # The write and fsync then run right here, blocking the loop for one fsync: requests that
        # arrive meanwhile wait in the socket buffers and form the next batch. Measured against a
        # writer thread, this did more requests per second with a lower p99 (no GIL hand-offs).
        await asyncio.sleep(0)
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                by_source: dict[str, list[bytes]] = {}
                for source, frame, _, _ in batch:
                    by_source.setdefault(source, []).append(frame)
                try:
                    self._write_batch([(source, b"".join(frames)) for source, frames in by_source.items()])
                except Exception as err:  # noqa: BLE001 - any failure: 503, never a hung request
                    reason = err.strerror if isinstance(err, OSError) and err.strerror else err
                    failure = StorageError(f"could not store the submission: {reason}")
                    for _, _, key, fut in batch:
                        self._inflight.pop(key, None)
                        if not fut.done():
                            fut.set_exception(failure)
                            fut.exception()  # mark retrieved: waiters re-raise it themselves
                    continue
                self.batches += 1
                for source, _, key, fut in batch:
                    self._ids[source].add(key[1])
                    self._inflight.pop(key, None)
                    if not fut.done():
                        fut.set_result(None)
                await asyncio.sleep(0)  # let the woken requests answer before the next batch
        finally:
            self._flushing = False

    def _write_batch(self, writes: list[tuple[str, bytes]]) -> None:
        """One write and one fsync per touched segment.

        (Measured: an O_DSYNC file, one syscall instead of two, was slower here, not faster.)
        """
        for source, data in writes:
            seg = self._segments.get(source)
            if seg is None:
                directory = source_dir(self.landing_dir, source)
                directory.mkdir(parents=True, exist_ok=True)
                seg = self._segments[source] = _Segment(directory)
            try:
                view = memoryview(data)
                while view:
                    n = os.write(seg.fd, view)
                    view = view[n:]
                os.fsync(seg.fd)
            except OSError:
                self._abandon(source, seg)
                raise
            seg.size += len(data)
            if seg.size >= self.segment_max_bytes:
                self._segments.pop(source).seal()

    def _abandon(self, source: str, seg: _Segment) -> None:
        """After a failed write: cut the partial batch off if possible, then stop using the file."""
        self._segments.pop(source, None)
        try:
            os.ftruncate(seg.fd, seg.size)
            seg.seal()
        except OSError:
            try:
                os.close(seg.fd)
            except OSError:
                pass

    def _seal_all(self, min_age: float) -> None:
        now = time.monotonic()
        for source, seg in list(self._segments.items()):
            if now - seg.opened >= min_age:
                self._segments.pop(source)
                try:
                    seg.seal()
                except OSError:
                    pass

    async def _seal_old_segments(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.segment_max_age / 2))
            if not self._flushing:
                self._seal_all(self.segment_max_age)


def iter_landed(
    landing_dir: Path, source_name: str, cursor: dict[str, int] | None = None, *, headers_only: bool = False
) -> Iterator[tuple[Path, bool, SegmentScan]]:
    """Scan each segment of a source from its cursor offset: (path, sealed, scan)."""
    cursor = cursor or {}
    running = receiver_is_running(landing_dir)
    for seg in list_segments(landing_dir, source_name):
        sealed = segment_is_sealed(seg, running)
        start = cursor.get(seg.stem, 0)
        try:
            size = seg.stat().st_size
        except FileNotFoundError:  # sealed (renamed) or retired meanwhile
            continue
        if start >= size:
            yield seg, sealed, SegmentScan(end=start)
            continue
        try:
            yield seg, sealed, scan_segment(seg, start, sealed=sealed, headers_only=headers_only)
        except FileNotFoundError:
            renamed = seg.with_suffix(SEALED_SUFFIX)
            if renamed.exists():
                yield renamed, True, scan_segment(renamed, start, sealed=True, headers_only=headers_only)
