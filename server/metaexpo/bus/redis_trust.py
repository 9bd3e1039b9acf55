"""Trust shared by every node through Redis: attempt limits and the trust ledger.

* :class:`RedisAttemptLimiter` keeps each key's attempts in a sorted set
  (score: Redis's own clock, so nodes' clocks need not agree) and takes an
  attempt for every key at once in one Lua script, or for none.
* :class:`RedisTrustLedger` keeps each entry as a key that expires with it
  (``<prefix>trust:<kind>:<key>``) and announces every write and lift on one
  channel (``<prefix>trust``). Each node mirrors the entries in memory, so
  reads never wait: it loads them all at start, applies what the channel
  announces (its own writes apply at once, before Redis is asked), and loads
  them all again every ``resync_s`` and after losing the connection, so a
  message missed during an outage is caught up with.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from metaexpo.errors import Busy
from metaexpo.trust.ledger import ENTRY_KINDS, EntryKind, Listener, Mirror, TrustEntry
from metaexpo.trust.limits import Attempt, LimitRule, Refusal, new_attempt

log = logging.getLogger(__name__)

# KEYS: the rules' keys. ARGV: the attempt's token, then limit and window (ms) per key.
# Returns {0, 0} when the attempt was recorded under every key, else {index of the key that
# is full for longest, milliseconds until it frees a place}. Redis's clock (TIME) is the one
# clock, so nodes that disagree about the time still count alike.
_TAKE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worst, wait = 0, 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local first = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    local w = tonumber(first[2]) + window - now
    if w > wait or worst == 0 then worst, wait = i, w end
  end
end
if worst > 0 then return {worst, wait} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return {0, 0}
"""


class RedisAttemptLimiter:
    """:class:`~metaexpo.trust.limits.AttemptLimiter` shared by every node of one Redis."""

    def __init__(self, redis: aioredis.Redis, prefix: str = "metaexpo:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_TAKE)

    def _key(self, rule: LimitRule) -> str:
        return f"{self.prefix}limit:{rule.key}"

    async def take(self, rules: Sequence[LimitRule]) -> Attempt | Refusal:
        """Record one attempt under every rule, or none; :class:`Busy` if Redis is unreachable
        (failing closed: a limit nobody can count is not given away)."""
        attempt = new_attempt(rules)
        args: list[Any] = [attempt.token]
        for rule in rules:
            args += [rule.limit, max(1, round(rule.window_s * 1000))]
        try:
            worst, wait_ms = await self._script(keys=[self._key(r) for r in rules], args=args)
        except (RedisError, OSError) as exc:
            log.warning("sign-in limits unavailable (Redis): %s", exc)
            raise Busy("sign-in is unavailable for a moment; try again shortly", 5) from None
        if int(worst):
            return Refusal(rules[int(worst) - 1], max(1, -(-int(wait_ms) // 1000)))
        return attempt

    async def give_back(self, attempt: Attempt) -> None:
        """Remove the attempt from every key it was recorded under."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for rule in attempt.rules:
                    pipe.zrem(self._key(rule), attempt.token)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("could not give a sign-in attempt back (Redis): %s", exc)


class RedisTrustLedger(Mirror):
    """:class:`~metaexpo.trust.ledger.TrustLedger` shared by every node of one Redis."""

    def __init__(
        self,
        redis: aioredis.Redis,
        node_id: str,
        *,
        prefix: str = "metaexpo:",
        resync_s: float = 15.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock or time.time)
        self.redis = redis
        self.node_id = node_id
        self.prefix = prefix
        self.channel = f"{prefix}trust"
        self.resync_s = resync_s
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}trust:{kind}:{key}"

    # --- writes --------------------------------------------------------------------------------

    async def put(self, entry: TrustEntry) -> None:
        """See :meth:`~metaexpo.trust.ledger.TrustLedger.put`."""
        self.apply(entry)
        ttl_ms = int((entry.until - self.clock()) * 1000)
        if ttl_ms <= 0:
            return
        data = orjson.dumps(entry.to_json())
        message = orjson.dumps({"node": self.node_id, "op": "put", "entry": entry.to_json()})
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self._key(entry.kind, entry.key), data, px=ttl_ms)
                pipe.publish(self.channel, message)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("trust entry %s %s held here only: %s", entry.kind, entry.key, exc)
            raise Busy(
                "this was done on this server, but the others could not be told; try again", 5
            ) from None

    async def lift(self, kind: EntryKind, key: str) -> None:
        """See :meth:`~metaexpo.trust.ledger.TrustLedger.lift`."""
        self.remove(kind, key)
        message = orjson.dumps({"node": self.node_id, "op": "lift", "kind": kind, "key": key})
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._key(kind, key))
                pipe.publish(self.channel, message)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("trust entry %s %s lifted here only: %s", kind, key, exc)
            raise Busy(
                "this was done on this server, but the others could not be told; try again", 5
            ) from None

    # --- reading the channel -------------------------------------------------------------------

    def start(self) -> None:
        """Load every entry and follow the channel (inside the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._follow(), name="trust-ledger")

    async def ready(self, timeout: float) -> bool:
        """Wait until the first full load is done (False if Redis did not answer in time)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)
        return self._ready.is_set()

    async def _load_all(self) -> list[TrustEntry]:
        keys = [k async for k in self.redis.scan_iter(match=f"{self.prefix}trust:*", count=500)]
        entries = []
        for start in range(0, len(keys), 500):
            for raw in await self.redis.mget(keys[start : start + 500]):
                if raw is None:
                    continue
                with contextlib.suppress(ValueError, orjson.JSONDecodeError):
                    entries.append(TrustEntry.from_json(orjson.loads(raw)))
        return entries

    def _on_message(self, raw: bytes) -> None:
        try:
            msg = orjson.loads(raw)
            if msg.get("node") == self.node_id:
                return  # applied when it was written
            if msg.get("op") == "put":
                self.apply(TrustEntry.from_json(msg["entry"]))
            elif msg.get("op") == "lift" and msg.get("kind") in ENTRY_KINDS:
                self.remove(msg["kind"], str(msg.get("key", "")))
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            log.warning("ignored a malformed trust ledger message")

    async def _follow(self) -> None:
        backoff = 0.1
        loop = asyncio.get_running_loop()
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                # Subscribed first, then loaded: nothing written in between is missed.
                self.replace_all(await self._load_all())
                self._ready.set()
                backoff = 0.1
                next_sync = loop.time() + self.resync_s
                while True:
                    msg = await pubsub.get_message(timeout=0.5)
                    if msg is not None and msg.get("type") == "message":
                        self._on_message(bytes(msg["data"]))
                    if loop.time() >= next_sync:
                        self.replace_all(await self._load_all())
                        self.purge()
                        next_sync = loop.time() + self.resync_s
            except (RedisError, OSError) as exc:
                log.warning("trust ledger: Redis unreachable (%s); retrying", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def close(self) -> None:
        """Stop following the channel."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["Listener", "RedisAttemptLimiter", "RedisTrustLedger"]
