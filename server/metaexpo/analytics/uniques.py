"""Live unique-visitor counts: exact in one process, Redis HyperLogLog across nodes.

The dashboards show "unique visitors today" while the day goes on. On a
single node an exact set per scope answers; with Redis every node adds its
visitors to one HyperLogLog per scope and day (``PFADD``), and ``PFCOUNT``
answers for the union of all nodes, within HyperLogLog's standard error of
0.81 % (docs/analytics.md says what was measured). The durable figures of
the database (the export) are always exact: they count distinct visitor keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

#: HyperLogLog's standard error with Redis's 16,384 registers: 1.04 / sqrt(16384).
HLL_STANDARD_ERROR = 0.0081
#: The error the live counts stay within (three standard errors; tested on real Redis at
#: 1,000 to 200,000 visitors over three nodes, docs/analytics.md).
HLL_ERROR_BOUND = 3 * HLL_STANDARD_ERROR


class UniqueCounter(Protocol):
    """Counts distinct visitor keys per scope (e.g. ``2026-12-06:booth:retail-01``)."""

    #: True if counts are estimates (HyperLogLog), False if exact.
    approximate: bool

    def add(self, scope: str, visitors: Iterable[int]) -> None:
        """Note ``visitors`` in ``scope``; never blocks (a remote counter queues)."""

    async def counts(self, scopes: Sequence[str]) -> dict[str, int]:
        """The number of distinct visitors of each scope."""


class ExactUniques:
    """Exact counts in this process's memory (the single-node default)."""

    approximate = False

    def __init__(self) -> None:
        self._seen: dict[str, set[int]] = {}

    def add(self, scope: str, visitors: Iterable[int]) -> None:
        """Note ``visitors`` in ``scope``."""
        self._seen.setdefault(scope, set()).update(visitors)

    async def counts(self, scopes: Sequence[str]) -> dict[str, int]:
        """Distinct visitors per scope."""
        return {scope: len(self._seen.get(scope, ())) for scope in scopes}

    def forget_before(self, prefix: str) -> None:
        """Drop scopes that sort before ``prefix`` (earlier days)."""
        for scope in [s for s in self._seen if s < prefix]:
            del self._seen[scope]
