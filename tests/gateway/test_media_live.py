"""Media on the real sync socket: stage audio, voice, refusals and attacks, a slow reader.

Stage audio is driven by the real forum desk: staff schedule a session, a
speaker signs in with their link, the session goes live, the speaker's
microphone puts them on stage and a moderator cuts it. The server runs
through ``tests.gateway.hooked_server`` only for what the moderation work
will do (mute someone, make a place voice-free); everything else is the
real server on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import (
    MediaStream,
    ServerFrame,
    encode_audio_frame,
    record_ids,
)
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric
from tests.waiting import eventually

pytestmark = pytest.mark.integration
VOICE, STAGE = MediaStream.VOICE, MediaStream.STAGE


class HookedServer(ServerProcess):
    """The real server, with the test-only door of :mod:`tests.gateway.hooked_server`."""

    module = "tests.gateway.hooked_server"

    def call(self, method: str, *args: Any) -> None:
        r = httpx.post(
            f"{self.http}/__test__/rooms/main", json={"call": method, "args": list(args)}
        )
        r.raise_for_status()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookedServer]:
    tmp = tmp_path_factory.mktemp("media")
    create_staff(tmp / "data")
    srv = HookedServer(tmp, "--teleport-min-interval-s", "0").start()
    yield srv
    srv.stop()


def hall(server: ServerProcess) -> dict[str, Any]:
    return dict(httpx.get(f"{server.http}/api/rooms/main").json())


async def visitor(server: ServerProcess, name: str, x: float, z: float) -> Client:
    c = await Client.connect(server.ws)
    await c.join(name)
    await c.teleport(x, z)
    return c


def chunk(tag: str, i: int, size: int = 60) -> bytes:
    return f"{tag}:{i}:".encode().ljust(size, b".")


async def chunks_from(c: Client, speaker: int, n: int, timeout: float = 5.0) -> list[bytes]:
    """Wait until ``c`` has received ``n`` media chunks of ``speaker``; returns them in order."""
    deadline = time.monotonic() + timeout * TIME_FACTOR
    while True:
        got = [m.data for f in c.frames for m in f.media if m.id == speaker]
        if len(got) >= n:
            return got
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{len(got)} of {n} chunks from {speaker}")
        await c.next(left / TIME_FACTOR)


def media_ids(c: Client) -> set[int]:
    return {m.id for f in c.frames for m in f.media}


class Forum:
    """A session of the hall's forum, run through the forum API as staff would run it."""

    def __init__(self, server: ServerProcess, session: str) -> None:
        self.http = httpx.Client(base_url=server.http, timeout=30 * TIME_FACTOR)
        self.session = session
        signed = self.http.post(
            "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        self.staff = {"Authorization": f"Bearer {signed.json()['token']}"}
        draft = {
            "id": session,
            "forum_hall": "qiantang-forum",
            "title": {"zh": "舞台", "en": "Stage"},
            "abstract": {"zh": "测试", "en": "A test"},
            "starts_at": "2030-01-01T09:00:00+08:00",
            "ends_at": "2030-01-01T10:00:00+08:00",
        }
        made = self.http.post("/api/forums/sessions", json=draft, headers=self.staff)
        assert made.status_code == 201, made.text

    def speaker_token(self) -> str:
        invited = self.http.post(
            f"/api/forums/sessions/{self.session}/speakers",
            json={"display_name": "Lin"},
            headers=self.staff,
        )
        assert invited.status_code == 201, invited.text
        secret = invited.json()["url"].rsplit("/", 1)[1]
        return str(self.http.post(f"/api/forums/speakers/{secret}/accept").json()["token"])

    def act(self, message: dict[str, Any]) -> dict[str, Any]:
        done = self.http.post(
            f"/api/forums/sessions/{self.session}/live", json=message, headers=self.staff
        )
        assert done.status_code == 200, done.text
        return dict(done.json())

    def replay(self) -> dict[str, Any]:
        """The replay once the node has stored it (bounded wait)."""
        deadline = time.monotonic() + 20 * TIME_FACTOR
        while True:
            got = self.http.get(f"/api/forums/sessions/{self.session}/replay")
            if got.status_code == 200 and got.json().get("audio"):
                return dict(got.json())
            assert time.monotonic() < deadline, f"no replay: {got.status_code} {got.text}"
            time.sleep(0.1)


async def forum_state(c: Client, pred: Any) -> dict[str, Any]:
    """The next ``forum.state`` that satisfies ``pred``."""
    while True:
        state = await c.expect("forum.state")
        if pred(state):
            return state


async def test_stage_audio_follows_the_forum_desk_to_the_audience_and_the_replay(
    server: HookedServer,
) -> None:
    forum = Forum(server, "stage-audio")
    speaker = forum.speaker_token()
    info = hall(server)
    x0, x1, z0, z1 = info["forum_areas"][0]
    sx, sz = info["stages"][0]
    host = await Client.connect(server.ws)
    await host.join("Lin", token=speaker)
    await host.teleport(sx, sz)
    seated = await visitor(server, "seated", (x0 + x1) / 2, (z0 + z1) / 2)
    back_row = await visitor(server, "back", x0 + 1.0, z0 + 1.0)
    outside = await visitor(server, "outside", x1 + 6.0, (z0 + z1) / 2)
    hid = host.welcome["id"]
    # Not live yet: nobody may send stage audio, not even the session's speaker.
    await host.ws.send(encode_audio_frame(STAGE, [(0, b"too early")]))
    await host.expect("error")
    assert host.errors() == ["not_on_stage"]

    forum.act({"type": "forum.session", "action": "live"})
    await forum_state(seated, lambda m: m["state"] == "live")
    # While the session is live, the audience's own voices are off in the forum hall.
    await seated.ws.send(encode_audio_frame(VOICE, [(0, b"psst")]))
    await seated.expect("error")
    assert seated.errors() == ["voice_off_here"]
    await host.send_json({"type": "forum.mic", "session": forum.session, "on": True})
    await forum_state(host, lambda m: [(p["id"], p["mic"]) for p in m["stage"]] == [(hid, True)])
    sent = [chunk("stage", i) for i in range(10)]
    for i in range(0, 10, 2):
        await host.ws.send(encode_audio_frame(STAGE, [(i + 1, sent[i]), (i + 2, sent[i + 1])]))
    assert await chunks_from(seated, hid, 10) == sent
    assert await chunks_from(back_row, hid, 10) == sent
    # A late joiner hears the talk from its first frames on.
    late = await visitor(server, "late", x0 + 2.0, z1 - 2.0)
    await host.ws.send(encode_audio_frame(STAGE, [(11, b"after"), (12, b"you came")]))
    assert await chunks_from(late, hid, 2) == [b"after", b"you came"]
    await chunks_from(seated, hid, 12)
    last = max(f.tick for f in seated.frames if f.media)
    await outside.frame_where(lambda f: f.tick >= last)  # crowd frames come every second
    assert hid not in media_ids(outside)
    assert host.errors() == ["not_on_stage"]  # only the one before the session went live

    # A moderator cuts the speaker's microphone: their stage audio stops reaching anyone.
    forum.act({"type": "forum.mic", "id": hid, "on": False})
    await forum_state(host, lambda m: [(p["id"], p["mic"]) for p in m["stage"]] == [(hid, False)])
    refused = metric(server.metrics(), "metaexpo_dropped_frames_total", reason="not_on_stage")
    await host.ws.send(encode_audio_frame(STAGE, [(13, b"after the cut")]))
    await eventually(
        lambda: (
            metric(server.metrics(), "metaexpo_dropped_frames_total", reason="not_on_stage")
            == refused + 1
        ),
        what="the server refuses the cut speaker's stage audio",
    )
    since = max(f.tick for f in seated.frames)
    await seated.frame_where(lambda f: f.tick > since)  # crowd frames come every second
    assert b"after the cut" not in [m.data for f in seated.frames for m in f.media]

    # The stage was recorded for the replay: every chunk of the live session.
    forum.act({"type": "forum.session", "action": "end"})
    replay = forum.replay()
    assert replay["audio"]["url"].endswith(".ogg") and replay["duration_ms"] >= 12 * 20 - 10
    for c in (host, seated, back_row, outside, late):
        await c.close()


async def test_two_visitors_together_hear_each_other_and_one_30_m_away_neither(
    server: HookedServer,
) -> None:
    a = await visitor(server, "a", 100.0, 20.0)
    b = await visitor(server, "b", 102.0, 20.0)
    far = await visitor(server, "far", 100.0, 50.0)
    aid, bid = a.welcome["id"], b.welcome["id"]
    await a.ws.send(encode_audio_frame(VOICE, [(1, b"hello b")]))
    await b.ws.send(encode_audio_frame(VOICE, [(1, b"hello a")]))
    assert await chunks_from(b, aid, 1) == [b"hello b"]
    assert await chunks_from(a, bid, 1) == [b"hello a"]
    # Walking closer, the third one joins in.
    await far.teleport(101.0, 24.0)
    await far.frame_where(lambda f: aid in record_ids(f.desktop).tolist())
    await a.ws.send(encode_audio_frame(VOICE, [(2, b"welcome")]))
    assert await chunks_from(far, aid, 1) == [b"welcome"]
    assert [m.data for f in far.frames for m in f.media] == [b"welcome"]
    for c in (a, b, far):
        await c.close()


async def healthy_pair_still_syncs(a: Client, b: Client) -> None:
    """The other client's moves still reach ``a``: the server kept serving."""
    pos = np.array(await b.move(0.3))
    bid = b.welcome["id"]

    def shows(f: ServerFrame) -> bool:
        ids = record_ids(f.desktop).tolist()
        if bid not in ids:
            return False
        got = q.dequantise_position(f.desktop[ids.index(bid)]["pos"], np.array([-128, 0, -128]))
        return bool(np.linalg.norm(got - pos) < 0.01)

    await a.frame_where(shows)


ATTACKS = [
    (b"\x02\x03\x01\x00", "bad_count"),
    (b"\x02\x03\x01\x06" + b"\x00\x00\x01\x00x" * 6, "bad_count"),
    (b"\x02\x03\x07\x01\x00\x00\x01\x00x", "bad_stream"),
    (encode_audio_frame(VOICE, [(0, b"x" * 401)]), "chunk_too_large"),
    (b"\x02\x03\x01\x01\x00\x00\x09\x00xx", "truncated"),
    (encode_audio_frame(VOICE, [(0, b"x")]) + b"tail", "bad_length"),
    (b"\x01\x03\x01\x01\x00\x00\x01\x00x", "bad_version"),
    (encode_audio_frame(STAGE, [(0, b"not a speaker")]), "not_on_stage"),
]


@pytest.mark.parametrize(("frame", "code"), ATTACKS, ids=[c for _, c in ATTACKS])
async def test_bad_media_is_refused_counted_and_the_server_keeps_serving(
    server: HookedServer, frame: bytes, code: str
) -> None:
    a = await visitor(server, "attacker", -20.0, 100.0)
    b = await visitor(server, "bystander", -21.0, 100.0)
    before = metric(server.metrics(), "metaexpo_dropped_frames_total", reason=code)
    await a.ws.send(frame)
    await a.expect("error")
    assert code in a.errors()
    assert metric(server.metrics(), "metaexpo_dropped_frames_total", reason=code) == before + 1
    await healthy_pair_still_syncs(a, b)
    assert a.welcome["id"] not in media_ids(b)
    await a.close()
    await b.close()


async def test_a_muted_visitor_is_refused_and_stays_connected_until_unmuted(
    server: HookedServer,
) -> None:
    a = await visitor(server, "muted", 60.0, -60.0)
    b = await visitor(server, "listener", 61.0, -60.0)
    aid = a.welcome["id"]
    server.call("set_voice_muted", aid, True)
    for i in range(60):  # an open microphone for more than a second: not abuse
        await a.ws.send(encode_audio_frame(VOICE, [(i, chunk("m", i))]))
    await a.expect("error")
    assert set(a.errors()) == {"voice_muted"}
    text = server.metrics()
    assert metric(text, "metaexpo_dropped_frames_total", reason="voice_muted") >= 60
    await healthy_pair_still_syncs(a, b)
    server.call("set_voice_muted", aid, False)
    await a.ws.send(encode_audio_frame(VOICE, [(100, b"back")]))
    assert await chunks_from(b, aid, 1) == [b"back"]
    await a.close()
    await b.close()


async def test_too_frequent_media_is_refused_and_a_flood_is_closed_with_4029(
    server: HookedServer,
) -> None:
    a = await visitor(server, "flooder", 80.0, 80.0)
    b = await visitor(server, "neighbour", 81.0, 80.0)
    frame = encode_audio_frame(VOICE, [(i, b"x" * 100) for i in range(5)])
    for _ in range(80):  # 400 chunks and 40 kB at once: far over both allowances
        await a.ws.send(frame)
    code, reason = await a.closed()
    assert code == 4029 and "invalid" in reason
    assert "media_rate_limited" in a.errors()
    assert metric(server.metrics(), "metaexpo_dropped_frames_total", reason="media_rate_limited")
    c = await visitor(server, "next", 81.0, 81.0)
    await healthy_pair_still_syncs(c, b)
    await b.close()
    await c.close()


async def test_an_oversized_media_frame_closes_with_1009_and_media_before_join_with_1002(
    server: HookedServer,
) -> None:
    a = await visitor(server, "big", -60.0, -100.0)
    b = await visitor(server, "ok", -61.0, -100.0)
    await a.ws.send(b"\x02\x03\x01\x05" + (b"\x00\x00\x40\x06" + b"x" * 1600) * 5 + b"x" * 2000)
    code, _ = await a.closed()
    assert code == 1009
    early = await Client.connect(server.ws)
    await early.ws.send(encode_audio_frame(VOICE, [(0, b"too soon")]))
    code, _ = await early.closed()
    assert code == 1002
    assert "join_first" in early.errors()
    c = await visitor(server, "c", -60.0, -101.0)
    await healthy_pair_still_syncs(c, b)
    await b.close()
    await c.close()


async def test_a_listener_that_stops_reading_does_not_delay_the_others_media(
    tmp_path: Path,
) -> None:
    """The healthy listener gets every chunk, with the same tick spacing as before a
    neighbour stalled; the stalled one is cut off and the server goes on."""
    srv = HookedServer(tmp_path, "--ping-interval-s", "1", "--ping-timeout-s", "1").start()
    try:
        speaker = await visitor(srv, "talker", 30.0, 30.0)
        listener = await visitor(srv, "listener", 31.0, 30.0)
        sid = speaker.welcome["id"]

        async def ticks_of_chunks(start: int, n: int) -> list[int]:
            ticks = []
            for i in range(start, start + n):
                await speaker.ws.send(encode_audio_frame(VOICE, [(i, chunk("s", i, 200))]))
                await chunks_from(listener, sid, i + 1)
                ticks.append(next(f.tick for f in reversed(listener.frames) if f.media))
            return ticks

        baseline = await ticks_of_chunks(0, 15)
        stalled = await visitor(srv, "stalled", 30.5, 31.0)
        stalled.ws.transport.pause_reading()
        sent, gaps = 15, []
        # Talk on while the stalled one is near, until the server has cut it off (it
        # answers no pings): the healthy listener's chunks must keep their pace. (Gaps
        # are taken within each run of 5: asking for /metrics pauses this test's loop.)
        while metric(srv.metrics(), "metaexpo_clients_connected") > 2:
            gaps += np.diff(await ticks_of_chunks(sent, 5)).tolist()
            sent += 5
            assert sent < 400, "the stalled client was never cut off"
        got = [m.data for f in listener.frames for m in f.media if m.id == sid]
        assert got == [chunk("s", i, 200) for i in range(sent)]  # every chunk, once, in order
        assert max(gaps) <= max(np.diff(baseline).max(), 4)
        assert np.median(gaps) <= np.median(np.diff(baseline)) + 1
        stalled.ws.transport.resume_reading()
        code, _ = await stalled.closed()
        assert code in (1001, 1006, 4031)
        assert metric(srv.metrics(), "metaexpo_clients_connected") == 2
        await speaker.close()
        await listener.close()
    finally:
        srv.stop()
