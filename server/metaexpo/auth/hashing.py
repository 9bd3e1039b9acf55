"""Password hashing in a small pool of its own, bounded, at low CPU priority.

argon2id with today's parameters takes 64 MiB and four threads per hash.
Run in the thread pool that every other blocking call shares (FastAPI's),
80 concurrent sign-ins took 1.8 GB and stalled the sync tick for 12 s
(issue 9). Here at most ``workers`` hashes run at once and ``queue`` more
wait; the next caller is refused at once (:class:`~metaexpo.errors.TooMany`,
answered 429 with ``Retry-After``) instead of queueing without bound. The
pool's threads run at a lower priority (``nice``), and the threads argon2
starts inherit it, so under load the kernel gives the event loop's thread
the CPU first: visitors' pose frames keep their pace while sign-ins wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from metaexpo.errors import TooMany

T = TypeVar("T")

#: How much nicer than the event loop the hashing threads are (Linux: per thread).
NICENESS = 10


def _lower_priority(niceness: int) -> None:
    # On Linux setpriority(PRIO_PROCESS, tid) changes one thread; threads it starts inherit it.
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness)


class PasswordPool:
    """Runs password work (hash, verify) with bounded concurrency and a bounded queue."""

    def __init__(self, workers: int, queue: int, niceness: int = NICENESS) -> None:
        assert workers >= 1 and queue >= 0
        self.workers = workers
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(
            workers,
            thread_name_prefix="passwords",
            initializer=_lower_priority,
            initargs=(niceness,),
        )
        self._lock = threading.Lock()
        self._held = 0
        self._running = 0
        #: Calls refused because the pool and its queue were full (for /metrics).
        self.refused = 0
        #: Calls that ran to their end (for /metrics).
        self.done = 0
        #: The most calls ever running at once, and running or waiting at once: what the
        #: bounds promise (at most ``workers`` and ``capacity``), shown in /metrics.
        self.peak_running = 0
        self.peak_held = 0

    @property
    def held(self) -> int:
        """Calls running or waiting now."""
        return self._held

    @property
    def running(self) -> int:
        """Calls running now (hashing)."""
        return self._running

    def submit(self, work: Callable[..., T], *args: object) -> Future[T]:
        """Start ``work(*args)`` in the pool; :class:`TooMany` when it and its queue are full.

        The slot is freed when the work ends, even if nobody waits for it any more.
        """
        with self._lock:
            if self._held >= self.capacity:
                self.refused += 1
                raise TooMany(
                    "the server is busy checking other sign-ins; try again in a second",
                    retry_after=1,
                )
            self._held += 1
            self.peak_held = max(self.peak_held, self._held)
        try:
            future = self._executor.submit(self._counted, work, *args)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _done: self._release())
        return future

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` in the pool, awaited from the event loop."""
        return await asyncio.wrap_future(self.submit(work, *args))

    def _counted(self, work: Callable[..., T], *args: object) -> T:
        with self._lock:
            self._running += 1
            self.peak_running = max(self.peak_running, self._running)
        try:
            return work(*args)
        finally:
            with self._lock:
                self._running -= 1
                self.done += 1

    def _release(self) -> None:
        with self._lock:
            self._held -= 1

    def close(self) -> None:
        """Finish the running work and stop the threads."""
        self._executor.shutdown(wait=True, cancel_futures=True)
