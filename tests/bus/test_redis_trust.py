"""The Redis trust ledger and attempt limiter against a real redis-server: what one node writes,
every node mirrors; what a node missed while Redis was away, it catches up with."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import orjson
import pytest
import redis.asyncio as aioredis

from metaexpo.bus.redis_trust import RedisAttemptLimiter, RedisTrustLedger
from metaexpo.errors import Busy
from metaexpo.trust.ledger import TrustEntry
from metaexpo.trust.limits import Attempt, LimitRule, Refusal
from tests.bus.test_redis_nodes_live import RedisServer
from tests.conftest import TIME_FACTOR
from tests.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
async def connection(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_server.url, socket_timeout=2, socket_connect_timeout=2)
    yield client
    await client.aclose()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    await eventually(condition, what="the awaited state", timeout=timeout)


async def started(
    connection: aioredis.Redis, node: str, resync_s: float = 15.0
) -> RedisTrustLedger:
    ledger = RedisTrustLedger(connection, node, resync_s=resync_s)
    ledger.start()
    assert await ledger.ready(5 * TIME_FACTOR)
    return ledger


async def test_an_entry_written_on_one_node_reaches_the_others_and_their_listeners(
    connection: aioredis.Redis,
) -> None:
    a, b = await started(connection, "a"), await started(connection, "b")
    heard: list[tuple[str, bool]] = []
    b.listen(lambda entry, lifted: heard.append((entry.key, lifted)))
    await a.put(TrustEntry("ban", "guest-1", time.time() + 60, "spam"))
    assert a.get("ban", "guest-1") is not None, "the writer has it before put returns"
    await until(lambda: b.get("ban", "guest-1") is not None)
    assert heard == [("guest-1", False)]
    await b.lift("ban", "guest-1")
    await until(lambda: a.get("ban", "guest-1") is None)
    assert heard[-1] == ("guest-1", True)
    await a.close()
    await b.close()


async def test_a_node_that_starts_later_loads_what_is_in_force(
    connection: aioredis.Redis,
) -> None:
    a = await started(connection, "a")
    await a.put(TrustEntry("token", "t-1", time.time() + 60, "signed out"))
    await a.put(TrustEntry("token", "t-2", time.time() + 0.2, "soon over"))
    await until(lambda: a.get("token", "t-2") is None)
    late = await started(connection, "late")
    assert late.get("token", "t-1") is not None
    assert late.get("token", "t-2") is None, "Redis let the expired entry go"
    await a.close()
    await late.close()


async def test_an_announcement_a_node_missed_is_caught_up_with_at_its_next_resync(
    connection: aioredis.Redis,
) -> None:
    b = await started(connection, "b", resync_s=0.3)
    entry = TrustEntry("mute", "guest-2", time.time() + 60, "rude")
    # In Redis, but its announcement lost (as while b's subscription was down):
    await connection.set("metaexpo:trust:mute:guest-2", orjson.dumps(entry.to_json()), px=60_000)
    await until(lambda: b.get("mute", "guest-2") is not None)
    await b.close()


async def test_a_write_while_redis_is_away_holds_here_and_says_so(
    redis_server: RedisServer, connection: aioredis.Redis
) -> None:
    a = await started(connection, "a")
    redis_server.stop()
    with pytest.raises(Busy):
        await a.put(TrustEntry("ban", "guest-3", time.time() + 60, "spam"))
    assert a.get("ban", "guest-3") is not None, "this node enforces it meanwhile"
    await a.close()


async def test_concurrent_attempts_on_two_nodes_get_exactly_the_limit(
    connection: aioredis.Redis,
) -> None:
    a, b = RedisAttemptLimiter(connection), RedisAttemptLimiter(connection)
    rule = LimitRule("acct:someone", 5, 60.0)
    results = await asyncio.gather(*((a if i % 2 else b).take([rule]) for i in range(30)))
    taken = [r for r in results if isinstance(r, Attempt)]
    assert len(taken) == 5
    refusals = [r for r in results if isinstance(r, Refusal)]
    assert all(0 < r.wait_s <= 60 for r in refusals)
    await a.give_back(taken[0])
    assert isinstance(await b.take([rule]), Attempt), "a given-back attempt frees its place"


async def test_an_attempt_counts_under_every_key_or_none(connection: aioredis.Redis) -> None:
    limiter = RedisAttemptLimiter(connection)
    full, other = LimitRule("acct:x", 1, 60.0), LimitRule("addr:y", 10, 60.0)
    assert isinstance(await limiter.take([full]), Attempt)
    refused = await limiter.take([other, full])
    assert isinstance(refused, Refusal) and refused.rule == full
    assert await connection.zcard("metaexpo:limit:addr:y") == 0


async def test_without_redis_sign_in_limits_fail_closed(
    redis_server: RedisServer, connection: aioredis.Redis
) -> None:
    limiter = RedisAttemptLimiter(connection)
    redis_server.stop()
    with pytest.raises(Busy):
        await limiter.take([LimitRule("acct:z", 5, 60.0)])
