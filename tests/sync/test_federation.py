"""Several nodes of one hall on an in-process bus: merge, names, chat, liveness, garbage."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from metaexpo.bus.local import LocalBroker, LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.tuning import sync_config
from metaexpo.protocol.bus_messages import encode_bus_control, encode_bus_tick
from metaexpo.protocol.frames import (
    AvatarFlag,
    MediaStream,
    MsgType,
    encode_audio_frame,
    encode_desktop_pose,
    record_ids,
)
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds, Partition
from metaexpo.sync.tick import run_tick
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def nodes(n: int, clock: Clock) -> list[Room]:
    broker = LocalBroker()
    return [
        Room(
            SPEC,
            sync_config(Settings(fanout_phases=1)),
            LocalBus(f"node{i}", broker),
            clock=clock,
            partition=Partition(first=i * 4096, size=4096),
        )
        for i in range(n)
    ]


async def step(rooms: list[Room], clock: Clock, ticks: int = 1) -> None:
    for _ in range(ticks):
        clock.now += 0.05
        for room in rooms:
            run_tick(room, clock.now)
        await asyncio.sleep(0)  # deliver bus messages
        await asyncio.sleep(0)


def seen(link: RecordingLink) -> set[int]:
    return {
        int(i) for f in link.frames() if f.kind is not MsgType.CROWD for i in record_ids(f.desktop)
    }


async def test_avatars_on_another_node_are_seen_and_move() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    la, lb = RecordingLink(), RecordingLink()
    ja = a.join(la, "alice", "celadon", "desktop")
    jb = b.join(lb, "bob", "celadon", "desktop")
    assert ja.avatar_id != jb.avatar_id  # disjoint wire-slot partitions
    await step([a, b], clock, 3)
    assert ja.avatar_id in seen(lb)
    assert jb.avatar_id in seen(la)
    lb.binary.clear()
    x, y, z = a.state.pos[ja.row].tolist()
    a.submit_pose(ja.row, encode_desktop_pose((x + 0.5, y, z), 0, 0, AvatarFlag.MOVING), clock.now)
    await step([a, b], clock, 2)
    row = b.state.row_of(ja.avatar_id)
    assert row is not None and not b.state.local[row]
    assert np.isclose(b.state.pos[row][0], x + 0.5, atol=0.01)


async def test_names_of_remote_avatars_are_learnt_once_then_answered_locally() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    lb = RecordingLink()
    ja = a.join(RecordingLink(), "alice", "celadon", "vr")
    jb = b.join(lb, "bob", "celadon", "desktop")
    await step([a, b], clock, 2)
    answer = b.who(jb.row, [ja.avatar_id])
    assert answer["join"] == [
        {"id": ja.avatar_id, "name": "alice", "avatar": "celadon", "kind": "vr"}
    ]


async def test_a_name_not_yet_known_is_asked_of_the_owner_node() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ja = a.join(RecordingLink(), "alice", "celadon", "desktop")
    await step([a, b], clock, 2)
    b.federation.roster.clear()  # as if the join announcement was missed
    lb = RecordingLink()
    jb = b.join(lb, "bob", "celadon", "desktop")
    assert b.who(jb.row, [ja.avatar_id]) == {"type": "roster", "join": [], "leave": []}
    await step([a, b], clock, 3)
    rosters = [m for m in lb.text if m["type"] == "roster"]
    assert rosters and rosters[-1]["join"][0]["name"] == "alice"


async def test_chat_reaches_visitors_on_other_nodes() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ja = a.join(RecordingLink(), "alice", "celadon", "desktop")
    lb = RecordingLink()
    b.join(lb, "bob", "celadon", "desktop")
    a.chat(ja.row, "你好 from node0")
    await step([a, b], clock, 3)
    lines = [m for t in lb.text if t["type"] == "chat" for m in t["messages"]]
    assert [line["text"] for line in lines] == ["你好 from node0"]


async def test_a_silent_node_goes_stale_then_its_avatars_vanish_within_3_s() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ja = a.join(RecordingLink(), "alice", "celadon", "desktop")
    b.join(RecordingLink(), "bob", "celadon", "desktop")
    await step([a, b], clock, 3)
    assert b.state.row_of(ja.avatar_id) is not None
    silent_since = clock.now
    stale_at = gone_at = None
    while clock.now - silent_since < 3.5:
        await step([b], clock)  # node a is dead: only b ticks
        row = b.state.row_of(ja.avatar_id)
        if stale_at is None and row is not None and b.state.flags[row] & AvatarFlag.AWAY:
            stale_at = clock.now
        if row is None:
            gone_at = clock.now
            break
    assert stale_at is not None and gone_at is not None
    assert gone_at - silent_since <= 3.0
    assert b.federation.stats.nodes_dropped == 1


async def test_garbage_and_wrong_version_messages_are_ignored_and_counted() -> None:
    clock = Clock()
    (b,) = nodes(1, clock)
    lb = RecordingLink()
    b.join(lb, "bob", "celadon", "desktop")
    for junk in (
        b"",
        b"\x00",
        b"\x02\x20\x01x",
        b"{not json",
        b'{"v": 9, "node": "x", "t": "join"}',
        b'{"v": 1, "node": "x", "t": "nonsense"}',
        b"\x01\x20\x05node9" + b"\x00" * 3,
        encode_bus_tick("node9", 1, 1, b"\x00" * 7, b"", b""),
    ):
        b.federation.receive(junk)
    await step([b], clock, 2)
    assert sum(b.federation.stats.ignored.values()) == 8
    assert b.state.count == 1  # nothing merged


async def test_full_state_removes_avatars_whose_leave_was_missed() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    la = RecordingLink()
    ja = a.join(la, "alice", "celadon", "desktop")
    b.join(RecordingLink(), "bob", "celadon", "desktop")
    await step([a, b], clock, 3)
    a.disconnect(ja.row, la, clean=True, reason="closed")
    b.federation.inbox.clear()
    a.federation.departed.clear()  # the delta with the leave is lost
    for _ in range(15):
        await step([a, b], clock)
    assert b.state.row_of(ja.avatar_id) is None


async def test_resume_on_another_node_adopts_the_same_id_and_pose() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    la = RecordingLink()
    ja = a.join(la, "alice", "celadon", "desktop")
    b.join(RecordingLink(), "bob", "celadon", "desktop")
    x, y, z = a.state.pos[ja.row].tolist()
    a.submit_pose(ja.row, encode_desktop_pose((x + 0.6, y, z), 0, 0), clock.now)
    await step([a, b], clock, 3)
    la2 = RecordingLink()
    again = b.join(la2, "alice", "celadon", "desktop", resume=ja.token, adopt=ja.avatar_id)
    assert again.avatar_id == ja.avatar_id and again.resumed
    assert again.position == pytest.approx((x + 0.6, y, z), abs=0.01)
    await step([a, b], clock, 3)
    assert la.closed is not None and la.closed[0] == 4040  # node a let go of it
    assert (
        a.state.row_of(ja.avatar_id) in (None,) or not a.state.local[a.state.row_of(ja.avatar_id)]
    )


async def test_announcements_reach_visitors_on_every_node() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    la, lb = RecordingLink(), RecordingLink()
    a.join(la, "alice", "celadon", "desktop")
    b.join(lb, "bob", "celadon", "desktop")
    a.announce({"type": "booth", "id": "retail-01", "revision": 2})
    await step([a, b], clock, 2)
    for link in (la, lb):
        assert {"type": "booth", "id": "retail-01", "revision": 2} in link.text


async def test_poses_are_published_between_ticks_without_waiting_for_the_next_one() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ja = a.join(RecordingLink(), "alice", "celadon", "desktop")
    b.join(RecordingLink(), "bob", "celadon", "desktop")
    await step([a, b], clock, 3)
    x, y, z = a.state.pos[ja.row].tolist()
    clock.now += 0.005
    a.submit_pose(ja.row, encode_desktop_pose((x + 0.3, y, z), 0, 0, AvatarFlag.MOVING), clock.now)
    a.flush_bus(clock.now)  # 5 ms after the tick, long before node a's next one
    await asyncio.sleep(0)
    run_tick(b, clock.now)  # node b's tick alone delivers it
    row = b.state.row_of(ja.avatar_id)
    assert row is not None and np.isclose(b.state.pos[row][0], x + 0.3, atol=0.01)
    assert b.state.changed[row] or any(p.size for p in b.tick_memory.prev_pairs)  # it went out


async def test_a_flush_with_nothing_new_publishes_nothing() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    a.join(RecordingLink(), "alice", "celadon", "desktop")
    await step([a, b], clock, 2)
    sent = a.federation.stats.messages_out
    a.flush_bus(clock.now)
    assert a.federation.stats.messages_out == sent


async def test_a_lone_node_keeps_no_backlog_of_joins_leaves_or_chat() -> None:
    clock = Clock()
    (room,) = nodes(1, clock)
    for k in range(50):
        row = room.join(RecordingLink(), f"visitor {k}", "celadon", "desktop").row
        room.chat(row, "hello")
        clock.now += 1.0  # past the chat limit
        await step([room], clock)
    fed = room.federation
    assert (fed.joined, fed.chat_out, fed.departed) == ([], [], [])


class StageLog:
    """A stage recorder that keeps what it is handed."""

    def __init__(self) -> None:
        self.chunks: list[tuple[int, int, int, bytes]] = []

    def stage_chunk(
        self, stage: int, speaker: int, seq: int, opus: bytes, received_at: float
    ) -> None:
        self.chunks.append((stage, speaker, seq, opus))


def heard(link: RecordingLink) -> list[bytes]:
    return [m.data for f in link.frames() if f.kind is not MsgType.CROWD for m in f.media]


async def test_a_voice_crosses_to_the_other_node_once_and_is_routed_by_position() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ls, ln, lf = RecordingLink(), RecordingLink(), RecordingLink()
    speaker = a.join(ls, "speaker", "celadon", "desktop")
    near = b.join(ln, "near", "celadon", "desktop")
    far = b.join(lf, "far", "celadon", "desktop")
    a.teleport(speaker.row, (10.0, 1.6, 10.0), None)
    b.teleport(near.row, (13.0, 1.6, 10.0), None)
    b.teleport(far.row, (10.0, 1.6, 40.0), None)
    await step([a, b], clock, 3)
    out_before = a.federation.stats.messages_out
    a.submit_audio(
        speaker.row,
        encode_audio_frame(MediaStream.VOICE, [(5, b"hello"), (6, b"world")]),
        clock.now,
    )
    a.flush_bus(clock.now)  # between ticks, like poses
    assert a.federation.stats.messages_out == out_before + 1
    await step([a, b], clock, 2)
    assert heard(ln) == [b"hello", b"world"]
    assert heard(lf) == []
    assert heard(ls) == []


async def test_stage_audio_reaches_the_audience_of_every_node_and_both_recorders() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    area = (-100.0, -60.0, 60.0, 100.0)
    recorders = [StageLog(), StageLog()]
    for room, recorder in zip((a, b), recorders, strict=True):
        room.set_stage(1, area, (-80.0, 3.0, 98.0), live=True)
        room.set_stage_recorder(recorder)
    lh, la, lb = RecordingLink(), RecordingLink(), RecordingLink()
    host = a.join(lh, "host", "celadon", "desktop")
    on_a = a.join(la, "on-a", "celadon", "desktop")
    on_b = b.join(lb, "on-b", "celadon", "desktop")
    a.teleport(host.row, (-80.0, 1.6, 97.0), None)
    a.teleport(on_a.row, (-90.0, 1.6, 70.0), None)
    b.teleport(on_b.row, (-70.0, 1.6, 65.0), None)
    await step([a, b], clock, 3)
    for room in (a, b):  # the forum desk tells every node who is on stage
        room.allow_stage_audio(host.avatar_id, 1)
    a.submit_audio(host.row, encode_audio_frame(MediaStream.STAGE, [(9, b"talk")]), clock.now)
    await step([a, b], clock, 2)
    assert heard(la) == [b"talk"]
    assert heard(lb) == [b"talk"]
    said = (1, host.avatar_id, 9, b"talk")  # the speaker's id crosses the bus with the chunk
    assert [r.chunks for r in recorders] == [[said], [said]]


async def test_malformed_media_on_the_bus_is_ignored_and_counted() -> None:
    clock = Clock()
    (a,) = nodes(1, clock)
    a.federation.receive(b"\x01\x22\x05node9\x02\x00" + b"\x01" * 5)
    await step([a], clock)
    assert a.federation.stats.ignored["truncated"] == 1


async def test_staff_quiet_places_apply_on_every_node_and_every_visitor_is_told() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    ls, ln = RecordingLink(), RecordingLink()
    speaker = b.join(ls, "speaker", "celadon", "desktop")
    near = a.join(ln, "near", "celadon", "desktop")
    b.teleport(speaker.row, (0.0, 1.6, 0.0), None)
    a.teleport(near.row, (2.0, 1.6, 0.0), None)
    await step([a, b], clock, 3)
    # Staff on node a quiet the plaza, where the speaker stands on node b.
    a.set_quiet_places(False, {"plaza": (-5.0, 5.0, -5.0, 5.0)})
    await step([a, b], clock, 2)
    told = {"type": "voice.places", "quiet_hall": False, "quiet_zones": {"plaza": [-5, 5, -5, 5]}}
    assert told in ls.text and told in ln.text
    b.submit_audio(speaker.row, encode_audio_frame(MediaStream.VOICE, [(1, b"hush")]), clock.now)
    await step([a, b], clock, 2)
    assert heard(ln) == []
    assert any(m.get("code") == "voice_off_here" for m in ls.text)
    # Lifted on node a: the speaker on node b is heard again.
    a.set_quiet_places(False, {})
    await step([a, b], clock, 2)
    assert {"type": "voice.places", "quiet_hall": False, "quiet_zones": {}} in ls.text
    clock.now += 1.1
    b.submit_audio(speaker.row, encode_audio_frame(MediaStream.VOICE, [(60, b"hi")]), clock.now)
    await step([a, b], clock, 2)
    assert heard(ln) == [b"hi"]
    # The whole hall quiet, from node b this time.
    b.set_quiet_places(True, {})
    await step([a, b], clock, 2)
    assert a.quiet_places()["quiet_hall"] is True
    assert a.media.voice_off_at(40.0, 40.0)


async def test_malformed_quiet_places_on_the_bus_are_ignored_and_counted() -> None:
    clock = Clock()
    a, b = nodes(2, clock)
    for zones in ({"x": [5.0, -5.0, 0.0, 1.0]}, {"x": [1.0]}, "plaza"):
        b.federation.outbox.append(
            encode_bus_control(b.federation.node_id, "quiet", hall=True, zones=zones)
        )
    await step([a, b], clock, 2)
    assert a.federation.stats.ignored["bad_quiet"] == 3
    assert a.quiet_places() == {"type": "voice.places", "quiet_hall": False, "quiet_zones": {}}
