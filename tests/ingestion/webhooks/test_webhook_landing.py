"""The landing store: framing, torn tails, damage, group commit, idempotency index, tombstones."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from leadsync.ingestion.webhooks.landing import (
    LandingLocked,
    LandingWriter,
    StorageError,
    append_retired_ids,
    encode_record,
    list_segments,
    overwrite_with_tombstone,
    scan_segment,
)


def header(i: int, source: str = "site") -> dict:
    return {"delivery_id": f"d{i}", "source": source, "received_at": "2026-11-20T10:00:00+00:00"}


async def write_many(writer: LandingWriter, ids: list[int], source: str = "site") -> list[str]:
    return list(
        await asyncio.gather(
            *(writer.append(source, f"d{i}", header(i, source), f"body {i}".encode()) for i in ids)
        )
    )


def run_writer(landing: Path, ids: list[int], sources: tuple[str, ...] = ("site",)) -> tuple[list[str], int]:
    async def go() -> tuple[list[str], int]:
        w = LandingWriter(landing)
        w.open(list(sources))
        try:
            results = await write_many(w, ids)
            return results, w.batches
        finally:
            await w.close()

    return asyncio.run(go())


def test_group_commit_batches_concurrent_appends_and_reads_back(tmp_path: Path):
    results, batches = run_writer(tmp_path, list(range(500)))
    assert results == ["stored"] * 500
    assert 1 <= batches < 500  # many requests shared an fsync
    (seg,) = list_segments(tmp_path, "site")
    assert seg.suffix == ".seg"  # close() seals
    scan = scan_segment(seg, sealed=True)
    assert [r.delivery_id for r in scan.records] == [f"d{i}" for i in range(500)]
    assert scan.records[7].body == b"body 7" and not scan.damages


def test_duplicates_in_flight_and_after_restart_are_stored_once(tmp_path: Path):
    results, _ = run_writer(tmp_path, [1, 2, 1, 3, 2])
    assert results.count("stored") == 3 and results.count("duplicate") == 2
    results, _ = run_writer(tmp_path, [3, 4])  # index rebuilt from segments on open
    assert results == ["duplicate", "stored"]
    ids = [
        r.delivery_id for s in list_segments(tmp_path, "site") for r in scan_segment(s, sealed=True).records
    ]
    assert sorted(ids) == ["d1", "d2", "d3", "d4"]


def test_same_id_with_another_body_is_kept_as_a_conflict_once(tmp_path: Path):
    """A re-sent delivery id with a different body is stored (never dropped), once per body,
    in flight, after a restart and after its segment was retired."""

    async def go(bodies: list[bytes]) -> list[str]:
        w = LandingWriter(tmp_path)
        w.open(["site"])
        try:
            return list(await asyncio.gather(*(w.append("site", "d1", header(1), b) for b in bodies)))
        finally:
            await w.close()

    assert asyncio.run(go([b"first", b"first", b"second", b"second"])) == [
        "stored",
        "duplicate",
        "conflict",
        "duplicate",
    ]
    assert asyncio.run(go([b"second", b"third", b"first"])) == ["duplicate", "conflict", "duplicate"]
    records = [r for s in list_segments(tmp_path, "site") for r in scan_segment(s, sealed=True).records]
    assert [r.body for r in records] == [b"first", b"second", b"third"]
    first, second, third = records
    assert first.conflict_with is None and first.storage_key == "d1"
    assert second.conflict_with == first.body_sha256 == hashlib.sha256(b"first").hexdigest()
    assert second.storage_key == f"d1#sha256:{second.body_sha256}" and second.delivery_id == "d1"
    assert third.conflict_with == first.body_sha256
    # retired (drained and deleted) segments keep their keys and hashes
    append_retired_ids(tmp_path, "site", {r.storage_key: r.body_sha256 for r in records})
    for seg in list_segments(tmp_path, "site"):
        seg.unlink()
    assert asyncio.run(go([b"first", b"third", b"fourth"])) == ["duplicate", "duplicate", "conflict"]


def test_torn_tail_is_skipped_in_a_sealed_segment_and_waited_for_in_a_live_one(tmp_path: Path):
    seg = tmp_path / "0001-1.seg"
    frames = [encode_record(header(i), b"x" * 50) for i in range(3)]
    seg.write_bytes(b"".join(frames) + frames[0][:20])  # kill -9 mid-write of a 4th record
    scan = scan_segment(seg, sealed=True)
    assert len(scan.records) == 3 and len(scan.damages) == 1
    assert scan.damages[0].length == 20 and scan.end == seg.stat().st_size
    live = scan_segment(seg, sealed=False)
    assert len(live.records) == 3 and not live.damages
    assert live.end == sum(map(len, frames))  # the drain resumes exactly there


def test_corruption_in_the_middle_resynchronises(tmp_path: Path):
    seg = tmp_path / "0001-1.seg"
    frames = [encode_record(header(i), b"y" * 40) for i in range(4)]
    data = bytearray(b"".join(frames))
    data[len(frames[0]) + 30] ^= 0xFF  # flip a byte inside record 1
    seg.write_bytes(bytes(data))
    scan = scan_segment(seg, sealed=True)
    assert [r.delivery_id for r in scan.records] == ["d0", "d2", "d3"]
    assert scan.damages[0].offset == len(frames[0]) and scan.damages[0].length == len(frames[1])


def test_tombstone_keeps_offsets_and_hides_the_body(tmp_path: Path):
    seg = tmp_path / "0001-1.seg"
    seg.write_bytes(b"".join(encode_record(header(i), b"email=ada@example.com" * 3) for i in range(3)))
    before = scan_segment(seg, sealed=True).records
    overwrite_with_tombstone(seg, before[1], "erased")
    after = scan_segment(seg, sealed=True).records
    assert [(r.offset, r.end) for r in after] == [(r.offset, r.end) for r in before]
    assert (
        after[1].forgotten
        and after[1].body.strip() == b""
        and b"ada@" not in seg.read_bytes()[before[1].offset : before[1].end]
    )
    assert not after[0].forgotten and not after[2].forgotten


def test_storage_failure_raises_and_nothing_is_acknowledged(tmp_path: Path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "site").write_text("a file where the source folder should be")

    async def go() -> None:
        w = LandingWriter(landing)
        w.open([])
        try:
            with pytest.raises(StorageError):
                await w.append("site", "d1", header(1), b"body")
            assert not w.knows("site", "d1")
        finally:
            await w.close()

    asyncio.run(go())


def test_one_receiver_per_landing_dir(tmp_path: Path):
    first = LandingWriter(tmp_path)
    first.open(["site"])
    try:
        with pytest.raises(LandingLocked):
            LandingWriter(tmp_path).open(["site"])
    finally:
        asyncio.run(first.close())


def test_segments_rotate_by_size(tmp_path: Path):
    async def go() -> None:
        w = LandingWriter(tmp_path, segment_max_bytes=2000)
        w.open(["site"])
        for i in range(10):
            await w.append("site", f"d{i}", header(i), b"z" * 900)
        await w.close()

    asyncio.run(go())
    segs = list_segments(tmp_path, "site")
    assert len(segs) >= 3 and all(s.suffix == ".seg" for s in segs)
    assert sum(len(scan_segment(s, sealed=True).records) for s in segs) == 10


def test_retired_ids_are_bounded_by_the_retention(tmp_path: Path):
    from leadsync.ingestion.webhooks.landing import (
        compact_retired_ids,
        read_retired_ids,
        retired_retention_seconds,
    )
    from leadsync.ingestion.webhooks.landing.layout import RETIRED_IDS_FILE, source_dir

    keep = retired_retention_seconds(300)
    assert keep >= 300 and retired_retention_seconds(10 * keep) == 10 * keep  # never below the window
    source_dir(tmp_path, "site").mkdir(parents=True)
    path = source_dir(tmp_path, "site") / RETIRED_IDS_FILE
    path.write_text("legacy\tabc\n")  # a line from before ids were dated
    t0 = 1_000_000.0
    append_retired_ids(tmp_path, "site", {f"old{i}": "h" for i in range(1000)}, now=t0)
    append_retired_ids(tmp_path, "site", {"new": "h2"}, now=t0 + keep)
    assert len(read_retired_ids(tmp_path, "site")) == 1002
    assert set(read_retired_ids(tmp_path, "site", retention_seconds=keep, now=t0 + keep + 1)) == {
        "legacy",
        "new",
    }
    # compaction drops the expired ids from the file itself and dates the legacy line
    assert compact_retired_ids(tmp_path, "site", keep, now=t0 + keep + 1) == 1000
    assert path.read_text().splitlines() == [
        "legacy\tabc\t" + str(int(t0 + keep + 1)),
        f"new\th2\t{int(t0 + keep)}",
    ]
    assert compact_retired_ids(tmp_path, "site", keep, now=t0 + keep + 1) == 0
    assert compact_retired_ids(tmp_path, "site", keep, now=t0 + 3 * keep) == 2
    assert read_retired_ids(tmp_path, "site") == {}
