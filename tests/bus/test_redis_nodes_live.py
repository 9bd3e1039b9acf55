"""One hall across several node processes joined by a real Redis on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis

from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import AvatarFlag, ServerFrame, record_ids
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric

pytestmark = pytest.mark.integration
ORIGIN = np.array([-128.0, 0.0, -128.0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A throwaway redis-server on a free loopback port."""

    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail(
                "redis-server is not installed: run scripts/bootstrap test (apt redis-server)"
            )
        self.exe = exe
        self.tmp = tmp
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                self.exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path).start()
    yield srv
    srv.stop()


@contextlib.contextmanager
def nodes(tmp: Path, redis_url: str, n: int, *extra: str) -> Iterator[list[ServerProcess]]:
    procs = []
    try:
        for i in range(n):
            d = tmp / f"node{i}"
            d.mkdir()
            procs.append(
                ServerProcess(d, "--redis-url", redis_url, "--node-id", f"node{i}", *extra).start()
            )
        yield procs
    finally:
        for p in procs:
            if p.proc is not None and p.proc.poll() is None:
                p.stop()


def pos_of(frame: ServerFrame, aid: int) -> np.ndarray | None:
    ids = record_ids(frame.desktop).tolist()
    if aid not in ids:
        return None
    return q.dequantise_position(frame.desktop[ids.index(aid)]["pos"], ORIGIN)


async def join_at(node: ServerProcess, name: str, x: float, z: float) -> Client:
    c = await Client.connect(node.ws)
    await c.join(name)
    await c.teleport(x, z)
    return c


async def test_visitors_on_three_nodes_see_move_and_name_each_other(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 3) as ns:
        clients = [await join_at(n, f"v{i}", 20.0 + i, 20.0) for i, n in enumerate(ns)]
        await asyncio.sleep(0.5)
        for mover in clients:
            target = np.array(await mover.move(0.3))
            aid = mover.welcome["id"]
            for watcher in clients:
                if watcher is mover:
                    continue
                await watcher.frame_where(
                    lambda f, aid=aid, target=target: (
                        (p := pos_of(f, aid)) is not None
                        and bool(np.linalg.norm(p - target) < 0.01)
                    ),
                    timeout=5,
                )
        a, c = clients[0], clients[2]
        await a.send_json({"type": "who", "ids": [c.welcome["id"]]})
        roster = await a.expect("roster")
        assert roster["join"][0]["name"] == "v2"
        await c.send_json({"type": "chat", "text": "跨节点 hello"})
        chat = await a.expect("chat")
        assert chat["messages"][0]["text"] == "跨节点 hello"
        ids = {cl.welcome["id"] for cl in clients}
        assert len(ids) == 3  # each node hands out ids from its own partition
        for cl in clients:
            await cl.close()


async def test_interest_management_holds_across_nodes(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 2) as ns:
        near = await join_at(ns[0], "near", -100.0, -100.0)
        far = await join_at(ns[1], "far", 100.0, 100.0)
        await near.collect(1.5)
        await far.move(0.2)
        await near.collect(1.5)
        seen = {int(i) for f in near.frames for i in record_ids(f.desktop)}
        assert far.welcome["id"] not in seen
        crowd = [f for f in near.frames if len(f.crowd)]
        assert crowd, "the far avatar on the other node shows in the crowd layer"
        await near.close()
        await far.close()


async def test_killed_node_vanishes_within_3_s_and_its_visitor_resumes_elsewhere(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 2) as (a_node, b_node):
        victim = await join_at(a_node, "victim", 30.0, -30.0)
        watcher = await join_at(b_node, "watcher", 31.0, -30.0)
        await asyncio.sleep(0.4)
        target = np.array(await victim.move(0.4))
        vid, token = victim.welcome["id"], victim.welcome["resume"]
        await watcher.frame_where(
            lambda f: (p := pos_of(f, vid)) is not None and bool(np.linalg.norm(p - target) < 0.01)
        )
        killed_at = time.monotonic()
        a_node.kill()
        await watcher.frame_where(lambda f: vid in record_ids(f.gone).tolist(), timeout=6)
        assert time.monotonic() - killed_at <= 3.0 * TIME_FACTOR + 0.5
        assert metric(b_node.metrics(), "metaexpo_bus_nodes_dropped_total") >= 1
        again = await Client.connect(b_node.ws)
        welcome = await again.join("victim", resume=token)
        assert welcome["resumed"] is True
        assert welcome["id"] == vid
        assert np.allclose(welcome["pose"]["position"], target, atol=0.01)
        await watcher.frame_where(lambda f: vid in record_ids(f.desktop).tolist())
        await again.close()
        await watcher.close()


async def test_redis_outage_keeps_local_sync_and_cross_node_sync_returns(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 2) as (a_node, b_node):
        a1 = await join_at(a_node, "a1", 50.0, 50.0)
        a2 = await join_at(a_node, "a2", 51.0, 50.0)
        b1 = await join_at(b_node, "b1", 50.5, 51.0)
        await asyncio.sleep(0.5)
        redis_server.stop()
        await asyncio.sleep(1.0)
        # During the outage: same-node visitors keep syncing; the other node's avatar goes
        # stale, then away; nobody is disconnected.
        for _ in range(3):
            target = np.array(await a1.move(0.1))
            await a2.frame_where(
                lambda f, target=target: (
                    (p := pos_of(f, a1.welcome["id"])) is not None
                    and bool(np.linalg.norm(p - target) < 0.01)
                ),
                timeout=3,
            )
            await asyncio.sleep(1.0)
        b_slot = b1.welcome["id"] & 0xFFFF
        went_stale = any(
            r["flags"] & AvatarFlag.AWAY
            for f in a2.frames
            for r in f.desktop
            if r["slot"] == b_slot
        )
        went_away = any(b1.welcome["id"] in record_ids(f.gone).tolist() for f in a2.frames)
        assert went_stale and went_away, "the other node's avatar was shown stale, then removed"
        await asyncio.sleep(5.0)  # 10 s in all
        assert a_node.proc is not None and a_node.proc.poll() is None
        assert b_node.proc is not None and b_node.proc.poll() is None
        assert metric(a_node.metrics(), "metaexpo_redis_connected") == 0
        redis_server.start()
        # Cross-node sync returns, with exactly one avatar per visitor (no ghosts).
        target = np.array(await b1.move(0.2))
        await a1.frame_where(
            lambda f: (
                (p := pos_of(f, b1.welcome["id"])) is not None
                and bool(np.linalg.norm(p - target) < 0.01)
            ),
            timeout=10,
        )
        await a1.collect(1.5)
        a1.frames.clear()
        await a1.collect(2.5)  # at least one periodic keyframe
        keyframes = [f for f in a1.frames if f.kind.name == "KEYFRAME"]
        assert keyframes
        ids = record_ids(keyframes[-1].desktop).tolist()
        assert sorted(ids) == sorted({a1.welcome["id"], a2.welcome["id"], b1.welcome["id"]})
        assert metric(a_node.metrics(), "metaexpo_redis_connected") == 1
        assert metric(a_node.metrics(), "metaexpo_redis_outages_total") >= 1
        for c in (a1, a2, b1):
            await c.close()


async def test_garbage_on_a_room_channel_is_ignored_and_counted(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 1) as (node,):
        c = await join_at(node, "c", 0.0, 40.0)
        r = redis.Redis(port=redis_server.port)
        for junk in (
            b"hello",
            b"\x02\x20\x03abc",
            b"\x01\x99\x01x",
            b'{"v": 2, "t": "join"}',
            b"\x01\x20\x02n1" + b"\xff" * 40,
        ):
            r.publish("metaexpo:room:main", junk)
        await asyncio.sleep(0.5)
        text = node.metrics()
        assert metric(text, "metaexpo_bus_ignored_total") == 5
        await c.move(0.1)
        await c.frame_where(lambda f: True)
        await c.close()


async def test_workers_share_one_port_and_one_hall(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    srv = ServerProcess(tmp_path, "--redis-url", redis_server.url, "--workers", "2").start()
    try:
        clients = [await join_at(srv, f"w{i}", 60.0 + i * 0.5, -60.0) for i in range(8)]
        await asyncio.sleep(1.0)
        nodes_seen = {c.welcome["id"] >> 12 & 0xF for c in clients}
        assert len(nodes_seen) == 2, "connections reached both worker processes"
        mover, watchers = clients[0], clients[1:]
        target = np.array(await mover.move(0.3))
        for w in watchers:
            await w.frame_where(
                lambda f: (
                    (p := pos_of(f, mover.welcome["id"])) is not None
                    and bool(np.linalg.norm(p - target) < 0.01)
                ),
                timeout=5,
            )
        for c in clients:
            await c.close()
    finally:
        srv.stop()


def test_loadtest_over_two_nodes_splits_same_and_cross_node_latency(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    import json  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from tests.conftest import ROOT  # noqa: PLC0415

    with nodes(tmp_path, redis_server.url, 2) as (a, b):
        out = tmp_path / "r.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "metaexpo",
                "loadtest",
                "--url",
                a.http,
                "--url",
                b.http,
                "--clients",
                "40",
                "--duration",
                "4",
                "--ramp",
                "1",
                "--probes",
                "10",
                "--quiet",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            timeout=120 * TIME_FACTOR,
        )
        report = json.loads(out.read_text())
        assert report["clients_connected"] == 40
        assert report["latency_ms_same_node"]["samples"] > 20
        assert report["latency_ms_cross_node"]["samples"] > 20
        assert report["disconnects"] == 0
