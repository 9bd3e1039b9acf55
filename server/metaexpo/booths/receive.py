"""Receiving an upload: the request body streamed to a temporary file under a size cap and a
minimum transfer rate.

The cap is enforced twice: a declared ``Content-Length`` over it is refused
before a byte is read, and a body that grows past it (no length, chunked, or
a client that lies) is refused the moment it does, so an upload costs the
server at most the cap in disk space and never its memory. The body must
also keep up with a minimum rate (:class:`Pace`): a sender that dribbles or
stops is cut off, so nobody can hold an upload slot by sending slowly.
Temporary files live in ``<data-dir>/tmp/uploads``, are never served, and
are removed when the request ends (or, after a crash, when a server starts
and finds them an hour old).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from metaexpo.errors import Invalid, TooLarge, TooSlow

UPLOADS_TMP = Path("tmp") / "uploads"
#: An upload's temporary file untouched this long is left over from a crash: a body streams
#: and its model is checked within minutes (the validator gives up after two).
STALE_UPLOAD_S = 3600.0


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def too_large(limit: int, what: str) -> TooLarge:
    """The refusal of a body over ``limit`` bytes."""
    return TooLarge(f"the {what} is larger than {_mib(limit)}, the most this expo accepts")


@dataclass(frozen=True, slots=True)
class MinimumRate:
    """The slowest a body may arrive: ``bytes_per_s`` on average, never more than
    ``window_s`` seconds' worth behind (pauses included)."""

    bytes_per_s: int
    window_s: float

    def describe(self) -> str:
        """The rate for a person: "10.0 kB/s"."""
        return f"{self.bytes_per_s / 1000:.1f} kB/s"


class Pace:
    """How far a body is ahead of the minimum rate: a leaky bucket of allowance, in bytes.

    The allowance starts full (``window_s`` seconds' worth at the minimum rate),
    drains at the minimum rate as time passes and fills with every byte
    received, but never beyond full: a fast start buys no long pause later.
    The body is too slow once the allowance is gone. Pure: the caller passes
    the time, so it is tested without a clock.
    """

    def __init__(self, rate: MinimumRate, now: float) -> None:
        self.rate = rate
        self._full = rate.bytes_per_s * rate.window_s
        self._allowance = self._full
        self._at = now
        self.started = now

    def deadline(self) -> float:
        """When the allowance runs out if nothing more arrives."""
        return self._at + self._allowance / self.rate.bytes_per_s

    def received(self, size: int, now: float) -> bool:
        """Count ``size`` bytes that arrived at ``now``; False if the body fell too far behind."""
        drained = self._allowance - (now - self._at) * self.rate.bytes_per_s
        self._at = now
        self._allowance = min(self._full, drained + size)
        return self._allowance >= 0


def too_slow(received: int, seconds: float, rate: MinimumRate, what: str) -> TooSlow:
    """The refusal of a body that fell too far behind ``rate``."""
    return TooSlow(
        f"the {what} arrived too slowly and was stopped: {_mib(received)} in {seconds:.0f} s, "
        f"while this expo needs at least {rate.describe()} (pauses of at most "
        f"{rate.window_s:g} s); try again on a faster or steadier connection"
    )


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
    chunks: AsyncIterator[bytes],
    folder: Path,
    limit: int,
    what: str,
    suffix: str = "",
    *,
    rate: MinimumRate | None = None,
) -> Path:
    """Write the streamed body into a new file in ``folder``; :class:`TooLarge` past ``limit``,
    :class:`TooSlow` when the body falls too far behind ``rate`` (or stops arriving).

    The file is the caller's to delete (also after an error, it is removed here).
    """
    path = folder / f"{secrets.token_hex(12)}{suffix}.part"
    received = 0
    loop = asyncio.get_running_loop()
    pace = None if rate is None else Pace(rate, loop.time())
    body = aiter(chunks)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                try:
                    if pace is None:
                        chunk = await anext(body)
                    else:
                        async with asyncio.timeout_at(pace.deadline()):
                            chunk = await anext(body)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    assert pace is not None
                    raise too_slow(received, loop.time() - pace.started, pace.rate, what) from None
                received += len(chunk)
                if received > limit:
                    raise too_large(limit, what)
                if pace is not None and not pace.received(len(chunk), loop.time()):
                    raise too_slow(received, loop.time() - pace.started, pace.rate, what)
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
