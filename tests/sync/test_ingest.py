"""Pose validation: bad numbers are rejected with a reason and change nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metaexpo.protocol.frames import AvatarFlag, encode_desktop_pose, encode_vr_pose
from metaexpo.sync.ingest import PoseLimits, ingest
from metaexpo.sync.state import Bounds, RoomState

BOUNDS = Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0))
LIMITS = PoseLimits(max_speed=10.0, speed_slack=0.5, min_dt=0.05)
ID = (0.0, 0.0, 0.0, 1.0)


def fresh() -> tuple[RoomState, int]:
    st = RoomState(BOUNDS, capacity=8)
    s = st.allocate((0.0, 1.6, 0.0), 0.0, vr=False)
    st.updated_at[s] = 0.0
    st.changed[:] = False
    return st, s


def run(st: RoomState, frames: dict[int, bytes], now: float = 1.0) -> list[tuple[int, str, str]]:
    return ingest(st, frames, now, LIMITS).rejected


def test_a_valid_desktop_pose_is_applied_and_marked_changed() -> None:
    st, s = fresh()
    assert run(st, {s: encode_desktop_pose((1.0, 1.7, 2.0), 0.5, 0.1, AvatarFlag.MOVING)}) == []
    assert np.allclose(st.pos[s], (1.0, 1.7, 2.0))
    assert st.changed[s]
    assert st.flags[s] & AvatarFlag.MOVING


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (encode_desktop_pose((math.nan, 1.6, 0.0), 0.0, 0.0), "not_finite"),
        (encode_desktop_pose((0.0, 1.6, 0.0), math.inf, 0.0), "not_finite"),
        (encode_desktop_pose((0.0, 1.6, 500.0), 0.0, 0.0), "out_of_bounds"),
        (encode_desktop_pose((0.0, -1.0, 0.0), 0.0, 0.0), "out_of_bounds"),
        (encode_desktop_pose((0.0, 1.6, 0.0), 0.0, 3.0), "bad_pitch"),
        (encode_desktop_pose((30.0, 1.6, 0.0), 0.0, 0.0), "too_fast"),
        (encode_vr_pose((0, 1.6, 0), (0, 0, 0, 0), (0, 1, 0), ID, (0, 1, 0), ID), "bad_quaternion"),
        (encode_vr_pose((0, 1.6, 0), ID, (0, 1.6, 5), ID, (0, 1, 0), ID), "bad_hands"),
        (encode_vr_pose((0, 1.6, 0), ID, (math.nan, 1, 0), ID, (0, 1, 0), ID), "not_finite"),
    ],
)
def test_invalid_poses_are_rejected_with_a_reason_and_change_nothing(
    frame: bytes, code: str
) -> None:
    st, s = fresh()
    before = st.pos[s].copy()
    rejected = run(st, {s: frame})
    assert [(r[0], r[1]) for r in rejected] == [(s, code)]
    assert np.array_equal(st.pos[s], before)
    assert not st.changed[s]


def test_one_bad_pose_does_not_stop_the_others_in_the_same_tick() -> None:
    st = RoomState(BOUNDS, capacity=8)
    slots = [st.allocate((i, 1.6, 0.0), 0.0, vr=False) for i in range(3)]
    frames = {
        slots[0]: encode_desktop_pose((0.5, 1.6, 0.0), 0, 0),
        slots[1]: encode_desktop_pose((math.nan, 1.6, 0.0), 0, 0),
        slots[2]: encode_desktop_pose((2.5, 1.6, 0.0), 0, 0),
    }
    rejected = run(st, frames)
    assert [r[0] for r in rejected] == [slots[1]]
    assert np.isclose(st.pos[slots[0], 0], 0.5) and np.isclose(st.pos[slots[2], 0], 2.5)


def test_client_cannot_set_server_owned_flags() -> None:
    st, s = fresh()
    run(st, {s: encode_desktop_pose((0.1, 1.6, 0.0), 0, 0, flags=0xFF)})
    assert st.flags[s] & AvatarFlag.AWAY == 0
    assert st.flags[s] & 0xF0 == 0


def test_vr_pose_switches_the_avatar_to_vr_records() -> None:
    st, s = fresh()
    frame = encode_vr_pose((0.2, 1.6, 0.0), ID, (-0.1, 1.0, -0.2), ID, (0.5, 1.0, -0.2), ID)
    assert run(st, {s: frame}) == []
    assert st.is_vr[s]
    assert st.rec_vr[s]["left"].tolist() == [-30, -60, -20]
