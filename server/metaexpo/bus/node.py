"""Which bus a node uses: in-process by default, Redis when ``--redis-url`` is given.

With Redis the node also claims its own range of avatar ids, shares resume
tokens with the other nodes, and shares trust (sign-in limits and the trust
ledger: revocations, bans, mutes) with them; everything is released when the
node stops. Without it the same interfaces are served in this process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from metaexpo.bus.local import LocalBus
from metaexpo.bus.redis_bus import PartitionLease, RedisBus, RedisResumeRegistry
from metaexpo.bus.redis_trust import RedisAttemptLimiter, RedisTrustLedger
from metaexpo.config import Settings
from metaexpo.sync.bus import Bus
from metaexpo.sync.state import Partition
from metaexpo.trust.ledger import LocalTrustLedger, TrustLedger
from metaexpo.trust.limits import AttemptLimiter, LocalAttemptLimiter

log = logging.getLogger(__name__)
#: How long a starting node waits for the trust ledger's first load before serving anyway.
LEDGER_LOAD_S = 5.0


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
    ledger = RedisTrustLedger(bus.redis, settings.node_id)
    ledger.start()
    if not await ledger.ready(LEDGER_LOAD_S):
        log.warning("the trust ledger is not loaded yet (Redis slow); bans may lag a moment")
    bus.start()
    try:
        yield NodeBus(bus, partition, registry, bus, ledger, RedisAttemptLimiter(bus.redis))
    finally:
        await bus.close()  # already closed by the hub on a normal shutdown; harmless twice
        await registry.close()
        await ledger.close()
        await lease.release()
        with contextlib.suppress(Exception):
            await bus.redis.aclose()
