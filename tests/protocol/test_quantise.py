"""Quantisation error bounds: position ≤ 1 cm, orientation ≤ 1° (property tests)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from metaexpo.protocol import quantise as q

ORIGIN = np.array([-128.0, 0.0, -128.0])
coords = st.tuples(st.floats(-128, 128), st.floats(0, 16), st.floats(-128, 128))
unit_quats = hnp.arrays(np.float64, 4, elements=st.floats(-1, 1)).filter(
    lambda v: np.linalg.norm(v) > 0.1
)


@given(coords)
def test_position_round_trip_error_is_under_one_centimetre(p: tuple[float, float, float]) -> None:
    back = q.dequantise_position(q.quantise_position(np.array(p), ORIGIN), ORIGIN)
    assert np.linalg.norm(back - np.array(p)) <= 0.01


@given(st.floats(-100, 100))
def test_yaw_round_trip_error_is_under_one_degree(yaw: float) -> None:
    back = float(q.dequantise_yaw(q.quantise_yaw(np.array(yaw))))
    diff = (back - yaw + math.pi) % (2 * math.pi) - math.pi
    assert abs(math.degrees(diff)) <= 1.0


@given(st.floats(-math.pi / 2, math.pi / 2))
def test_pitch_round_trip_error_is_under_one_degree(pitch: float) -> None:
    back = float(q.dequantise_pitch(q.quantise_pitch(np.array(pitch))))
    assert abs(math.degrees(back - pitch)) <= 1.0


@given(unit_quats)
def test_smallest_three_round_trip_error_is_under_one_degree(v: np.ndarray) -> None:
    unit = v / np.linalg.norm(v)
    back = q.unpack_quaternion(q.pack_quaternion(unit[None]))[0]
    assert math.degrees(float(q.quaternion_angle(unit, back))) <= 1.0
    assert abs(np.linalg.norm(back) - 1.0) < 1e-9


@given(coords, hnp.arrays(np.float64, 3, elements=st.floats(-1.2, 1.2)))
def test_hand_position_error_is_under_one_centimetre(
    head: tuple[float, float, float], offset: np.ndarray
) -> None:
    h = np.array(head)
    hand = h + offset
    head_dec = q.dequantise_position(q.quantise_position(h, ORIGIN), ORIGIN)
    hand_dec = head_dec + q.dequantise_hand_offset(q.quantise_hand_offset(hand - head_dec))
    assert np.linalg.norm(hand_dec - hand) <= 0.01


def test_positions_outside_the_u16_range_are_clamped_not_wrapped() -> None:
    qd = q.quantise_position(np.array([[-1000.0, -5.0, 1e6]]), ORIGIN)
    assert qd.tolist() == [[0, 0, 65535]]
