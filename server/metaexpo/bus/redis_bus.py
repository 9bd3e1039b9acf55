"""The Redis bus: one hall across several nodes through Redis pub/sub.

Each room is a channel (``<prefix>room:<id>``). ``publish`` only appends to a
bounded queue — the tick never waits for Redis — and a writer task sends the
queue in pipelined batches. A reader task delivers other nodes' messages to
the rooms. When Redis goes away both tasks retry with backoff; the queue
stays bounded (oldest messages are dropped and counted) and the rooms keep
serving their own clients, seeing other nodes go stale and then vanish,
until Redis returns and the next full-state messages resynchronise them.

The same connection also holds this node's lease on a wire-slot partition
(so avatar ids never collide between nodes) and the shared resume tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from metaexpo.sync.bus import MessageHandler
from metaexpo.sync.state import WIRE_SLOTS, Partition

log = logging.getLogger(__name__)
_BACKOFF_MIN = 0.1
_BACKOFF_MAX = 2.0


@dataclass
class RedisBusStats:
    """What the bus did, for /metrics."""

    published: int = 0
    published_bytes: int = 0
    received: int = 0
    dropped: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    outages: int = 0
    connected: bool = False


class RedisBus:
    """:class:`~metaexpo.sync.bus.Bus` over Redis pub/sub."""

    def __init__(
        self, url: str, node_id: str, *, prefix: str = "metaexpo:", queue_limit: int = 512
    ) -> None:
        self.url = url
        self.node_id = node_id
        self.prefix = prefix
        self.queue_limit = queue_limit
        self.redis: aioredis.Redis = aioredis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=5
        )
        self.stats = RedisBusStats()
        self._queue: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._handlers: dict[str, MessageHandler] = {}
        self._resubscribe = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    def channel(self, room_id: str) -> str:
        """The pub/sub channel of a room."""
        return f"{self.prefix}room:{room_id}"

    @property
    def has_peers(self) -> bool:
        """Other nodes may listen: always publish while the bus is open."""
        return not self._closed

    def start(self) -> None:
        """Start the writer and reader tasks (inside the running loop)."""
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._writer(), name="redis-bus-writer"),
            loop.create_task(self._reader(), name="redis-bus-reader"),
        ]

    # --- Bus interface ---------------------------------------------------------------------

    def publish(self, room_id: str, payload: bytes) -> None:
        """Queue ``payload`` for the room's channel; never blocks, never raises."""
        if self._closed:
            return
        if len(self._queue) >= self.queue_limit:
            self._queue.popleft()
            self.stats.dropped += 1
        self._queue.append((self.channel(room_id), payload))
        self._wake.set()

    def subscribe(self, room_id: str, handler: MessageHandler) -> None:
        """Deliver other nodes' messages of ``room_id`` to ``handler``."""
        self._handlers[self.channel(room_id)] = handler
        self._resubscribe.set()

    def unsubscribe(self, room_id: str) -> None:
        """Stop delivering messages of ``room_id``."""
        self._handlers.pop(self.channel(room_id), None)
        self._resubscribe.set()

    async def close(self) -> None:
        """Stop publishing and receiving (the connection is closed by its owner, node_bus)."""
        self._closed = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- tasks -----------------------------------------------------------------------------

    def _went(self, up: bool, what: str, exc: BaseException | None = None) -> None:
        if self.stats.connected and not up:
            self.stats.outages += 1
            log.warning("Redis unreachable (%s): %s; serving local clients only", what, exc)
        elif up and not self.stats.connected:
            log.info("Redis reachable again (%s)", what)
        self.stats.connected = up

    async def _writer(self) -> None:
        backoff = _BACKOFF_MIN
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            while self._queue and not self._closed:
                batch = [self._queue.popleft() for _ in range(min(len(self._queue), 256))]
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for chan, payload in batch:
                            pipe.publish(chan, payload)
                        await pipe.execute()
                except (RedisError, OSError) as exc:
                    self.stats.errors["publish"] += 1
                    self._went(False, "publish", exc)
                    # Keep what fits (newest first matters least: full states follow soon).
                    for item in reversed(batch):
                        if len(self._queue) < self.queue_limit:
                            self._queue.appendleft(item)
                        else:
                            self.stats.dropped += 1
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, _BACKOFF_MAX)
                    continue
                backoff = _BACKOFF_MIN
                self._went(True, "publish")
                self.stats.published += len(batch)
                self.stats.published_bytes += sum(len(p) for _, p in batch)

    async def _reader(self) -> None:
        backoff = _BACKOFF_MIN
        while not self._closed:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                # Channels are added to and taken from the one subscription as rooms come and
                # go: closing it to subscribe anew would lose what is published meanwhile.
                subscribed: set[str] = set()
                self._resubscribe.set()
                while not self._closed:
                    if self._resubscribe.is_set():
                        self._resubscribe.clear()
                        wanted = set(self._handlers)
                        if wanted - subscribed:
                            await pubsub.subscribe(*(wanted - subscribed))
                        if subscribed - wanted:
                            await pubsub.unsubscribe(*(subscribed - wanted))
                        subscribed = wanted
                        self._went(True, "subscribe")
                        backoff = _BACKOFF_MIN
                    if not subscribed:
                        await self._resubscribe.wait()
                        continue
                    msg = await pubsub.get_message(timeout=0.5)
                    if msg is None or msg.get("type") != "message":
                        continue
                    handler = self._handlers.get(msg["channel"].decode())
                    if handler is not None:
                        self.stats.received += 1
                        handler(bytes(msg["data"]))
            except (RedisError, OSError) as exc:
                self.stats.errors["subscribe"] += 1
                self._went(False, "subscribe", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()


class PartitionLease:
    """This node's exclusive claim on a range of wire slots, kept alive in Redis."""

    def __init__(
        self,
        redis: aioredis.Redis,
        node_id: str,
        size: int,
        prefix: str = "metaexpo:",
        ttl_s: int = 15,
    ) -> None:
        assert WIRE_SLOTS % size == 0, "the partition size must divide 65,536"
        self.redis = redis
        self.node_id = node_id
        self.size = size
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.index: int | None = None
        self._task: asyncio.Task[None] | None = None

    def _key(self, index: int) -> str:
        return f"{self.prefix}partition:{index}"

    async def claim(self) -> Partition:
        """Take the first free partition (raises RuntimeError if every one is taken)."""
        for index in range(WIRE_SLOTS // self.size):
            if await self.redis.set(self._key(index), self.node_id, nx=True, ex=self.ttl_s):
                self.index = index
                self._task = asyncio.get_running_loop().create_task(self._renew())
                log.info(
                    "node %s holds wire slots %d..%d",
                    self.node_id,
                    index * self.size,
                    (index + 1) * self.size - 1,
                )
                return Partition(index * self.size, self.size)
        raise RuntimeError(f"all {WIRE_SLOTS // self.size} wire-slot partitions are taken")

    async def _renew(self) -> None:
        assert self.index is not None
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            with contextlib.suppress(RedisError, OSError):
                owner = await self.redis.get(self._key(self.index))
                if owner in (None, self.node_id.encode()):
                    await self.redis.set(self._key(self.index), self.node_id, ex=self.ttl_s)
                else:
                    log.error("wire-slot partition %d was taken by %s", self.index, owner)

    async def release(self) -> None:
        """Give the partition back (on shutdown)."""
        if self._task is not None:
            self._task.cancel()
        if self.index is not None:
            with contextlib.suppress(RedisError, OSError):
                if await self.redis.get(self._key(self.index)) == self.node_id.encode():
                    await self.redis.delete(self._key(self.index))


class RedisResumeRegistry:
    """Resume tokens in Redis, alive while their node holds the avatar, then ``ttl_s`` more."""

    def __init__(self, redis: aioredis.Redis, ttl_s: float, prefix: str = "metaexpo:") -> None:
        self.redis = redis
        self.ttl_s = max(1, round(ttl_s))
        self.prefix = prefix
        self.held: dict[str, bytes] = {}
        self._dirty: set[str] = set()
        self._gone: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _key(self, token: str) -> str:
        return f"{self.prefix}resume:{token}"

    def start(self) -> None:
        """Start writing tokens and refreshing them (inside the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._sync())

    def remember(self, token: str, record: dict[str, Any]) -> None:
        """Make ``token`` resolvable by every node."""
        self.held[token] = orjson.dumps(record)
        self._dirty.add(token)
        self._gone.discard(token)
        self._wake.set()

    def forget(self, token: str) -> None:
        """The token was rotated or its avatar left."""
        if self.held.pop(token, None) is not None:
            self._gone.add(token)
            self._dirty.discard(token)
            self._wake.set()

    async def lookup(self, token: str) -> dict[str, Any] | None:
        """The record of ``token`` from any node, or None."""
        if len(token) > 128:
            return None
        raw = await self.redis.get(self._key(token))
        return dict(orjson.loads(raw)) if raw else None

    async def _sync(self) -> None:
        """Write new tokens at once, and refresh all held ones every third of the TTL."""
        loop = asyncio.get_running_loop()
        next_refresh = loop.time() + self.ttl_s / 3
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_refresh - loop.time()))
            self._wake.clear()
            refresh = loop.time() >= next_refresh
            dirty = set(self.held) if refresh else self._dirty
            gone = self._gone
            self._dirty, self._gone = set(), set()
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for token in dirty:
                        if token in self.held:
                            pipe.set(self._key(token), self.held[token], ex=self.ttl_s)
                    for token in gone:
                        pipe.delete(self._key(token))
                    await pipe.execute()
            except (RedisError, OSError):
                self._dirty |= dirty  # try again later
                self._gone |= gone
                await asyncio.sleep(0.5)
            if refresh:
                next_refresh = loop.time() + self.ttl_s / 3

    async def close(self) -> None:
        """Stop refreshing (held tokens expire by themselves)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
