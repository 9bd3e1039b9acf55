"""One hall across several node processes joined by a real Redis on loopback."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis

from metaexpo.protocol.frames import AvatarFlag, MsgType, ServerFrame, record_ids
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric, spare_port
from tests.waiting import eventually, wait_for

pytestmark = pytest.mark.integration
#: How long Redis stays away in the outage test: nodes must ride out this much.
OUTAGE_S = 10.0


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
        self.port = spare_port()  # kept across a restart
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

        def answers() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited at start (port {self.port} taken?)")
            with contextlib.suppress(redis.ConnectionError):
                return bool(client.ping())
            return False

        wait_for(answers, what=f"redis-server answering PING on port {self.port}")
        return self

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


async def join_at(node: ServerProcess, name: str, x: float, z: float) -> Client:
    c = await Client.connect(node.ws)
    await c.join(name)
    await c.teleport(x, z)
    return c


async def all_see_each_other(clients: list[Client], timeout: float = 20.0) -> None:
    """Wait until every client sees every other one at full rate (cross-node sync is up)."""
    for watcher in clients:
        for other in clients:
            if other is not watcher:
                await watcher.sees(other.id, timeout=timeout)


async def walk(client: Client, dx: float, steps: int) -> tuple[float, float, float]:
    """Move ``steps`` times by ``dx``, each step applied by the server before the next
    (poses sent within one tick would be merged into one over-fast jump)."""
    for _ in range(steps):
        target = await client.move(dx)
        await client.sees(client.id, at=target)
    return client.position


async def test_visitors_on_three_nodes_see_move_and_name_each_other(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 3) as ns:
        clients = [await join_at(n, f"v{i}", 20.0 + i, 20.0) for i, n in enumerate(ns)]
        await all_see_each_other(clients)
        for mover in clients:
            target = await mover.move(0.3)
            for watcher in clients:
                if watcher is not mover:
                    await watcher.sees(mover.id, at=target)
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
        # The far avatar reaches the near node: it shows in near's crowd layer...
        await near.frame_where(lambda f: len(f.crowd) > 0, timeout=20, what="crowd point")
        # ...and keeps showing there once it has walked into another crowd square, which
        # proves the near node has its latest pose; the next keyframe (the complete near
        # set) then was built knowing it. No wait for time to pass: the server's own
        # frames mark the moments it could have leaked the far avatar at full rate.
        x, _, z = await walk(far, 0.6, 2)  # 100.0 -> 101.2: crowd square 228 -> 229
        square = (int(x + 128.0), int(z + 128.0))
        await near.frame_where(
            lambda f: any((int(p["x"]), int(p["z"])) == square for p in f.crowd),
            timeout=20,
            what=f"crowd point at square {square}",
        )
        await near.frame_where(
            lambda f: f.kind is MsgType.KEYFRAME, timeout=20, what="periodic keyframe"
        )
        seen = {int(i) for f in near.frames for i in record_ids(f.desktop)}
        seen |= {int(i) for f in near.frames for i in record_ids(f.vr)}
        assert far.id not in seen, "an avatar 280 m away never arrives at full rate"
        await near.close()
        await far.close()


async def test_a_killed_nodes_avatars_vanish_and_its_visitor_resumes_elsewhere(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    # How soon a silent node is dropped (≤ 3 s) is pinned with a virtual clock in
    # tests/sync/test_federation.py; here the real processes show that it happens.
    with nodes(tmp_path, redis_server.url, 2) as (a_node, b_node):
        victim = await join_at(a_node, "victim", 30.0, -30.0)
        watcher = await join_at(b_node, "watcher", 31.0, -30.0)
        await all_see_each_other([victim, watcher])
        target = np.array(await victim.move(0.4))
        vid, token = victim.id, victim.welcome["resume"]
        await watcher.sees(vid, at=target)
        a_node.kill()
        await watcher.frame_where(
            lambda f: vid in record_ids(f.gone).tolist(), timeout=20, what="the victim gone"
        )
        assert metric(b_node.metrics(), "metaexpo_bus_nodes_stale_total") >= 1
        assert metric(b_node.metrics(), "metaexpo_bus_nodes_dropped_total") >= 1
        again = await Client.connect(b_node.ws)
        welcome = await again.join("victim", resume=token)
        assert welcome["resumed"] is True
        assert welcome["id"] == vid
        assert np.allclose(welcome["pose"]["position"], target, atol=0.01)
        await watcher.sees(vid)
        await again.close()
        await watcher.close()


async def test_redis_outage_keeps_local_sync_and_cross_node_sync_returns(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with nodes(tmp_path, redis_server.url, 2) as (a_node, b_node):
        a1 = await join_at(a_node, "a1", 50.0, 50.0)
        a2 = await join_at(a_node, "a2", 51.0, 50.0)
        b1 = await join_at(b_node, "b1", 50.5, 51.0)
        await all_see_each_other([a1, a2, b1])
        redis_server.stop()
        outage_from = time.monotonic()
        for node in (a_node, b_node):
            await eventually(
                lambda node=node: metric(node.metrics(), "metaexpo_redis_connected") == 0,
                what=f"{node.http} reports Redis gone",
            )
        # Redis stays away for OUTAGE_S on purpose: riding out an outage of that length is
        # the behaviour under test, so this span of time is deliberate, not a wait for
        # something. All through it, same-node visitors keep syncing move after move.
        step = 0.05
        while time.monotonic() - outage_from < OUTAGE_S:
            target = await a1.move(step)
            await a2.sees(a1.id, at=target)
            step = -step  # to and fro: a1 stays where it is, whatever the number of moves
        # Meanwhile the other node's avatar was shown stale, then removed; nobody was
        # disconnected and both nodes still serve.
        b_slot = b1.id & 0xFFFF

        def b1_gone(frame: ServerFrame) -> bool:
            return b1.id in record_ids(frame.gone).tolist()

        if not any(b1_gone(f) for f in a2.frames):
            await a2.frame_where(b1_gone, timeout=20, what="b1 removed from a2's view")
        went_stale = any(
            r["flags"] & AvatarFlag.AWAY
            for f in a2.frames
            for r in f.desktop
            if r["slot"] == b_slot
        )
        assert went_stale, "the other node's avatar was shown stale (AWAY) before it went"
        a_metrics = a_node.metrics()
        assert metric(a_metrics, "metaexpo_bus_nodes_stale_total") >= 1
        assert metric(a_metrics, "metaexpo_bus_nodes_dropped_total") >= 1
        assert metric(a_metrics, "metaexpo_redis_connected") == 0
        assert a_node.proc is not None and a_node.proc.poll() is None
        assert b_node.proc is not None and b_node.proc.poll() is None
        redis_server.start()
        # Cross-node sync returns, with exactly one avatar per visitor (no ghosts).
        target = await b1.move(0.2)
        await a1.sees(b1.id, at=target, timeout=30)
        everyone = sorted({a1.id, a2.id, b1.id})
        for _ in range(2):  # two periodic keyframes of the full near set after the return
            keyframe = await a1.frame_where(
                lambda f: f.kind is MsgType.KEYFRAME, timeout=20, what="periodic keyframe"
            )
            assert sorted(record_ids(keyframe.desktop).tolist()) == everyone
        for node in (a_node, b_node):
            await eventually(
                lambda node=node: metric(node.metrics(), "metaexpo_redis_connected") == 1,
                what=f"{node.http} reports Redis back",
            )
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
        await eventually(
            lambda: metric(node.metrics(), "metaexpo_bus_ignored_total") >= 5,
            what="the node counts the 5 garbage messages as ignored",
        )
        assert metric(node.metrics(), "metaexpo_bus_ignored_total") == 5
        await c.move(0.1)
        await c.frame_where(lambda f: True)
        await c.close()


async def test_workers_share_one_port_and_one_hall(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    srv = ServerProcess(tmp_path, "--redis-url", redis_server.url, "--workers", "2").start()
    try:
        clients = [await join_at(srv, f"w{i}", 60.0 + i * 0.5, -60.0) for i in range(8)]
        nodes_seen = {c.welcome["id"] >> 12 & 0xF for c in clients}
        assert len(nodes_seen) == 2, "connections reached both worker processes"
        mover, watchers = clients[0], clients[1:]
        for w in watchers:
            await w.sees(mover.id, timeout=20)
        target = await mover.move(0.3)
        for w in watchers:
            await w.sees(mover.id, at=target)
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
                "10",  # every bot must join within the run, also on a busy machine
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
