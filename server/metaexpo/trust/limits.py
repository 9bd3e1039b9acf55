"""Attempt limits: at most N attempts per key in a sliding window, taken atomically up front.

The limiter is asked *before* the guarded work (hashing a password) and
records the attempt in the same step, for every key at once or for none:
so thirty concurrent guesses against a limit of five get exactly five
checks, never "checked first, counted later". An attempt that turns out
not to count (the password was right, the server was too busy to check it)
is given back. The in-process :class:`LocalAttemptLimiter` serves one node;
the Redis one (:mod:`metaexpo.bus.redis_trust`) makes the limits
cluster-wide.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LimitRule:
    """At most ``limit`` attempts of ``key`` within ``window_s`` seconds."""

    key: str
    limit: int
    window_s: float


@dataclass(frozen=True, slots=True)
class Attempt:
    """An attempt recorded under ``rules`` (``token`` tells it apart for a give-back)."""

    rules: tuple[LimitRule, ...]
    token: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """No attempt was recorded: ``rule`` is full for another ``wait_s`` seconds."""

    rule: LimitRule
    wait_s: int


class AttemptLimiter(Protocol):
    """Sliding-window attempt counters shared by everyone who asks this limiter."""

    async def take(self, rules: Sequence[LimitRule]) -> Attempt | Refusal:
        """Record one attempt under every rule, or under none if any rule is full."""

    async def give_back(self, attempt: Attempt) -> None:
        """Forget ``attempt`` (it did not count after all)."""


def new_attempt(rules: Sequence[LimitRule]) -> Attempt:
    """An attempt with a fresh random token."""
    return Attempt(tuple(rules), secrets.token_hex(8))


class LocalAttemptLimiter:
    """:class:`AttemptLimiter` in this process's memory (thread-safe; bounded in keys)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._times: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()

    async def take(self, rules: Sequence[LimitRule]) -> Attempt | Refusal:
        """See :meth:`AttemptLimiter.take` (never waits: the lock is held for microseconds)."""
        return self.take_now(rules)

    async def give_back(self, attempt: Attempt) -> None:
        """See :meth:`AttemptLimiter.give_back`."""
        self.give_back_now(attempt)

    def take_now(self, rules: Sequence[LimitRule]) -> Attempt | Refusal:
        """:meth:`take` without an event loop (tests, threads)."""
        with self._lock:
            now = self._clock()
            worst: Refusal | None = None
            for rule in rules:
                times = self._prune(rule, now)
                if times is not None and len(times) >= rule.limit:
                    freed_at = times[len(times) - rule.limit][0] + rule.window_s
                    wait = max(1, math.ceil(freed_at - now))
                    if worst is None or wait > worst.wait_s:
                        worst = Refusal(rule, wait)
            if worst is not None:
                return worst
            attempt = new_attempt(rules)
            for rule in rules:
                times = self._times.get(rule.key)
                if times is None:
                    if len(self._times) >= self._max_keys:
                        self._evict(now, rules)
                    times = self._times.setdefault(rule.key, deque())
                times.append((now, attempt.token))
            return attempt

    def give_back_now(self, attempt: Attempt) -> None:
        """:meth:`give_back` without an event loop."""
        with self._lock:
            for rule in attempt.rules:
                times = self._times.get(rule.key)
                if times is None:
                    continue
                kept = deque(t for t in times if t[1] != attempt.token)
                if kept:
                    self._times[rule.key] = kept
                else:
                    del self._times[rule.key]

    def count(self, key: str) -> int:
        """Attempts of ``key`` still inside their window (for tests and metrics)."""
        with self._lock:
            times = self._times.get(key)
            return 0 if times is None else len(times)

    def _prune(self, rule: LimitRule, now: float) -> deque[tuple[float, str]] | None:
        times = self._times.get(rule.key)
        if times is None:
            return None
        while times and times[0][0] <= now - rule.window_s:
            times.popleft()
        if not times:
            del self._times[rule.key]
            return None
        return times

    def _evict(self, now: float, rules: Sequence[LimitRule]) -> None:
        # Bounded memory under a flood of distinct keys: drop the least recently used ones.
        # (Their windows are unknown here; the longest window asked for now bounds them.)
        window = max(rule.window_s for rule in rules)
        for key in [k for k, t in self._times.items() if t[-1][0] <= now - window]:
            del self._times[key]
        while len(self._times) >= self._max_keys:
            oldest = min(self._times, key=lambda k: self._times[k][-1][0])
            del self._times[oldest]
