"""Live unique visitors across nodes on a real Redis: three nodes' HyperLogLogs count the union of
their visitors (a visitor seen by two nodes once) within the documented error bound, and the
single-process counter is exact."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from metaexpo.analytics.uniques import HLL_ERROR_BOUND, ExactUniques
from metaexpo.analytics.visitors import KEY_BITS
from metaexpo.bus.reach_uniques import RedisUniques
from tests.bus.test_redis_nodes_live import RedisServer

pytestmark = pytest.mark.integration

SIZES = (1_000, 10_000, 200_000)


def visitors(n: int, seed: int) -> list[int]:
    """``n`` distinct visitor keys like the server's (positive 63-bit numbers)."""
    rng = random.Random(seed)
    keys: set[int] = set()
    while len(keys) < n:
        keys.add(rng.getrandbits(KEY_BITS) or 1)
    return sorted(keys)


def shares(keys: list[int], nodes: int, seed: int) -> list[list[int]]:
    """Each key to one node, and a fifth of them to a second node too (a visitor who moved)."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(nodes)]
    for key in keys:
        first = rng.randrange(nodes)
        out[first].append(key)
        if rng.random() < 0.2:
            out[(first + 1 + rng.randrange(nodes - 1)) % nodes].append(key)
    return out


async def count_on_three_nodes(url: str, keys: list[int], scope: str) -> int:
    clients = [aioredis.Redis.from_url(url) for _ in range(3)]
    try:
        nodes = [RedisUniques(client, ttl_s=3600) for client in clients]
        for node, share in zip(nodes, shares(keys, 3, seed=len(keys)), strict=True):
            node.add(scope, share)
        await asyncio.gather(*(node.flush() for node in nodes))
        assert all(node.errors == 0 for node in nodes)
        counted = await nodes[0].counts([scope])
        return counted[scope]
    finally:
        for client in clients:
            await client.aclose()


def test_three_nodes_count_the_union_within_the_documented_bound(tmp_path: Path) -> None:
    server = RedisServer(tmp_path).start()
    try:
        for n in SIZES:
            keys = visitors(n, seed=n)
            estimate = asyncio.run(count_on_three_nodes(server.url, keys, f"day:booth:b{n}"))
            error = abs(estimate - n) / n
            assert error <= HLL_ERROR_BOUND, f"{n} visitors counted as {estimate} ({error:.2%})"
    finally:
        server.stop()


def test_one_process_counts_exactly() -> None:
    counter = ExactUniques()
    keys = visitors(50_000, seed=3)
    for share in shares(keys, 3, seed=4):
        counter.add("day:hall:main", share)
    assert asyncio.run(counter.counts(["day:hall:main"])) == {"day:hall:main": 50_000}
