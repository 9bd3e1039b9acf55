"""Room state: slot reuse with generations, growth, and record encoding."""

from __future__ import annotations

import numpy as np

from metaexpo.protocol import quantise as q
from metaexpo.sync.state import Bounds, RoomState

BOUNDS = Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0))


def test_reused_slot_gets_a_new_generation_and_a_new_wire_id() -> None:
    st = RoomState(BOUNDS, capacity=4)
    a = st.allocate((0, 1.6, 0), 0.0, vr=False)
    old_id = st.wire_id(a)
    st.release(a)
    b = st.allocate((1, 1.6, 1), 0.0, vr=False)
    assert b == a
    assert st.wire_id(b) != old_id
    assert st.row_of(old_id) is None
    assert st.row_of(st.wire_id(b)) == b


def test_generation_wraps_from_255_to_1_never_0() -> None:
    st = RoomState(BOUNDS, capacity=1)
    gens = []
    for _ in range(300):
        s = st.allocate((0, 1.6, 0), 0.0, vr=False)
        gens.append(int(st.gen[s]))
        st.release(s)
    assert 0 not in gens
    assert gens[254:257] == [255, 1, 2]


def test_room_grows_beyond_its_initial_capacity_keeping_state() -> None:
    st = RoomState(BOUNDS, capacity=2)
    slots = [st.allocate((i, 1.6, 0), 0.0, vr=False) for i in range(10)]
    assert st.capacity >= 10
    assert len(set(slots)) == 10
    assert np.allclose(st.pos[slots, 0], np.arange(10))


def test_records_carry_the_quantised_pose() -> None:
    st = RoomState(BOUNDS, capacity=4)
    s = st.allocate((10.0, 1.6, -20.0), 1.0, vr=True)
    st.left[s] = (9.7, 1.0, -20.1)
    st.encode(np.array([s]))
    rec = st.rec_vr[s]
    head = q.dequantise_position(rec["pos"], st.origin)
    assert np.allclose(head, (10.0, 1.6, -20.0), atol=0.005)
    assert np.allclose(head + q.dequantise_hand_offset(rec["left"]), (9.7, 1.0, -20.1), atol=0.006)
    assert rec["slot"] == s and rec["gen"] == st.gen[s]
