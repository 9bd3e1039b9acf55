"""Which bus a node uses: in-process by default, Redis when ``--redis-url`` is given.

With Redis the node also claims its own range of avatar ids, shares resume
tokens with the other nodes; everything is released when the node stops. Sign-in
limits and the trust ledger are this node's own for now.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from metaexpo.bus.local import LocalBus
from metaexpo.bus.redis_bus import PartitionLease, RedisBus, RedisResumeRegistry
from metaexpo.config import Settings
from metaexpo.sync.bus import Bus
from metaexpo.sync.state import Partition
from metaexpo.trust.ledger import LocalTrustLedger, TrustLedger
from metaexpo.trust.limits import AttemptLimiter, LocalAttemptLimiter


@dataclass(frozen=True, slots=True)
class NodeBus:
    """The bus of this node and what comes with it."""

    bus: Bus
    partition: Partition | None
    resumes: RedisResumeRegistry | None
    redis: RedisBus | None
    ledger: TrustLedger
    limiter: AttemptLimiter


@contextlib.asynccontextmanager
async def node_bus(settings: Settings) -> AsyncIterator[NodeBus]:
    """Set up the node's bus for the app's lifetime."""
    if not settings.redis_url:
        yield NodeBus(
            LocalBus(settings.node_id), None, None, None, LocalTrustLedger(), LocalAttemptLimiter()
        )
        return
    bus = RedisBus(settings.redis_url, settings.node_id)
    lease = PartitionLease(bus.redis, settings.node_id, settings.node_slots)
    partition = await lease.claim()
    registry = RedisResumeRegistry(bus.redis, settings.resume_window_s)
    registry.start()
    bus.start()
    try:
        yield NodeBus(bus, partition, registry, bus, LocalTrustLedger(), LocalAttemptLimiter())
    finally:
        await bus.close()  # already closed by the hub on a normal shutdown; harmless twice
        await registry.close()
        await lease.release()
        with contextlib.suppress(Exception):
            await bus.redis.aclose()
