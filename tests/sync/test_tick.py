"""The tick's behaviour: deltas, keyframes, gone ids, crowd, backpressure, never fatal."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.errors import SessionClosed
from metaexpo.gateway.tuning import sync_config
from metaexpo.protocol.frames import AvatarFlag, MsgType, encode_desktop_pose, record_ids
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.sync.tick import run_tick
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_room(clock: FakeClock, **overrides: object) -> Room:
    defaults = {"tick_hz": 20.0, "crowd_interval_s": 1.0, "fanout_phases": 1}
    settings = Settings(**{**defaults, **overrides})  # type: ignore[arg-type]
    return Room(SPEC, sync_config(settings), LocalBus(), clock=clock)


def step(room: Room, clock: FakeClock, n: int = 1) -> None:
    for _ in range(n):
        clock.now += room.config.step_period
        run_tick(room, clock.now)


def walk(room: Room, clock: FakeClock, slot: int, pos: tuple[float, float, float]) -> None:
    room.submit_pose(slot, encode_desktop_pose(pos, 0.0, 0.0), clock.now)


def test_first_frame_after_join_is_a_keyframe_with_everyone_near(clock: FakeClock) -> None:
    room = make_room(clock)
    links = [RecordingLink() for _ in range(3)]
    joined = [room.join(link, f"v{i}", "celadon", "desktop") for i, link in enumerate(links)]
    step(room, clock)
    frames = [f for f in links[0].take() if f.kind is not MsgType.CROWD]
    assert frames[0].kind is MsgType.KEYFRAME
    assert sorted(record_ids(frames[0].desktop).tolist()) == sorted(j.avatar_id for j in joined)


def test_a_move_reaches_the_others_in_the_next_delta_only(clock: FakeClock) -> None:
    room = make_room(clock, keyframe_interval_s=100.0)
    a, b = RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    room.join(b, "b", "celadon", "desktop")
    step(room, clock, 2)
    b.take()
    x, y, z = room.state.pos[ja.row].tolist()
    walk(room, clock, ja.row, (x + 0.5, y, z))
    step(room, clock)
    deltas = [f for f in b.take() if f.kind is MsgType.DELTA]
    assert len(deltas) == 1
    assert record_ids(deltas[0].desktop).tolist() == [ja.avatar_id]
    step(room, clock)
    assert [f for f in b.take() if f.kind is MsgType.DELTA] == []  # nothing changed: nothing sent


def test_leaving_sends_the_id_as_gone_and_the_slot_is_reused_with_a_new_id(
    clock: FakeClock,
) -> None:
    room = make_room(clock, keyframe_interval_s=100.0)
    a, b = RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    room.join(b, "b", "celadon", "desktop")
    step(room, clock, 2)
    b.take()
    room.disconnect(ja.row, a, clean=True, reason="closed")
    step(room, clock)
    gone = [record_ids(f.gone).tolist() for f in b.take() if f.kind is MsgType.DELTA]
    assert gone == [[ja.avatar_id]]
    jc = room.join(RecordingLink(), "c", "celadon", "desktop")
    assert jc.row == ja.row and jc.avatar_id != ja.avatar_id


def test_far_avatars_arrive_only_in_the_crowd_layer(clock: FakeClock) -> None:
    room = make_room(clock, interest_radius=20.0)
    near, far = RecordingLink(), RecordingLink()
    room.join(near, "near", "celadon", "desktop")
    jf = room.join(far, "far", "celadon", "desktop")
    room.teleport(jf.row, (100.0, 1.6, 100.0), None)
    step(room, clock, 21)
    frames = near.take()
    seen = {i for f in frames for i in record_ids(f.desktop).tolist()}
    assert jf.avatar_id not in seen
    crowds = [f for f in frames if f.kind is MsgType.CROWD]
    assert 1 <= len(crowds) <= 3  # about once a second over ~1 s, plus the one at join
    assert any(len(c.crowd) == 1 for c in crowds)


def test_visible_set_is_capped_and_the_rest_is_crowd(clock: FakeClock) -> None:
    room = make_room(clock, visible_cap=5)
    links = [RecordingLink() for _ in range(12)]
    for i, link in enumerate(links):
        room.join(link, f"v{i}", "celadon", "desktop")
    step(room, clock)
    frames = links[0].take()
    kf = next(f for f in frames if f.kind is MsgType.KEYFRAME)
    crowd = next(f for f in frames if f.kind is MsgType.CROWD)
    assert len(kf.desktop) == 5
    assert len(crowd.crowd) == 7


def test_congested_client_skips_frames_and_resyncs_with_a_keyframe(clock: FakeClock) -> None:
    room = make_room(clock, keyframe_interval_s=100.0)
    a, slow = RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    js = room.join(slow, "slow", "celadon", "desktop")
    step(room, clock, 2)
    slow.take()
    room.set_congested(js.row, True)
    for i in range(3):
        walk(room, clock, ja.row, (0.1 * (i + 1), 1.6, 0.0))
        step(room, clock)
    assert slow.take() == []
    room.set_congested(js.row, False)
    step(room, clock)
    assert [f.kind for f in slow.take() if f.kind is not MsgType.CROWD] == [MsgType.KEYFRAME]


def test_client_congested_too_long_is_closed_as_too_slow(clock: FakeClock) -> None:
    room = make_room(clock, slow_client_timeout_s=1.0)
    slow = RecordingLink()
    js = room.join(slow, "slow", "celadon", "desktop")
    room.set_congested(js.row, True)
    step(room, clock, 25)
    assert slow.closed is not None and slow.closed[0] == 4031


def test_unclean_disconnect_keeps_the_avatar_away_until_resumed(clock: FakeClock) -> None:
    room = make_room(clock)
    a, b = RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    room.join(b, "b", "celadon", "desktop")
    target = (ja.position[0] + 0.5, 1.6, ja.position[2])
    walk(room, clock, ja.row, target)
    step(room, clock)
    room.disconnect(ja.row, a, clean=False, reason="dropped")
    step(room, clock)
    a2 = RecordingLink()
    again = room.join(a2, "a", "celadon", "desktop", resume=ja.token)
    assert again.resumed and again.avatar_id == ja.avatar_id
    assert again.position == pytest.approx(target, abs=1e-5)


def test_unresumed_avatar_is_removed_after_the_resume_window(clock: FakeClock) -> None:
    room = make_room(clock, resume_window_s=1.0)
    a = RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    room.disconnect(ja.row, a, clean=False, reason="dropped")
    step(room, clock, 30)
    assert room.state.count == 0
    fresh = room.join(RecordingLink(), "a", "celadon", "desktop", resume=ja.token)
    assert not fresh.resumed


def test_frames_for_one_cell_are_the_same_bytes_object(clock: FakeClock) -> None:
    room = make_room(clock)
    links = [RecordingLink() for _ in range(4)]
    for i, link in enumerate(links):
        j = room.join(link, f"v{i}", "celadon", "desktop")
        room.teleport(j.row, (5.0 + 0.5 * i, 1.6, 5.0), None)  # all in one cell
    step(room, clock)
    firsts = [link.binary[0] for link in links]
    assert all(f is firsts[0] for f in firsts)  # encoded once, shared


def test_hall_full_refuses_new_joins_with_1013(clock: FakeClock) -> None:
    room = make_room(clock, max_clients=2)
    for i in range(2):
        room.join(RecordingLink(), f"v{i}", "celadon", "desktop")
    with pytest.raises(SessionClosed) as err:
        room.join(RecordingLink(), "late", "celadon", "desktop")
    assert err.value.close_code == 1013 and "hall full" in err.value.message


def test_walkers_in_many_cells_get_only_their_cells_changes(clock: FakeClock) -> None:
    room = make_room(clock, interest_radius=10.0, keyframe_interval_s=100.0)
    links, joins = [], []
    for i, (x, z) in enumerate(itertools.product((-100.0, 0.0, 100.0), repeat=2)):
        link = RecordingLink()
        j = room.join(link, f"v{i}", "celadon", "desktop")
        room.teleport(j.row, (x, 1.6, z), None)
        links.append(link)
        joins.append(j)
    step(room, clock, 2)
    for link in links:
        link.take()
    walk(room, clock, joins[0].row, (-99.5, 1.6, -100.0))
    step(room, clock)
    got = [[f for f in link.take() if f.kind is MsgType.DELTA] for link in links]
    assert len(got[0]) == 1
    assert all(g == [] for g in got[1:])
    assert np.isclose(got[0][0].desktop["pos"][0][0] / 128 - 128, -99.5, atol=0.01)


def test_two_phases_serve_alternate_cells_and_every_client_twenty_times_a_second(
    clock: FakeClock,
) -> None:
    room = make_room(clock, fanout_phases=2, keyframe_interval_s=100.0)
    links, joins = [], []
    for i, z in enumerate((8.0, 24.0)):  # two neighbouring rows of 16 m cells
        link = RecordingLink()
        j = room.join(link, f"v{i}", "celadon", "desktop")
        room.teleport(j.row, (8.0, 1.6, z), None)
        links.append(link)
        joins.append(j)
    step(room, clock, 4)
    for link in links:
        link.take()
    served: list[list[int]] = [[], []]
    for k in range(8):  # 8 steps = 4 frame periods = 0.2 s
        for j in joins:
            x, y, z = room.state.pos[j.row].tolist()
            walk(room, clock, j.row, (x + 0.01, y, z))
        step(room, clock)
        for i, link in enumerate(links):
            if [f for f in link.take() if f.kind is MsgType.DELTA]:
                served[i].append(k)
    assert len(served[0]) == len(served[1]) == 4  # 20 Hz each
    assert not set(served[0]) & set(served[1])  # never in the same step


def test_a_change_reaches_the_other_phase_on_its_next_turn(clock: FakeClock) -> None:
    room = make_room(clock, fanout_phases=2, keyframe_interval_s=100.0)
    a, b = RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")
    jb = room.join(b, "b", "celadon", "desktop")
    room.teleport(ja.row, (8.0, 1.6, 8.0), None)
    room.teleport(jb.row, (8.0, 1.6, 24.0), None)
    step(room, clock, 4)
    b.take()
    walk(room, clock, ja.row, (8.3, 1.6, 8.0))
    step(room, clock, 2)  # one step per phase: b's turn comes within one frame period
    got = [f for f in b.take() if f.kind is MsgType.DELTA]
    assert [record_ids(f.desktop).tolist() for f in got] == [[ja.avatar_id]]


def test_a_teleport_is_flagged_to_both_phases_once_while_the_walker_keeps_sending(
    clock: FakeClock,
) -> None:
    room = make_room(clock, fanout_phases=2, keyframe_interval_s=100.0)
    a, near, far = RecordingLink(), RecordingLink(), RecordingLink()
    ja = room.join(a, "a", "celadon", "desktop")  # spawn (0, 1.6, 0): even cell
    room.join(near, "near", "celadon", "desktop")  # same cell as a
    jf = room.join(far, "far", "celadon", "desktop")
    room.teleport(jf.row, (0.0, 1.6, 16.0), None)  # the next row: the other phase
    step(room, clock, 4)
    near.take(), far.take()
    room.teleport(ja.row, (0.0, 1.6, 6.0), None)
    for _ in range(2):  # the walker keeps sending poses at its new place
        step(room, clock)
        walk(room, clock, ja.row, (0.0, 1.6, 6.0))
    for link in (near, far):
        records = np.concatenate([f.desktop for f in link.take() if f.kind is MsgType.DELTA])
        assert record_ids(records).tolist() == [ja.avatar_id]
        assert records["flags"][0] & AvatarFlag.TELEPORTED
    step(room, clock, 2)
    later = np.concatenate([f.desktop for f in near.take() if f.kind is MsgType.DELTA])
    assert len(later) and not later["flags"][-1] & AvatarFlag.TELEPORTED


def test_a_client_that_steps_out_of_its_phase_and_back_gets_a_keyframe(clock: FakeClock) -> None:
    room = make_room(clock, fanout_phases=2, keyframe_interval_s=100.0)
    viewer, other = RecordingLink(), RecordingLink()
    jv = room.join(viewer, "v", "celadon", "desktop")
    jo = room.join(other, "o", "celadon", "desktop")
    room.teleport(jv.row, (8.0, 1.6, 15.95), None)  # cell 136 (even): phase 0
    room.teleport(jo.row, (8.0, 1.6, 10.0), None)  # the same cell
    step(room, clock, 6 if room.tick_count % 2 == 0 else 7)  # the next step serves phase 1
    step(room, clock)
    viewer.take()
    walk(room, clock, jv.row, (8.0, 1.6, 16.05))  # just over the line: cell 137, phase 1
    room.disconnect(jo.row, other, clean=True, reason="bye")
    step(room, clock)  # phase 0: the viewer is not in it, and misses the gone id
    walk(room, clock, jv.row, (8.0, 1.6, 15.95))  # back before phase 1's turn
    step(room, clock, 3)
    frames = [f for f in viewer.take() if f.kind is not MsgType.CROWD]
    assert frames and frames[0].kind is MsgType.KEYFRAME  # the resync the missed frame needs
    assert jo.avatar_id not in record_ids(frames[0].desktop).tolist()


def test_crowd_frames_are_spread_over_a_phases_steps(clock: FakeClock) -> None:
    room = make_room(clock, fanout_phases=2, crowd_interval_s=1.0)
    links = []
    for x in range(4):  # one client in each of 16 cells of phase 0 (even columns and rows)
        for z in range(0, 8, 2):
            link = RecordingLink()
            j = room.join(link, f"v{x}{z}", "celadon", "desktop")
            room.teleport(j.row, (-120.0 + 32.0 * x, 1.6, -120.0 + 16.0 * z), None)
            links.append(link)
    step(room, clock, 4)
    for link in links:
        link.take()
    per_step = []
    for _ in range(room.config.steps(1.0)):
        step(room, clock)
        per_step.append(sum(f.kind is MsgType.CROWD for link in links for f in link.take()))
    assert sum(per_step) == len(links)  # each client once a second
    assert max(per_step) == 1  # 16 cells over 20 of the phase's steps: never two at once
