"""Probe bots read frames with the protocol's decoder and turn stamps into latency samples."""

from __future__ import annotations

import numpy as np

from metaexpo.loadtest import probe, stamps
from metaexpo.loadtest.counters import Counters
from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import (
    DESKTOP_RECORD,
    AvatarFlag,
    MsgType,
    encode_crowd_frame,
    encode_pose_frame,
)


def walker(slot: int, stamp: int, flags: int = AvatarFlag.MOVING) -> np.ndarray:
    """One desktop record of a walker that sent its pose at ``stamp`` (ms)."""
    rec = np.zeros(1, DESKTOP_RECORD)
    yaw, pitch = stamps.desktop_angles(stamp)
    rec["slot"], rec["gen"], rec["flags"] = slot, 1, flags
    rec["yaw"] = q.quantise_yaw(np.array([yaw]))
    rec["pitch"] = q.quantise_pitch(np.array([pitch]))
    return rec


def test_a_moving_walker_in_a_delta_gives_one_sample_split_by_node() -> None:
    c = Counters()
    sent = stamps.now_ms() - 40
    records = np.concatenate([walker(5, sent), walker(5000, sent), walker(6, sent, 0)])
    probe.pose_frame(c, encode_pose_frame(MsgType.DELTA, 1, 0, records.tobytes(), b""), (0, 4096))
    assert c.probe_frames == 1 and c.probe_records == 3 and c.keyframes == 0
    ages = np.concatenate(c.latencies)
    assert len(ages) == 2 and all(35 <= a < 10_000 for a in ages.tolist())
    assert len(np.concatenate(c.latencies_same)) == 1  # slot 5 is on the probe's node
    assert len(np.concatenate(c.latencies_cross)) == 1  # slot 5000 crossed the bus


def test_keyframes_are_counted_without_samples_and_crowd_frames_are_skipped() -> None:
    c = Counters()
    rec = walker(5, stamps.now_ms()).tobytes()
    probe.pose_frame(c, encode_pose_frame(MsgType.KEYFRAME, 1, 0, rec, b""))
    probe.pose_frame(c, encode_crowd_frame(2, 0, b"\x01\x02"))
    assert c.keyframes == 1 and c.probe_frames == 1 and not c.latencies


def test_a_malformed_frame_is_counted_not_raised() -> None:
    c = Counters()
    frame = encode_pose_frame(MsgType.DELTA, 1, 0, walker(5, 0).tobytes(), b"")
    probe.pose_frame(c, frame[:-3])
    assert c.errors == {"frame:truncated": 1} and c.probe_frames == 0
