"""Listing and fingerprinting the files a file source reads (local globs and fsspec URLs alike).

The file sources (csv, activity_csv, target_accounts, spend_csv) read only what is new: each file's
fingerprint (size + mtime / etag / checksum, whatever the filesystem offers) is kept in dlt
resource state once its rows are extracted, so an unchanged file is never read twice and a
re-sync with nothing new is a listing and nothing else.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
from fsspec.core import url_to_fs

# Keys of fsspec `info()` that change when the content changes (the first found wins together
# with size). Object stores give etags/checksums; local disks give mtime.
_VERSION_KEYS = (
    "etag",
    "ETag",
    "md5Hash",
    "content_md5",
    "checksum",
    "crc32c",
    "mtime",
    "LastModified",
    "last_modified",
    "updated",
    "created",
)
COPY_CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    """One matched file: where it is, how to reach it, and what makes it 'the same file'."""

    url: str  # as shown to people (source_location): local path or protocol URL
    path: str  # the path inside `fs`
    fs: Any  # fsspec filesystem
    size: int
    modified_at: datetime  # UTC; falls back to listing time when the filesystem keeps none
    fingerprint: str

    @property
    def local_path(self) -> str | None:
        """A path DuckDB can open directly, or None when the file lives elsewhere."""
        return self.path if _is_local(self.fs) else None


def _is_local(fs: Any) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return "file" in protocol or "local" in protocol


def _modified(info: dict[str, Any]) -> datetime | None:
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(float(value), tz=UTC)
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def fingerprint(info: dict[str, Any]) -> str:
    """size + the first version marker the filesystem gives (etag, checksum, mtime ...)."""
    version = next((str(info[k]) for k in _VERSION_KEYS if info.get(k) is not None), "")
    return f"{info.get('size')}:{version}"


def list_files(url_glob: str) -> list[FileEntry]:
    """Every file matching a local glob or fsspec URL glob, sorted by path (stable load order)."""
    fs, pattern = url_to_fs(url_glob)
    protocol = url_glob.split("://", 1)[0] if "://" in url_glob else None
    now = datetime.now(UTC)
    matches = fs.glob(pattern, detail=True) if fsspec.core.has_magic(pattern) else _single(fs, pattern)
    entries = []
    for path, info in sorted(matches.items()):
        if info.get("type") == "directory":
            continue
        if _is_local(fs):
            url = f"file://{path}" if protocol == "file" else path
        else:
            url = fs.unstrip_protocol(path)
        entries.append(
            FileEntry(
                url=url,
                path=path,
                fs=fs,
                size=int(info.get("size") or 0),
                modified_at=_modified(info) or now,
                fingerprint=fingerprint(info),
            )
        )
    return entries


def _single(fs: Any, path: str) -> dict[str, dict[str, Any]]:
    return {path: fs.info(path)} if fs.exists(path) else {}


def changed_files(entries: list[FileEntry], seen: dict[str, str]) -> list[FileEntry]:
    """The entries whose fingerprint differs from the one remembered for their url."""
    return [e for e in entries if seen.get(e.url) != e.fingerprint]


# Magic numbers of the compressions fsspec decompresses (fsspec.compression), so a gzip file
# named `.csv` is read like one named `.csv.gz`: gzip RFC 1952, bzip2 "BZh", zip local header,
# zstd frame (RFC 8878), xz.
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"PK\x03\x04", "zip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
)


def compression_of(entry: FileEntry) -> str | None:
    """The file's compression by its content (magic bytes), None for plain content.

    Content wins over the name: a gzip file named `.csv` is decompressed, a plain file named
    `.csv.gz` is read as it is."""
    with entry.fs.open(entry.path, "rb") as fh:
        magic = fh.read(6)
    for prefix, name in _MAGIC:
        if magic.startswith(prefix):
            return name
    return None


def _open(entry: FileEntry) -> Any:
    """The file opened for reading its content, decompressed the way fsspec.open does."""
    return entry.fs.open(entry.path, "rb", compression=compression_of(entry))


def read_head(entry: FileEntry, n_bytes: int) -> bytes:
    """The first n bytes of a file's content (decompressed), for encoding / delimiter detection."""
    with _open(entry) as fh:
        return fh.read(n_bytes)


def iter_chunks(entry: FileEntry, chunk_bytes: int = COPY_CHUNK_BYTES) -> Iterator[bytes]:
    """The file's content in chunks: streaming, so a big remote file never sits in memory whole."""
    with _open(entry) as fh:
        while chunk := fh.read(chunk_bytes):
            yield chunk


class ScratchDir:
    """A private temp folder for local copies of remote or transcoded files; removed on exit."""

    def __enter__(self) -> Path:
        self._path = Path(tempfile.mkdtemp(prefix="leadsync_files_"))
        return self._path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self._path, ignore_errors=True)
