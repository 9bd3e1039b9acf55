"""Live unique visitors across nodes: one Redis HyperLogLog per scope and day.

Every node adds its visitors' keys to ``metaexpo:reach:hll:<scope>`` with
``PFADD`` (batched: :meth:`RedisUniques.flush` sends what :meth:`add` queued in
one pipeline); ``PFCOUNT`` of a key counts the union of what every node
added, within HyperLogLog's standard error of 0.81 % (Redis uses 16,384
registers). Keys expire ``ttl_s`` after their last write. A Redis outage
loses live counts only: the database keeps the exact ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: Largest batch of keys per PFADD.
_BATCH = 1000


class RedisUniques:
    """:class:`~metaexpo.analytics.uniques.UniqueCounter` over Redis HyperLogLog."""

    approximate = True

    def __init__(
        self, redis: aioredis.Redis, ttl_s: float, prefix: str = "metaexpo:reach:hll:"
    ) -> None:
        self.redis = redis
        self.ttl_s = int(ttl_s)
        self.prefix = prefix
        self._pending: dict[str, set[int]] = {}
        self.errors = 0

    def add(self, scope: str, visitors: Iterable[int]) -> None:
        """Queue ``visitors`` for ``scope`` (sent by the next :meth:`flush`)."""
        self._pending.setdefault(scope, set()).update(visitors)

    async def flush(self) -> None:
        """Send the queued keys in one pipeline (kept for the next try if Redis fails)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for scope, keys in pending.items():
                    ordered = sorted(keys)
                    for start in range(0, len(ordered), _BATCH):
                        pipe.pfadd(self.prefix + scope, *ordered[start : start + _BATCH])
                    pipe.expire(self.prefix + scope, self.ttl_s)
                await pipe.execute()
        except (RedisError, OSError):
            self.errors += 1
            for scope, keys in pending.items():
                self._pending.setdefault(scope, set()).update(keys)
            log.warning("reach: Redis did not take the unique visitors; trying again later")

    async def counts(self, scopes: Sequence[str]) -> dict[str, int]:
        """Estimated distinct visitors per scope (0 while Redis is away)."""
        if not scopes:
            return {}
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for scope in scopes:
                    pipe.pfcount(self.prefix + scope)
                answers = await pipe.execute()
        except (RedisError, OSError):
            self.errors += 1
            return dict.fromkeys(scopes, 0)
        return {scope: int(n) for scope, n in zip(scopes, answers, strict=True)}
