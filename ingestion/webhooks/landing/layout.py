"""Where the landing store keeps what under ``landing_dir``, shared by the writer and the drain."""

from __future__ import annotations

import fcntl
import json
import os
import time
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


# Providers retry a delivery for up to ~1.5 days (Standard Webhooks' schedule: 5 s ... 10 h, 10 h,
# https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#deliverability-and-reliability);
# retries are re-signed with a fresh timestamp, so the memory must outlast the retry schedule, and
# never be shorter than the replay window.
RETRY_HORIZON_SECONDS = 3 * 24 * 3600


def retired_retention_seconds(replay_window_seconds: int) -> int:
    """How long a retired delivery id is remembered."""
    return max(replay_window_seconds, RETRY_HORIZON_SECONDS)


def append_retired_ids(
    landing_dir: Path, source_name: str, keys: dict[str, str], *, now: float | None = None
) -> None:
    """Remember retired records: one `storage key<TAB>body sha256<TAB>retired at` line each."""
    if not keys:
        return
    stamp = int(time.time() if now is None else now)
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    with open(p, "a", encoding="utf-8") as f:
        f.write("".join(f"{_one_line(k)}\t{h}\t{stamp}\n" for k, h in keys.items()))
        f.flush()
        os.fsync(f.fileno())


def _one_line(key: str) -> str:
    return key.replace("\n", " ").replace("\t", " ")


def _retired_lines(p: Path) -> list[tuple[str, str, int | None]]:
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = []
    for line in lines:
        key, _, rest = line.partition("\t")
        digest, _, stamp = rest.partition("\t")
        out.append((key, digest, int(stamp) if stamp.isdigit() else None))
    return out


def read_retired_ids(
    landing_dir: Path, source_name: str, *, retention_seconds: int | None = None, now: float | None = None
) -> dict[str, str]:
    """Storage key -> body sha256 of retired records ("" for lines written before hashes were kept);
    with `retention_seconds`, only those retired within it (undated old lines are kept)."""
    oldest = None if retention_seconds is None else (time.time() if now is None else now) - retention_seconds
    return {
        key: digest
        for key, digest, stamp in _retired_lines(source_dir(landing_dir, source_name) / RETIRED_IDS_FILE)
        if oldest is None or stamp is None or stamp >= oldest
    }


def compact_retired_ids(
    landing_dir: Path, source_name: str, retention_seconds: int, *, now: float | None = None
) -> int:
    """Drop ids retired longer ago than `retention_seconds` (atomic rewrite); returns how many.
    Undated lines (written before dates were kept) are dated now, so they expire in turn."""
    now = time.time() if now is None else now
    p = source_dir(landing_dir, source_name) / RETIRED_IDS_FILE
    lines = _retired_lines(p)
    kept = [(k, h, int(now) if s is None else s) for k, h, s in lines]
    kept = [(k, h, s) for k, h, s in kept if s >= now - retention_seconds]
    if len(kept) == len(lines) and all(s is not None for _, _, s in lines):
        return 0
    tmp = p.with_name(RETIRED_IDS_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(f"{k}\t{h}\t{s}\n" for k, h, s in kept))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, p)
    fsync_dir(p.parent)
    return len(lines) - len(kept)


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
