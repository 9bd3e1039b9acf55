"""What a generator process counts between two reports to the harness."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np


def wire_size(payload: int) -> int:
    """Server frame size on the wire (unmasked header + payload)."""
    return payload + (2 if payload < 126 else 4 if payload < 65536 else 10)


@dataclass
class Counters:
    """What a worker counted since its last report."""

    bytes_down: int = 0
    frames_down: int = 0
    bytes_up: int = 0
    frames_up: int = 0
    probe_records: int = 0
    probe_pose_bytes: int = 0
    probe_frames: int = 0
    keyframes: int = 0
    latencies: list[np.ndarray] = field(default_factory=list)
    #: Same samples, split by whether sender and receiver are on the same server node.
    latencies_same: list[np.ndarray] = field(default_factory=list)
    latencies_cross: list[np.ndarray] = field(default_factory=list)
    join_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    disconnects: Counter[str] = field(default_factory=Counter)
    slow_disconnects: int = 0
    #: Media sent by this process's talkers (chunks, and Opus bytes incl. the 4-byte head).
    media_chunks_sent: int = 0
    media_bytes_sent: int = 0
    #: Slots of the stage chunks the forum host sent.
    host_slots: list[int] = field(default_factory=list)
    #: Probe listeners: voice chunk ages (ms), media bytes (record heads included), checks.
    voice_latencies: list[int] = field(default_factory=list)
    voice_bytes: int = 0
    voice_chunks: int = 0
    speakers_per_second: list[int] = field(default_factory=list)
    misrouted: int = 0
    expected: int = 0
    missed: int = 0
    capped: int = 0
    stage_latencies: list[int] = field(default_factory=list)
    #: forum: slide turns the host sent and probes saw, as (page, wall-clock ms).
    slides_sent: list[tuple[int, int]] = field(default_factory=list)
    slides_seen: list[tuple[int, int]] = field(default_factory=list)
    #: forum: question sent → the moderator's queue shows it (ms), and questions sent.
    qa_latencies: list[int] = field(default_factory=list)
    questions_sent: int = 0
    stage_bytes: int = 0
