"""The voice ground truth of the load test: the talk schedule and a probe's checks."""

from __future__ import annotations

import numpy as np

from metaexpo.loadtest import speech
from metaexpo.loadtest.counters import Counters
from metaexpo.loadtest.hearing import DEADLINE_SLOTS, Ear, VoiceRules, zone_clear, zone_labels
from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import (
    DESKTOP_RECORD,
    MediaStream,
    MsgType,
    decode_server_frame,
    encode_pose_frame,
    media_record,
    media_section,
)

ORIGIN = np.array([-128.0, 0.0, -128.0])
EPOCH = 1000.0
ME = 1 | 1 << 16


def record(aid: int, x: float, z: float) -> np.ndarray:
    rec = np.zeros(1, DESKTOP_RECORD)
    rec["slot"], rec["gen"] = aid & 0xFFFF, aid >> 16
    rec["pos"] = q.quantise_position(np.array([[x, 1.6, z]], np.float32), ORIGIN)
    return rec


def frame(kind: MsgType, people: dict[int, tuple[float, float]], media: list[bytes]):  # type: ignore[no-untyped-def]
    recs = np.concatenate([record(a, x, z) for a, (x, z) in people.items()])
    raw = encode_pose_frame(kind, 1, 0, recs.tobytes(), b"", media=media_section(media))
    return decode_server_frame(raw)


def voice(aid: int, slot: int) -> bytes:
    return media_record(
        aid & 0xFFFF, aid >> 16, MediaStream.VOICE, slot, speech.make_chunk(0, slot, 60)
    )


def talking_slot(seed: int, aid: int, share: float, want: bool = True) -> int:
    return next(k for k in range(10_000) if bool(speech.talking(seed, aid, k, share)) is want)


def test_the_talk_schedule_is_reproducible_and_near_its_share() -> None:
    ids = np.arange(2000)
    a = speech.talking(7, ids[:, None], np.arange(0, 3000, 50)[None, :], 0.1)
    b = speech.talking(7, ids[:, None], np.arange(0, 3000, 50)[None, :], 0.1)
    assert (a == b).all()
    assert 0.06 < a.mean() < 0.10  # a tenth in a turn, a fifth of a turn in pauses
    assert not speech.talking(7, ids, 5, 0.0).any()
    assert speech.read_chunk(speech.make_chunk(123, 456, 60)) == (123, 456)


def test_zone_labels_follow_the_server_and_edges_are_ambiguous() -> None:
    zones = np.array([[0.0, 10.0, 0.0, 10.0]])
    pts = np.array([[5.0, 5.0], [20.0, 5.0], [9.5, 5.0]])
    assert zone_labels(pts, zones).tolist() == [1, 0, 1]
    assert zone_clear(pts, zones).tolist() == [True, True, False]


def rules(share: float = 1.0) -> VoiceRules:
    return VoiceRules(12.0, 6, np.zeros((0, 4)), seed=3, share=share, epoch=EPOCH)


def test_a_chunk_from_beyond_the_radius_or_not_talking_is_misrouted() -> None:
    ear, c = Ear(rules(0.5), ORIGIN), Counters()
    near, far = 2 | 1 << 16, 3 | 1 << 16
    people = {ME: (0.0, 0.0), near: (5.0, 0.0), far: (20.0, 0.0)}
    k_near, k_far = talking_slot(3, near, 0.5), talking_slot(3, far, 0.5)
    silent = talking_slot(3, near, 0.5, want=False)
    f = frame(
        MsgType.KEYFRAME, people, [voice(near, k_near), voice(far, k_far), voice(near, silent)]
    )
    ear.frame(f, (ME, 0.0, 0.0), 100, EPOCH + 1.0, c, True)
    assert c.voice_chunks == 3
    assert c.misrouted == 2


def test_a_chunk_owed_by_a_near_talker_and_never_received_is_missed() -> None:
    ear, c = Ear(rules(1.0), ORIGIN), Counters()
    talker = 2 | 1 << 16
    people = {ME: (0.0, 0.0), talker: (4.0, 0.0)}
    start = EPOCH + 10.0
    ear.frame(frame(MsgType.KEYFRAME, people, []), (ME, 0.0, 0.0), 0, start, c, True)
    # 10 slots pass without the talker's chunks, then the deadline passes.
    later = start + 10 * speech.SLOT_S
    ear.frame(frame(MsgType.DELTA, people, []), (ME, 0.0, 0.0), 0, later, c, True)
    done = later + (DEADLINE_SLOTS + 2) * speech.SLOT_S
    ear.frame(frame(MsgType.DELTA, people, []), (ME, 0.0, 0.0), 0, done, c, True)
    assert c.expected >= 8 and c.missed == c.expected


def test_chunks_received_in_time_are_not_missed() -> None:
    ear, c = Ear(rules(1.0), ORIGIN), Counters()
    talker = 2 | 1 << 16
    people = {ME: (0.0, 0.0), talker: (4.0, 0.0)}
    start = EPOCH + 10.0
    ear.frame(frame(MsgType.KEYFRAME, people, []), (ME, 0.0, 0.0), 0, start, c, True)
    now = speech.slot_at(start, EPOCH)
    later = start + 10 * speech.SLOT_S
    talks = [k for k in range(now - 2, now + 40) if speech.talking(3, talker, k, 1.0)]
    chunks = [voice(talker, k) for k in talks]
    ear.frame(frame(MsgType.DELTA, people, chunks), (ME, 0.0, 0.0), 0, later, c, True)
    done = later + (DEADLINE_SLOTS + 2) * speech.SLOT_S
    ear.frame(frame(MsgType.DELTA, people, []), (ME, 0.0, 0.0), 0, done, c, True)
    assert c.expected >= 8 and c.missed == 0 and c.misrouted == 0


def test_a_chunk_from_another_voice_zone_or_outside_the_near_set_is_misrouted() -> None:
    booth = np.array([[-1.0, 3.0, -1.0, 3.0]])  # the listener stands inside this zone
    ear = Ear(VoiceRules(12.0, 6, booth, seed=3, share=1.0, epoch=EPOCH), ORIGIN)
    c = Counters()
    inside, aisle, stranger = 2 | 1 << 16, 3 | 1 << 16, 4 | 1 << 16
    people = {ME: (1.0, 1.0), inside: (2.0, 1.0), aisle: (8.0, 1.0)}
    k = talking_slot(3, inside, 1.0)
    chunks = [voice(inside, k), voice(aisle, k), voice(stranger, k)]
    ear.frame(frame(MsgType.KEYFRAME, people, chunks), (ME, 1.0, 1.0), 100, EPOCH + 1.0, c, True)
    assert c.voice_chunks == 3
    assert c.misrouted == 2  # the aisle's voice crossed the zone; the stranger is not in view
