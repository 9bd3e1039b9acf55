"""Latency from what probe bots receive: the send-time stamps of moving avatars.

Walkers stamp their send time into yaw and pitch, VR bots into the left
hand's offset (:mod:`metaexpo.loadtest.stamps`); a probe decodes the frame with
the protocol's own decoder (:func:`~metaexpo.protocol.frames.decode_server_frame`,
one reader of the format) and turns each stamp's age into a sample. Only the
few probe bots come here: the others only count bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metaexpo.errors import FrameError
from metaexpo.loadtest import stamps
from metaexpo.loadtest.counters import Counters, wire_size
from metaexpo.protocol.frames import (
    MEDIA_HEAD,
    AvatarFlag,
    MsgType,
    ServerFrame,
    decode_server_frame,
)


def decode(c: Counters, payload: bytes) -> ServerFrame | None:
    """A DELTA or KEYFRAME decoded, or None for a CROWD frame (no stamps: not worth
    decoding) or a malformed one (counted in ``c.errors`` as ``frame:<code>``)."""
    if len(payload) > 1 and payload[1] == MsgType.CROWD:
        return None
    try:
        return decode_server_frame(payload)
    except FrameError as exc:
        c.errors[f"frame:{exc.code}"] += 1
        return None


def pose_frame(
    c: Counters, payload: bytes, node_ids: tuple[int, int] = (0, 0x10000)
) -> ServerFrame | None:
    """Count one binary frame a probe received and add its latency samples to ``c``.

    ``node_ids`` is the probe's server node's id range: a sender whose wire
    slot falls in it is on the same node, otherwise the pose crossed the bus.
    Returns the decoded frame (None: a crowd frame, or malformed and counted).
    The bytes per update leave out the media a frame carries.
    """
    frame = decode(c, payload)
    if frame is None:
        return None
    desk, vr = frame.desktop, frame.vr
    c.probe_frames += 1
    c.probe_records += len(desk) + len(vr)
    media = sum(MEDIA_HEAD.size + len(m.data) for m in frame.media)
    c.probe_pose_bytes += wire_size(len(payload)) - media
    if frame.kind != MsgType.DELTA:
        c.keyframes += 1
        return frame
    now = stamps.now_ms()
    # Only walkers carry fresh stamps; an AWAY avatar's record is its last pose.
    live = (desk["flags"] & (AvatarFlag.MOVING | AvatarFlag.AWAY)) == AvatarFlag.MOVING
    moving = desk[live]
    first, size = node_ids
    if len(moving):
        st = stamps.desktop_stamps(moving["yaw"], moving["pitch"])
        ages = stamps.ages_ms(st, now, stamps.DESKTOP_MOD)
        _sample(c, ages, (moving["slot"] - first).astype(np.int64), size)
    vr = vr[(vr["flags"] & AvatarFlag.AWAY) == 0]
    if len(vr):
        ages = stamps.ages_ms(stamps.vr_stamps(vr["left"]), now, stamps.VR_MOD)
        _sample(c, ages, (vr["slot"].astype(np.int64) - first), size)
    return frame


def _sample(c: Counters, ages: np.ndarray, offset: np.ndarray, size: int) -> None:
    c.latencies.append(ages)
    same = (offset >= 0) & (offset < size)
    c.latencies_same.append(ages[same])
    c.latencies_cross.append(ages[~same])


def json_pose(c: Counters, msg: dict[str, Any], wire_bytes: int) -> None:
    """A latency sample from one JSON pose message (the naive baseline's format)."""
    c.probe_frames += 1
    c.probe_records += 1
    c.probe_pose_bytes += wire_bytes
    now = stamps.now_ms()
    if "yaw" in msg:
        if not msg["flags"] & AvatarFlag.MOVING:
            return
        stamp = stamps.json_desktop_stamp(msg["yaw"], msg["pitch"])
        c.latencies.append(np.array([(now - stamp) % stamps.DESKTOP_MOD]))
    elif "l" in msg:
        dx = round((msg["l"][0] - msg["p"][0]) * 100)
        dy = round((msg["l"][1] - msg["p"][1]) * 100)
        c.latencies.append(np.array([(now - ((dx & 0x7F) | (dy & 0x7F) << 7)) % stamps.VR_MOD]))
