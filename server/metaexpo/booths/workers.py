"""Where the heavy work of uploads runs: checking models and decoding pictures, off the server.

One pool for both (``--model-workers`` processes, started with the first
upload): a model check or a picture decode can take seconds and hundreds of
megabytes, and neither may share the sync tick's GIL or its heap. With
``--model-workers 0`` the work runs in a thread of the server process
instead, and its memory is the server's (bounded by the upload caps).

After every job the worker gives freed memory back to the system: the C
allocator keeps freed heap pages for reuse otherwise, so one big decode
would stay resident for the life of the process.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from typing import Any, TypeVar

from metaexpo.errors import Busy

T = TypeVar("T")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(name), "malloc_trim", None)
    return trim  # glibc only: None on musl and macOS


def release_memory() -> None:
    """Hand the heap's free pages back to the system (a no-op where the C library cannot)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def run_then_release(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, then :func:`release_memory`: what a worker runs for each job."""
    try:
        return fn(*args)
    finally:
        release_memory()


class UploadWorkers:
    """The worker pool of one app, started with the first job; a thread when there is none."""

    def __init__(self, make_executor: Callable[[], Executor] | None) -> None:
        self._make_executor = make_executor
        #: The worker pool once started (None: not yet, or jobs run in a thread).
        self.executor: Executor | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker (picklable function and arguments), awaited.

        Raises what ``fn`` raises, or :class:`Busy` when the worker died under
        the job (the pool is replaced for the next one).
        """
        if self._make_executor is None:
            return await asyncio.to_thread(run_then_release, fn, *args)
        if self.executor is None:
            self.executor = self._make_executor()
        executor = self.executor
        try:
            return await asyncio.get_running_loop().run_in_executor(
                executor, run_then_release, fn, *args
            )
        except BrokenExecutor:
            # A worker that died (killed for memory, crashed) breaks the whole pool: start afresh.
            executor.shutdown(wait=False, cancel_futures=True)
            if self.executor is executor:
                self.executor = None
            raise Busy("the upload worker stopped unexpectedly; try again", 10) from None

    def close(self) -> None:
        """Stop the worker processes (if they were started)."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
