"""Media across nodes: two node processes joined by a real Redis on loopback.

Stage audio is driven by the real forum desk on both nodes (one database);
voice uses the test door of ``tests.gateway.hooked_server`` for nothing but
placing people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from metaexpo.protocol.frames import MediaStream, encode_audio_frame
from tests.bus.test_redis_nodes_live import RedisServer, join_at, redis_server
from tests.forums.test_forums_live import (
    api,
    forum,
    guest_token,
    joined,
    send,
    staff_token,
    two_nodes,
)
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
        speaker = await join_at(a_node, "talker", 20.0, 20.0)
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


async def test_a_visitor_brought_on_stage_is_heard_on_every_node_until_the_turn_ends(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with two_nodes(tmp_path, redis_server.url) as (a, b):
        with api(a.http) as http:
            staff = staff_token(http)
        with api(b.http) as http:
            guest = guest_token(http)
        info = httpx.get(f"{a.http}/api/rooms/main").json()
        x0, x1, z0, z1 = info["forum_areas"][0]
        moderator = await joined(a.ws, "Moderator", staff)
        ana = await joined(b.ws, "Ana", guest)
        here = await join_at(a, "here", (x0 + x1) / 2, (z0 + z1) / 2)
        there = await join_at(b, "there", (x0 + x1) / 2 + 3.0, (z0 + z1) / 2 + 3.0)
        aid = ana.welcome["id"]
        await send(moderator, {"type": "forum.sync"})
        await send(moderator, {"type": "forum.session", "action": "live"})
        await forum(ana, "forum.state", lambda m: m["state"] == "live")
        await send(ana, {"type": "forum.hand", "up": True})
        await forum(moderator, "forum.hands", lambda m: m["hands"])
        await send(moderator, {"type": "forum.stage", "action": "invite", "id": aid})
        await forum(ana, "forum.invite")
        await send(ana, {"type": "forum.stage_accept", "accept": True})

        def mic_on(m: dict[str, Any]) -> bool:
            return any(p["id"] == aid and p["mic"] for p in m["stage"])

        for c in (ana, here):  # both nodes have applied the new state
            await forum(c, "forum.state", mic_on)
        talk = [f"from the floor {i}".encode() for i in range(4)]
        await ana.ws.send(encode_audio_frame(MediaStream.STAGE, list(enumerate(talk, 1))))
        assert await chunks_from(there, aid, 4) == talk
        assert await chunks_from(here, aid, 4, timeout=10) == talk

        await send(moderator, {"type": "forum.stage", "action": "end", "id": aid})
        for c in (ana, here):
            await forum(c, "forum.state", lambda m: not any(p["id"] == aid for p in m["stage"]))
        await ana.ws.send(encode_audio_frame(MediaStream.STAGE, [(5, b"still talking")]))
        await ana.expect("error")
        assert ana.errors() == ["not_on_stage"]
        # A step sent after the refusal: once it reached the other node, so would have the chunk.
        await here.sees(there.id, at=await there.move(0.5), timeout=20)
        assert b"still talking" not in [m.data for f in here.frames for m in f.media]
        for c in (moderator, ana, here, there):
            await c.close()
