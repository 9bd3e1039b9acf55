"""The tick loop at the edge: a room whose tick fails is counted and the others go on."""

from __future__ import annotations

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.scheduler import TickLoop
from metaexpo.gateway.tuning import sync_config
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_room(clock: FakeClock) -> Room:
    return Room(SPEC, sync_config(Settings(fanout_phases=1)), LocalBus(), clock=clock)


def test_a_failing_room_tick_is_counted_and_does_not_stop_the_loop() -> None:
    clock = FakeClock()
    room = make_room(clock)
    other = make_room(clock)
    room.join(RecordingLink(), "a", "celadon", "desktop")
    b = RecordingLink()
    other.join(b, "b", "celadon", "desktop")
    room.pending[10_000] = b"garbage"  # a slot that does not exist
    loop = TickLoop(lambda: [room, other], 20.0, clock=clock)
    loop.tick_once()
    assert loop.errors == 1
    assert b.binary  # the other room still ticked
