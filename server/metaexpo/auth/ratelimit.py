"""Failed sign-in limits: at most N failures per key (an address, an account) in a sliding window.

In memory, per node: with several nodes each one counts on its own (an
attacker gets N per node per window, still far too few to guess a
password). Only failures count; a success does not reset the window, so
alternating right and wrong passwords gains nothing. Thread-safe: sign-ins
run in worker threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """Counts failures per key; ``blocked(key)`` says for how long a key must wait."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        assert limit >= 1 and window_s > 0
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (0: it may try now)."""
        with self._lock:
            now = self._clock()
            times = self._prune(key, now)
            if times is None or len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.window_s - now))

    def fail(self, key: str) -> None:
        """Record one failure of ``key``."""
        with self._lock:
            now = self._clock()
            times = self._prune(key, now)
            if times is None:
                if len(self._failures) >= self._max_keys:
                    self._evict(now)
                times = self._failures.setdefault(key, deque())
            times.append(now)
            while len(times) > self.limit:
                times.popleft()

    def _prune(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _evict(self, now: float) -> None:
        # Bounded memory under a flood of distinct keys: drop expired keys, then the oldest.
        for key in list(self._failures):
            self._prune(key, now)
        while len(self._failures) >= self._max_keys:
            oldest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[oldest]
