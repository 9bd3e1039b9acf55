"""Recording a stage: packets land in their 20 ms slots, gaps become silence, the file plays
as long as the talk took, and only the node that ends the session keeps it."""

from __future__ import annotations

from pathlib import Path

from metaexpo.forums.recorder import FLOOR_HOLD_S, StageAudioRecorder
from tests.forums.opus_tools import decoded_seconds, opus_packets, opusinfo

#: Avatar ids of two people on stage.
LIN, ANA = 0x10002, 0x10003


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recorder(tmp_path: Path) -> tuple[StageAudioRecorder, Clock]:
    clock = Clock()
    return StageAudioRecorder(tmp_path / "rec", "node-a", clock=clock), clock


async def test_a_talk_with_pauses_plays_as_long_as_it_took(tmp_path: Path) -> None:
    packets = opus_packets(tmp_path, 1.0)  # 50 real packets
    rec, clock = recorder(tmp_path)
    rec.start(0, "talk")
    start = clock.now
    # 0.5 s of silence before the first word, then 50 packets in bursts of 5 (as browsers
    # send them), a 2 s pause (sequence jumps by 100), and the same 50 packets again.
    seq = 1000
    for burst in range(10):
        at = start + 0.5 + burst * 0.1
        for k in range(5):
            rec.stage_chunk(0, LIN, seq, packets[burst * 5 + k], at)
            seq += 1
    seq += 100
    for burst in range(10):
        at = start + 3.5 + burst * 0.1
        for k in range(5):
            rec.stage_chunk(0, LIN, seq & 0xFFFF, packets[burst * 5 + k], at)
            seq += 1
    await rec.pump_once()
    recorded = await rec.finish("talk")
    assert recorded is not None
    assert "WARNING" not in opusinfo(recorded.path)
    # 0.5 s lead-in + 1 s + 2 s pause + 1 s
    assert abs(decoded_seconds(recorded.path, tmp_path) - 4.5) < 0.05
    assert abs(recorded.duration_ms - 4500) < 30


async def test_sequence_wraps_and_duplicates_are_dropped(tmp_path: Path) -> None:
    packets = opus_packets(tmp_path, 0.2)
    rec, clock = recorder(tmp_path)
    rec.start(0, "talk")
    at = clock.now
    for n, seq in enumerate([65534, 65535, 0, 1, 1, 0]):
        rec.stage_chunk(0, LIN, seq, packets[n % len(packets)], at + n * 0.02)
    recorded = await rec.finish("talk")
    # four distinct slots, less the decoder's pre-skip (312 samples)
    assert recorded is not None and recorded.duration_ms == (4 * 960 - 312) * 1000 // 48_000
    assert rec.by_session == {}


async def test_two_voices_at_once_keep_to_the_clock(tmp_path: Path) -> None:
    packets = opus_packets(tmp_path, 3.0)
    rec, clock = recorder(tmp_path)
    rec.start(0, "talk")
    start = clock.now
    for n in range(150):  # one stream restarting at unrelated sequence numbers each second
        at = start + n * 0.02
        rec.stage_chunk(0, LIN, 100 + n, packets[n], at)
        rec.stage_chunk(0, LIN, 30_000 + n, packets[n], at + 0.001)
    dropped = rec.by_session["talk"].dropped
    recorded = await rec.finish("talk")
    assert recorded is not None
    # Never twice as long as the talk: what would run ahead of the clock is dropped.
    assert 3000 <= recorded.duration_ms <= 3000 + 1000  # at most the lead allowed (1 s)
    assert dropped > 0


async def test_overlapping_speakers_replay_one_voice_at_a_time(tmp_path: Path) -> None:
    packets = opus_packets(tmp_path, 3.0)
    rec, clock = recorder(tmp_path)
    rec.start(0, "talk")
    start = clock.now
    # Lin talks for 2 s; Ana talks over her second half and goes on for 1 s after.
    for n in range(100):
        rec.stage_chunk(0, LIN, 500 + n, packets[n], start + n * 0.02)
        if n >= 50:
            rec.stage_chunk(0, ANA, 7 + n, packets[n], start + n * 0.02 + 0.001)
    for n in range(100, 150):
        rec.stage_chunk(0, ANA, 7 + n, packets[n], start + n * 0.02)
    recording = rec.by_session["talk"]
    # Ana's 50 overlapping chunks and the first ones after Lin stopped (the floor is
    # Lin's until she has been quiet for FLOOR_HOLD_S) are dropped, nothing of Lin's.
    quiet = [start + n * 0.02 - (start + 99 * 0.02) for n in range(100, 150)]
    assert recording.dropped == 50 + sum(1 for q in quiet if q < FLOOR_HOLD_S)
    recorded = await rec.finish("talk")
    assert recorded is not None
    assert "WARNING" not in opusinfo(recorded.path)
    # Lin's 2 s, a gap of silence, then Ana to the end: 3 s, in step with the clock.
    assert abs(recorded.duration_ms - 3000) < 30


async def test_nothing_recorded_leaves_no_file_and_discard_deletes(tmp_path: Path) -> None:
    rec, _ = recorder(tmp_path)
    rec.start(0, "quiet")
    assert await rec.finish("quiet") is None
    rec.start(1, "elsewhere")
    path = rec.by_session["elsewhere"].path
    rec.stage_chunk(1, LIN, 1, b"\xf8\xff\xfe", 100.0)
    await rec.pump_once()
    assert path.exists()
    rec.discard("elsewhere")
    assert not path.exists() and rec.by_stage == {}
    assert list((tmp_path / "rec").iterdir()) == []


async def test_chunks_of_stages_not_live_are_ignored(tmp_path: Path) -> None:
    rec, _ = recorder(tmp_path)
    rec.stage_chunk(3, LIN, 1, b"\xf8\xff\xfe", 100.0)
    assert rec.by_stage == {} and not (tmp_path / "rec").exists()
