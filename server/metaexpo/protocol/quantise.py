"""Fixed-point quantisation of poses, vectorised over many avatars.

The wire carries integers, not floats: positions in 1/128 m steps from the hall
origin, yaw and pitch in one byte each, orientations as "smallest three"
quaternions in 32 bits and hand positions as centimetre offsets from the head.
Every function takes and returns numpy arrays so the tick quantises a whole
room in one call; the error bounds are pinned by property tests
(position ≤ 1 cm, orientation ≤ 1°).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Floats = npt.NDArray[np.floating]

#: Position step in metres (7.8 mm; the worst-case error per axis is half of it).
POSITION_STEP = 1.0 / 128.0
#: Largest hall extent per axis that fits a u16 at POSITION_STEP.
MAX_EXTENT = 65535 * POSITION_STEP
#: Yaw step: a full turn in 256 steps (1.41°, worst-case error 0.70°).
YAW_STEP = 2.0 * math.pi / 256.0
#: Pitch step: ±90° in ±127 steps (0.71°, worst-case error 0.35°).
PITCH_STEP = (math.pi / 2.0) / 127.0
#: Hand offsets from the head are whole centimetres in a signed byte.
HAND_STEP = 0.01
HAND_LIMIT = 127
#: Smallest-three components live in [-1/√2, 1/√2], 10 bits each.
_Q_RANGE = 1.0 / math.sqrt(2.0)
_Q_LEVELS = 1023


def quantise_position(xyz: Floats, origin: Floats) -> npt.NDArray[np.uint16]:
    """World positions (…, 3) in metres → u16 steps from ``origin``, clamped to the u16 range."""
    q = np.rint((np.asarray(xyz, np.float64) - origin) / POSITION_STEP)
    return np.clip(q, 0, 65535).astype(np.uint16)


def dequantise_position(q: npt.NDArray[np.integer], origin: Floats) -> F64:
    """u16 steps → world positions in metres."""
    return np.asarray(q, np.float64) * POSITION_STEP + origin


def quantise_yaw(yaw: Floats) -> npt.NDArray[np.uint8]:
    """Yaw in radians (any value; wraps) → one byte."""
    q = np.rint(np.asarray(yaw, np.float64) / YAW_STEP)
    return np.mod(q, 256).astype(np.uint8)


def dequantise_yaw(q: npt.NDArray[np.integer]) -> F64:
    """One byte → yaw in radians in [0, 2π)."""
    return np.asarray(q, np.float64) * YAW_STEP


def quantise_pitch(pitch: Floats) -> npt.NDArray[np.int8]:
    """Pitch in radians, clamped to ±π/2 → a signed byte in [-127, 127]."""
    q = np.rint(np.asarray(pitch, np.float64) / PITCH_STEP)
    return np.clip(q, -127, 127).astype(np.int8)


def dequantise_pitch(q: npt.NDArray[np.integer]) -> F64:
    """Signed byte → pitch in radians (−128 is read as −127)."""
    return np.maximum(np.asarray(q, np.float64), -127.0) * PITCH_STEP


def quantise_hand_offset(offset: Floats) -> npt.NDArray[np.int8]:
    """Hand minus head (…, 3) in metres → whole centimetres, clamped to ±1.27 m per axis."""
    q = np.rint(np.asarray(offset, np.float64) / HAND_STEP)
    return np.clip(q, -HAND_LIMIT, HAND_LIMIT).astype(np.int8)


def dequantise_hand_offset(q: npt.NDArray[np.integer]) -> F64:
    """Centimetre offsets → metres."""
    return np.asarray(q, np.float64) * HAND_STEP


def pack_quaternion(quat: Floats) -> npt.NDArray[np.uint32]:
    """Unit quaternions (…, 4) as x, y, z, w → 32-bit "smallest three".

    Bits 31–30 hold the index of the largest component, which is made positive
    and dropped; the other three, in x, y, z, w order, fill bits 29–20, 19–10
    and 9–0 as 10-bit steps over [-1/√2, 1/√2]. Inputs are normalised first.
    """
    q = np.asarray(quat, np.float64)
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    q = q / np.where(norm > 0.0, norm, 1.0)
    largest = np.argmax(np.abs(q), axis=-1)
    sign = np.where(np.take_along_axis(q, largest[..., None], axis=-1) < 0.0, -1.0, 1.0)
    q = q * sign
    # The three kept components, in order, for each possible dropped index.
    keep = _KEEP[largest]
    rest = np.take_along_axis(q, keep, axis=-1)
    steps = np.rint((np.clip(rest, -_Q_RANGE, _Q_RANGE) + _Q_RANGE) / (2 * _Q_RANGE) * _Q_LEVELS)
    steps = steps.astype(np.uint32)
    return (
        (largest.astype(np.uint32) << np.uint32(30))
        | (steps[..., 0] << np.uint32(20))
        | (steps[..., 1] << np.uint32(10))
        | steps[..., 2]
    )


def unpack_quaternion(packed: npt.NDArray[np.integer]) -> F64:
    """32-bit "smallest three" → unit quaternions (…, 4) as x, y, z, w."""
    p = np.asarray(packed, np.uint32)
    largest = (p >> np.uint32(30)).astype(np.intp)
    steps = np.stack(
        [(p >> np.uint32(20)) & 1023, (p >> np.uint32(10)) & 1023, p & 1023], axis=-1
    ).astype(np.float64)
    rest = steps / _Q_LEVELS * (2 * _Q_RANGE) - _Q_RANGE
    big = np.sqrt(np.clip(1.0 - np.sum(rest * rest, axis=-1), 0.0, 1.0))
    out = np.empty((*p.shape, 4), np.float64)
    np.put_along_axis(out, _KEEP[largest], rest, axis=-1)
    np.put_along_axis(out, largest[..., None], big[..., None], axis=-1)
    return out


def quaternion_angle(a: Floats, b: Floats) -> F64:
    """Rotation angle in radians between unit quaternions (…, 4), treating q and −q as equal."""
    dot = np.abs(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64), axis=-1))
    return 2.0 * np.arccos(np.clip(dot, 0.0, 1.0))


_KEEP = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]], dtype=np.intp)
