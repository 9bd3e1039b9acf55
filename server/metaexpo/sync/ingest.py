"""Turn a tick's worth of coalesced pose frames into accepted state, vectorised.

The gateway keeps only the latest frame per row (so a flood of frames costs a
dict store each, never a parse). Here the tick decodes all of them at once,
checks every number (finite, inside the hall, a plausible speed, unit-ish
quaternions, hands within reach) and writes the accepted poses into the
state's columns. Rejected frames are reported per row with a reason; they
change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.protocol.frames import CLIENT_FLAGS, DESKTOP_POSE_IN, VR_POSE_IN, AvatarFlag
from metaexpo.sync.state import RoomState

#: Hands further than this from the head (m) are not a person's hands.
MAX_REACH = 2.0
#: Pitch beyond ±(π/2 + this) is not a head pose.
PITCH_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class PoseLimits:
    """What a plausible pose is (from the settings)."""

    max_speed: float
    speed_slack: float
    min_dt: float


@dataclass(slots=True)
class IngestResult:
    """Slots whose poses were applied, and those rejected with a code and a message."""

    applied: npt.NDArray[np.intp]
    rejected: list[tuple[int, str, str]]


def _speed_ok(
    state: RoomState,
    rows: npt.NDArray[np.intp],
    head: npt.NDArray[np.float32],
    now: float,
    limits: PoseLimits,
) -> npt.NDArray[np.bool_]:
    dt = np.maximum(now - state.updated_at[rows], limits.min_dt)
    dist = np.linalg.norm(head - state.pos[rows], axis=1)
    return dist <= limits.max_speed * dt + limits.speed_slack


def _inside(state: RoomState, p: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    b = state.bounds
    lo = np.asarray(b.min, np.float32)
    hi = np.asarray(b.max, np.float32)
    return np.all((p >= lo) & (p <= hi), axis=1)


def _quat_ok(qs: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    n = np.linalg.norm(qs, axis=1)
    return (n > 0.5) & (n < 1.5)


def _reject(
    out: list[tuple[int, str, str]],
    rows: npt.NDArray[np.intp],
    mask: npt.NDArray[np.bool_],
    code: str,
    message: str,
) -> npt.NDArray[np.bool_]:
    """Record ``rows[mask]`` as rejected (first reason wins) and return the still-ok mask."""
    out.extend((int(s), code, message) for s in rows[mask])
    return ~mask


def ingest(
    state: RoomState,
    pending: dict[int, bytes],
    now: float,
    limits: PoseLimits,
) -> IngestResult:
    """Validate and apply the latest frame of each row in ``pending``.

    Frames were length/version/type-checked by the gateway; rows that left
    since are skipped. Accepted avatars are re-encoded and marked changed.
    """
    rejected: list[tuple[int, str, str]] = []
    desk_slots: list[int] = []
    desk_frames: list[bytes] = []
    vr_slots: list[int] = []
    vr_frames: list[bytes] = []
    for row, frame in pending.items():
        if not state.active[row]:
            continue
        if len(frame) == DESKTOP_POSE_IN.itemsize:
            desk_slots.append(row)
            desk_frames.append(frame)
        else:
            vr_slots.append(row)
            vr_frames.append(frame)
    applied = [np.zeros(0, np.intp)]
    if desk_slots:
        applied.append(_apply_desktop(state, desk_slots, desk_frames, now, limits, rejected))
    if vr_slots:
        applied.append(_apply_vr(state, vr_slots, vr_frames, now, limits, rejected))
    return IngestResult(np.concatenate(applied), rejected)


def _apply_desktop(
    state: RoomState,
    slot_list: list[int],
    frames: list[bytes],
    now: float,
    limits: PoseLimits,
    rejected: list[tuple[int, str, str]],
) -> npt.NDArray[np.intp]:
    rows = np.array(slot_list, np.intp)
    f = np.frombuffer(b"".join(frames), DESKTOP_POSE_IN)
    pos, yaw, pitch = f["pos"], f["yaw"], f["pitch"]
    finite = np.isfinite(pos).all(axis=1) & np.isfinite(yaw) & np.isfinite(pitch)
    ok = _reject(rejected, rows, ~finite, "not_finite", "pose has NaN or infinite numbers")
    bad = ok & ~_inside(state, np.where(finite[:, None], pos, 0))
    ok &= _reject(rejected, rows, bad, "out_of_bounds", "pose is outside the hall")
    bad = ok & (np.abs(np.where(finite, pitch, 0)) > np.pi / 2 + PITCH_TOLERANCE)
    ok &= _reject(rejected, rows, bad, "bad_pitch", "head pitch beyond straight up/down")
    bad = ok & ~_speed_ok(state, rows, pos, now, limits)
    ok &= _reject(
        rejected, rows, bad, "too_fast", "moved faster than the speed limit; teleport instead"
    )
    s = rows[ok]
    if len(s) == 0:
        return s
    state.pos[s] = pos[ok]
    state.yaw[s] = np.mod(yaw[ok], 2 * np.pi)
    state.pitch[s] = np.clip(pitch[ok], -np.pi / 2, np.pi / 2)
    _finish(state, s, f["flags"][ok], now, vr=False)
    return s


def _apply_vr(
    state: RoomState,
    slot_list: list[int],
    frames: list[bytes],
    now: float,
    limits: PoseLimits,
    rejected: list[tuple[int, str, str]],
) -> npt.NDArray[np.intp]:
    rows = np.array(slot_list, np.intp)
    f = np.frombuffer(b"".join(frames), VR_POSE_IN)
    head, left, right = f["head"], f["left"], f["right"]
    quats = (f["head_q"], f["left_q"], f["right_q"])
    finite = np.isfinite(head).all(1) & np.isfinite(left).all(1) & np.isfinite(right).all(1)
    for qs in quats:
        finite &= np.isfinite(qs).all(1)
    ok = _reject(rejected, rows, ~finite, "not_finite", "pose has NaN or infinite numbers")
    safe_head = np.where(finite[:, None], head, 0)
    bad = ok & ~_inside(state, safe_head)
    ok &= _reject(rejected, rows, bad, "out_of_bounds", "pose is outside the hall")
    quat_ok = np.ones(len(rows), np.bool_)
    for qs in quats:
        quat_ok &= _quat_ok(np.where(finite[:, None], qs, 1))
    ok &= _reject(
        rejected, rows, ok & ~quat_ok, "bad_quaternion", "orientation is not a unit quaternion"
    )
    reach = np.maximum(
        np.linalg.norm(np.where(finite[:, None], left - head, 0), axis=1),
        np.linalg.norm(np.where(finite[:, None], right - head, 0), axis=1),
    )
    ok &= _reject(
        rejected, rows, ok & (reach > MAX_REACH), "bad_hands", "hands are out of reach of the head"
    )
    bad = ok & ~_speed_ok(state, rows, head, now, limits)
    ok &= _reject(
        rejected, rows, bad, "too_fast", "moved faster than the speed limit; teleport instead"
    )
    s = rows[ok]
    if len(s) == 0:
        return s
    state.pos[s] = head[ok]
    state.left[s] = left[ok]
    state.right[s] = right[ok]
    for column, qs in zip((state.head_q, state.left_q, state.right_q), quats, strict=True):
        good = qs[ok]
        column[s] = good / np.linalg.norm(good, axis=1, keepdims=True)
    # Keep yaw/pitch meaningful for a VR avatar too (the crowd and desktop views use them).
    x, y, z, w = (state.head_q[s, i] for i in range(4))
    state.yaw[s] = np.mod(np.arctan2(2 * (w * y + x * z), 1 - 2 * (y * y + x * x)), 2 * np.pi)
    state.pitch[s] = np.arcsin(np.clip(2 * (w * x - y * z), -1, 1))
    _finish(state, s, f["flags"][ok], now, vr=True)
    return s


def _finish(
    state: RoomState,
    s: npt.NDArray[np.intp],
    client_flags: npt.NDArray[np.uint8],
    now: float,
    *,
    vr: bool,
) -> None:
    # AWAY is the server's; TELEPORTED stays until every fan-out phase has sent the jump,
    # so viewers snap rather than glide, and no longer.
    jumped = state.jumps[s].any(axis=1)
    keep = np.where(jumped, AvatarFlag.AWAY | AvatarFlag.TELEPORTED, AvatarFlag.AWAY)
    server_flags = state.flags[s] & keep.astype(np.uint8)
    state.flags[s] = (client_flags & np.uint8(CLIENT_FLAGS)) | server_flags
    state.is_vr[s] = vr
    state.updated_at[s] = now
    state.mark_changed(s)
    state.encode(s)
