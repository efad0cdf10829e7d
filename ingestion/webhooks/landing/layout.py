"""Where the landing store keeps what under ``landing_dir``, shared by the writer and the drain."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from leadsync.ingestion.webhooks.landing.framing import SegmentScan, scan_segment

OPEN_SUFFIX = ".open"
SEALED_SUFFIX = ".seg"
LOCK_FILE = "receiver.lock"
CURSOR_FILE = "drained.json"
RETIRED_IDS_FILE = "retired.ids"


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


def append_retired_ids(landing_dir: Path, source_name: str, keys: dict[str, str]) -> None:
    """Remember retired records: one `storage key<TAB>body sha256` line each (idempotency memory)."""
    if not keys:
        return
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    with open(p, "a", encoding="utf-8") as f:
        f.write("".join(f"{_one_line(k)}\t{h}\n" for k, h in keys.items()))
        f.flush()
        os.fsync(f.fileno())


def _one_line(key: str) -> str:
    return key.replace("\n", " ").replace("\t", " ")


def read_retired_ids(landing_dir: Path, source_name: str) -> dict[str, str]:
    """Storage key -> body sha256 of retired records ("" for lines written before hashes were kept)."""
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    out: dict[str, str] = {}
    for line in lines:
        key, _, digest = line.partition("\t")
        out[key] = digest
    return out


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
