"""Media across nodes: two node processes joined by a real Redis on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from metaexpo.protocol.frames import MediaStream, encode_audio_frame
from tests.bus.test_redis_nodes_live import RedisServer, join_at, redis_server
from tests.gateway.test_media_live import HookedServer, chunks_from, media_ids

pytestmark = pytest.mark.integration
__all__ = ["redis_server"]  # the fixture, for pytest


def hooked_nodes(tmp: Path, redis_url: str, n: int) -> list[HookedServer]:
    procs = []
    for i in range(n):
        d = tmp / f"node{i}"
        d.mkdir()
        procs.append(
            HookedServer(
                d,
                "--redis-url",
                redis_url,
                "--node-id",
                f"node{i}",
                "--teleport-min-interval-s",
                "0",
            )
        )
    return procs


async def test_a_voice_crosses_to_listeners_near_the_speaker_on_another_node(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    a_node, b_node = hooked_nodes(tmp_path, redis_server.url, 2)
    try:
        a_node.start()
        b_node.start()
        speaker = await join_at(a_node, "speaker", 20.0, 20.0)
        near = await join_at(b_node, "near", 23.0, 20.0)
        far = await join_at(b_node, "far", 20.0, 45.0)
        sid = speaker.welcome["id"]
        # The listener's node must know where the speaker is: wait for its pose to cross.
        await near.frame_where(lambda f: any(r["slot"] == sid & 0xFFFF for r in f.desktop))
        sent = [f"over the bus {i}".encode() for i in range(6)]
        for i in range(0, 6, 3):
            await speaker.ws.send(
                encode_audio_frame(MediaStream.VOICE, [(i + k, sent[i + k]) for k in range(3)])
            )
        assert await chunks_from(near, sid, 6, timeout=10) == sent
        last = max(f.tick for f in near.frames if f.media)
        await far.frame_where(lambda f: f.tick >= last, timeout=5)
        assert sid not in media_ids(far)
        for c in (speaker, near, far):
            await c.close()
    finally:
        for node in (a_node, b_node):
            if node.proc is not None:
                node.stop()


async def test_stage_audio_reaches_the_audience_on_every_node(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    a_node, b_node = hooked_nodes(tmp_path, redis_server.url, 2)
    try:
        a_node.start()
        b_node.start()
        info = httpx.get(f"{a_node.http}/api/rooms/main").json()
        x0, x1, z0, z1 = info["forum_areas"][0]
        sx, sz = info["stages"][0]
        host = await join_at(a_node, "host", sx, sz)
        here = await join_at(a_node, "here", (x0 + x1) / 2, (z0 + z1) / 2)
        there = await join_at(b_node, "there", x0 + 2.0, z0 + 2.0)
        hid = host.welcome["id"]
        for node in (a_node, b_node):  # what the forum desk does on every node
            node.call("set_stage", 0, [x0, x1, z0, z1], [sx, 3.0, sz], True)
            node.call("allow_stage_audio", hid, 0)
        talk = [f"keynote {i}".encode() for i in range(4)]
        await host.ws.send(
            encode_audio_frame(MediaStream.STAGE, [(i, t) for i, t in enumerate(talk)])
        )
        assert await chunks_from(here, hid, 4) == talk
        assert await chunks_from(there, hid, 4, timeout=10) == talk
        for c in (host, here, there):
            await c.close()
    finally:
        for node in (a_node, b_node):
            if node.proc is not None:
                node.stop()
