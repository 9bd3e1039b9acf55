"""Latency probes: carry a send time inside ordinary pose fields (docs/protocol.md).

A desktop bot puts ``ms mod 32768`` into its yaw (high 8 bits) and pitch (low
7 bits); a VR bot puts ``ms mod 16384`` into its left hand's x and y offsets
(7 bits each). The server quantises those fields back to exactly the same
integers, so a receiving bot recovers the stamp from the records.
"""

from __future__ import annotations

import math
import time

import numpy as np
import numpy.typing as npt

DESKTOP_MOD = 1 << 15
VR_MOD = 1 << 14
_YAW_STEP = 2 * math.pi / 256
_PITCH_STEP = (math.pi / 2) / 127


def now_ms() -> int:
    """The shared machine clock in ms (CLOCK_MONOTONIC is system-wide on Linux)."""
    return time.monotonic_ns() // 1_000_000


def desktop_angles(stamp: int) -> tuple[float, float]:
    """(yaw, pitch) in radians that quantise to ``stamp``."""
    s = stamp % DESKTOP_MOD
    return (s >> 7) * _YAW_STEP, (s & 0x7F) * _PITCH_STEP


def desktop_stamps(
    yaw_q: npt.NDArray[np.uint8], pitch_q: npt.NDArray[np.int8]
) -> npt.NDArray[np.int64]:
    """Stamps carried by desktop records."""
    return (yaw_q.astype(np.int64) << 7) | (pitch_q.astype(np.int64) & 0x7F)


def json_desktop_stamp(yaw: float, pitch: float) -> int:
    """The stamp in a desktop pose's float yaw and pitch (as the naive baseline relays them)."""
    return (round(yaw / _YAW_STEP) << 7) | (round(pitch / _PITCH_STEP) & 0x7F)


def vr_hand_offset_cm(stamp: int) -> tuple[int, int]:
    """Left-hand (dx, dy) in whole cm that carry ``stamp``."""
    s = stamp % VR_MOD
    return s & 0x7F, (s >> 7) & 0x7F


def vr_stamps(left: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """Stamps carried by VR records (their left-hand offsets)."""
    return (left[:, 0].astype(np.int64) & 0x7F) | ((left[:, 1].astype(np.int64) & 0x7F) << 7)


def ages_ms(stamps: npt.NDArray[np.int64], now: int, mod: int) -> npt.NDArray[np.int64]:
    """How old each stamp is at ``now``, modulo the stamp range."""
    return (now - stamps) % mod
