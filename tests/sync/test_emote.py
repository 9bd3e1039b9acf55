"""Emotes: a gesture reaches the visitors who can see the avatar, here and on other nodes."""

from __future__ import annotations

import asyncio

import pytest

from metaexpo.bus.local import LocalBroker, LocalBus
from metaexpo.config import Settings
from metaexpo.errors import ControlError
from metaexpo.gateway.tuning import sync_config
from metaexpo.sync.room import EMOTE_MIN_INTERVAL_S, Room, RoomSpec
from metaexpo.sync.state import Bounds, Partition
from metaexpo.sync.tick import run_tick
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def room_on(bus: LocalBus, clock: Clock, first: int = 0) -> Room:
    settings = Settings(fanout_phases=1, interest_radius=32.0, cell_size=16.0)
    return Room(
        SPEC,
        sync_config(settings),
        bus,
        clock=clock,
        partition=Partition(first=first, size=4096),
    )


def emotes(link: RecordingLink) -> list[dict[str, object]]:
    return [m for m in link.text if m["type"] == "emote"]


def place(room: Room, row: int, x: float, z: float) -> None:
    room.teleport(row, (x, 1.6, z), 0.0)
    room.members[row].teleport_at = -1e9  # the next placement is not a too-early teleport


def test_an_emote_reaches_those_near_not_the_far_nor_the_sender() -> None:
    clock = Clock()
    room = room_on(LocalBus(), clock)
    me, near, far = RecordingLink(), RecordingLink(), RecordingLink()
    jm = room.join(me, "me", "celadon", "desktop")
    jn = room.join(near, "near", "celadon", "desktop")
    jf = room.join(far, "far", "celadon", "mobile")
    place(room, jm.row, 0.0, 0.0)
    place(room, jn.row, 10.0, 5.0)
    place(room, jf.row, 100.0, 100.0)  # far beyond the 32 m interest radius
    room.emote(jm.row, "wave")
    assert emotes(near) == [{"type": "emote", "id": jm.avatar_id, "emote": "wave"}]
    assert emotes(far) == []
    assert emotes(me) == [], "the sender animates its own avatar itself"
    assert jf.avatar_id != jn.avatar_id


def test_a_second_emote_within_a_second_is_refused_then_allowed() -> None:
    clock = Clock()
    room = room_on(LocalBus(), clock)
    other = RecordingLink()
    jm = room.join(RecordingLink(), "me", "celadon", "desktop")
    room.join(other, "other", "celadon", "desktop")
    room.emote(jm.row, "clap")
    clock.now += EMOTE_MIN_INTERVAL_S / 2
    with pytest.raises(ControlError) as err:
        room.emote(jm.row, "thumbs_up")
    assert err.value.code == "rate_limited" and "emote" in err.value.message
    clock.now += EMOTE_MIN_INTERVAL_S
    room.emote(jm.row, "thumbs_up")
    assert [m["emote"] for m in emotes(other)] == ["clap", "thumbs_up"]


async def test_an_emote_reaches_visitors_near_it_on_another_node() -> None:
    clock = Clock()
    broker = LocalBroker()
    a = room_on(LocalBus("node0", broker), clock, 0)
    b = room_on(LocalBus("node1", broker), clock, 4096)
    ja = a.join(RecordingLink(), "alice", "celadon", "desktop")
    near, far = RecordingLink(), RecordingLink()
    jn = b.join(near, "near", "celadon", "desktop")
    jf = b.join(far, "far", "celadon", "desktop")
    place(b, jf.row, -110.0, -110.0)
    for _ in range(3):
        clock.now += 0.05
        run_tick(a, clock.now)
        run_tick(b, clock.now)
        await asyncio.sleep(0)
    a.emote(ja.row, "thumbs_up")
    for _ in range(3):
        clock.now += 0.05
        a.flush_bus(clock.now)
        await asyncio.sleep(0)
        run_tick(b, clock.now)
    assert emotes(near) == [{"type": "emote", "id": ja.avatar_id, "emote": "thumbs_up"}]
    assert emotes(far) == []
    assert jn.avatar_id != ja.avatar_id


def test_on_one_node_nothing_piles_up_for_a_bus_nobody_listens_to() -> None:
    clock = Clock()
    room = room_on(LocalBus(), clock)
    jm = room.join(RecordingLink(), "me", "celadon", "desktop")
    for _ in range(5):
        room.emote(jm.row, "wave")
        clock.now += EMOTE_MIN_INTERVAL_S
    assert room.federation.outbox == []
