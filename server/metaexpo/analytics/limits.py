"""Token buckets per key: how often one visitor may send reach messages or leave cards."""

from __future__ import annotations

import time
from collections.abc import Callable


class Buckets:
    """A token bucket per key: ``burst`` at once, refilled at ``per_minute``."""

    def __init__(
        self, burst: float, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        assert burst >= 1 and per_minute > 0, "a bucket holds at least one token and refills"
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[object, tuple[float, float]] = {}

    def take(self, key: object) -> bool:
        """Take a token for ``key``; False if its bucket is empty (refused)."""
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 50_000:
            self._forget_full(now)
        return True

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (their keys are as good as new)."""
        full = [
            k for k, (t, at) in self._buckets.items() if t + (now - at) * self.rate >= self.burst
        ]
        for k in full:
            del self._buckets[k]
