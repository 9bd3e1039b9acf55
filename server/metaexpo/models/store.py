"""Content-addressed blob storage with atomic writes.

A blob lives at ``root/objects/ab/cdef…`` where ``abcdef…`` is the SHA-256
of its bytes. Writes go to a temporary file in the final folder, are
flushed and fsynced, then renamed over the final name with ``os.replace``
and the folder is fsynced: a reader sees the whole blob or nothing, even
across a crash. Storing bytes that are already there writes nothing but
refreshes the file's modification time: a caller that records its blobs
elsewhere after storing them (a database row) can rely on every blob it
stored or re-stored being young until then, which is what lets a collector
remove old blobs nothing records without racing a writer. Stored files are
made read-only: content-addressed data never changes; ``private`` ones
(bytes as a person sent them, which may hold personal data) are readable by
their owner only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from metaexpo.errors import MetaExpoError

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_TEMP_PREFIX = ".tmp-"
#: A temporary file untouched this long belongs to no write in progress on any node (a blob
#: is written in seconds); younger ones may be another node's, on a shared data folder.
STALE_TEMP_S = 3600.0
_CHUNK = 1 << 20


class StoreError(MetaExpoError):
    """A blob could not be stored or found; the message says which and why."""


def object_path(root: Path, digest: str) -> Path:
    """Where the blob with ``digest`` lives; raises :class:`StoreError` for a malformed digest."""
    if not _DIGEST.match(digest):
        raise StoreError(f"not a SHA-256 hex digest: {digest[:80]!r}")
    return root / "objects" / digest[:2] / digest[2:]


def has_blob(root: Path, digest: str) -> bool:
    """Whether the blob is stored."""
    return object_path(root, digest).is_file()


def store_blob(root: Path, data: bytes | memoryview | Path, *, private: bool = False) -> str:
    """Store bytes (or the contents of a file) under their SHA-256; return the hex digest.

    A new file is read-only for everyone (0444), or for its owner only (0400)
    when ``private``. Raises :class:`StoreError` if a file changed while being
    stored.
    """
    mode = 0o400 if private else 0o444
    if isinstance(data, Path):
        digest = file_sha256(data)
        target = object_path(root, digest)
        if _refreshed(target):
            return digest
        with data.open("rb") as source:
            _write_atomically(target, _chunks(source), expect=digest, mode=mode)
        return digest
    digest = hashlib.sha256(data).hexdigest()
    target = object_path(root, digest)
    if not _refreshed(target):
        _write_atomically(target, iter([bytes(data)]), expect=digest, mode=mode)
    return digest


def _refreshed(target: Path) -> bool:
    """Whether ``target`` is stored; if so its modification time is now (its bytes untouched)."""
    try:
        os.utime(target)
    except FileNotFoundError:
        return False
    return True


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one."""
    _write_atomically(target, iter([data]), expect=None, mode=0o644)


def remove_stale_temporaries(root: Path, older_than_s: float = STALE_TEMP_S) -> int:
    """Delete temporary files left by a crash mid-write; return how many were removed.

    Only files untouched for ``older_than_s``: other nodes sharing this store (one data
    volume behind a load balancer) may be writing theirs right now.
    """
    removed = 0
    objects = root / "objects"
    if not objects.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    for path in objects.glob(f"*/{_TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
    return removed


def file_sha256(path: Path) -> str:
    """The sha256 (hex) of a file's bytes, read in chunks: what names a blob in the store."""
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(_CHUNK):
        yield chunk


def _write_atomically(
    target: Path, chunks: Iterator[bytes], *, expect: str | None, mode: int = 0o444
) -> None:
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=folder)
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if expect is not None and digest.hexdigest() != expect:
            raise StoreError(f"{target.name}: the source changed while it was being stored")
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
