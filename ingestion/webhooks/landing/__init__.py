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

Modules: `framing` (one record's bytes, reading frames back, tombstones), `layout` (paths,
cursors, retired ids, scanning a source), `writer` (the receiver's group-committing appender).
"""

from leadsync.ingestion.webhooks.landing.framing import (
    FRAME_OVERHEAD,
    MAGIC,
    Damage,
    LandedRecord,
    SegmentScan,
    encode_record,
    overwrite_with_tombstone,
    received_at,
    scan_segment,
)
from leadsync.ingestion.webhooks.landing.layout import (
    CURSOR_FILE,
    LOCK_FILE,
    OPEN_SUFFIX,
    RETIRED_IDS_FILE,
    SEALED_SUFFIX,
    append_retired_ids,
    compact_retired_ids,
    fsync_dir,
    iter_landed,
    list_segments,
    read_cursor,
    read_retired_ids,
    receiver_is_running,
    retired_retention_seconds,
    segment_is_sealed,
    source_dir,
    write_cursor,
)
from leadsync.ingestion.webhooks.landing.writer import (
    SEGMENT_MAX_AGE_SECONDS,
    SEGMENT_MAX_BYTES,
    LandingLocked,
    LandingWriter,
    StorageError,
)

__all__ = [
    "CURSOR_FILE",
    "FRAME_OVERHEAD",
    "LOCK_FILE",
    "MAGIC",
    "OPEN_SUFFIX",
    "RETIRED_IDS_FILE",
    "SEALED_SUFFIX",
    "SEGMENT_MAX_AGE_SECONDS",
    "SEGMENT_MAX_BYTES",
    "Damage",
    "LandedRecord",
    "LandingLocked",
    "LandingWriter",
    "SegmentScan",
    "StorageError",
    "append_retired_ids",
    "compact_retired_ids",
    "encode_record",
    "fsync_dir",
    "iter_landed",
    "list_segments",
    "overwrite_with_tombstone",
    "read_cursor",
    "read_retired_ids",
    "retired_retention_seconds",
    "received_at",
    "receiver_is_running",
    "scan_segment",
    "segment_is_sealed",
    "source_dir",
    "write_cursor",
]
