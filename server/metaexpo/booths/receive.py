"""Receiving an upload: the request body streamed to a temporary file under a size cap.

The cap is enforced twice: a declared ``Content-Length`` over it is refused
before a byte is read, and a body that grows past it (no length, chunked, or
a client that lies) is refused the moment it does, so an upload costs the
server at most the cap in disk space and never its memory. Temporary files
live in ``<data-dir>/tmp/uploads``, are never served, and are removed when
the request ends (or, after a crash, when a server starts and finds them an hour old).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

from metaexpo.errors import Invalid, TooLarge

UPLOADS_TMP = Path("tmp") / "uploads"
#: An upload's temporary file untouched this long is left over from a crash: a body streams
#: and its model is checked within minutes (the validator gives up after two).
STALE_UPLOAD_S = 3600.0


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def too_large(limit: int, what: str) -> TooLarge:
    """The refusal of a body over ``limit`` bytes."""
    return TooLarge(f"the {what} is larger than {_mib(limit)}, the most this expo accepts")


def check_declared_length(declared: str | None, limit: int, what: str) -> None:
    """Refuse a declared body size over ``limit`` before reading any of it."""
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise Invalid("the request's Content-Length is not a number") from None
    if size > limit:
        raise too_large(limit, what)


def temp_folder(data_dir: Path) -> Path:
    """Where uploads wait while they are checked."""
    folder = data_dir / UPLOADS_TMP
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clear_temp_folder(data_dir: Path, older_than_s: float = STALE_UPLOAD_S) -> int:
    """Remove what interrupted uploads left behind (at start-up); returns how many files.

    Only files untouched for ``older_than_s``: on a data folder that several nodes
    share, the others may be receiving or checking uploads right now.
    """
    folder = data_dir / UPLOADS_TMP
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    count = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.lstat().st_mtime > cutoff:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
            count += 1
    return count


async def receive_to_file(
    chunks: AsyncIterator[bytes], folder: Path, limit: int, what: str, suffix: str = ""
) -> Path:
    """Write the streamed body into a new file in ``folder``; :class:`TooLarge` past ``limit``.

    The file is the caller's to delete (also after an error, it is removed here).
    """
    path = folder / f"{secrets.token_hex(12)}{suffix}.part"
    received = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                received += len(chunk)
                if received > limit:
                    raise too_large(limit, what)
                out.write(chunk)
        if received == 0:
            raise Invalid(
                f"the {what} is empty: choose a file to upload",
                [
                    {
                        "code": "empty_file",
                        "message": f"the {what} is empty",
                        "where": "file",
                        "limit": None,
                    }
                ],
            )
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        raise
    return path
