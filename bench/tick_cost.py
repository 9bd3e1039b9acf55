"""Time the sync tick alone, in process, on a hall-walk-like room (no sockets).

Clients are null sinks, so this isolates the tick's own cost (drain, apply,
interest, encode, fan-out loop) from WebSocket I/O. Usage:

    .venv/bin/python bench/tick_cost.py [N ...] [--profile]

Prints one JSON line per N with the median and p99 tick time over 200 ticks
(wall time, and the thread's CPU time, which a busy shared machine does not
inflate). ``--talk-share 0.1`` makes that share of the visitors talk (one
AUDIO frame of 20 ms chunks per visitor per frame period, ~70-byte chunks)
and times the media intake (``submit_audio``) separately. With another
checkout's ``server/`` first on ``PYTHONPATH`` (one without media) it times
that checkout's tick the same way (``bench/run_media.py --only tick``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time

import numpy as np

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.tuning import sync_config
from metaexpo.protocol.frames import AvatarFlag, encode_desktop_pose
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.sync.tick import run_tick

try:  # protocol version 2; without it (a checkout before media) nobody can talk
    from metaexpo.protocol.frames import MediaStream, encode_audio_frame
except ImportError:  # pragma: no cover - only when timing an older checkout
    MediaStream = encode_audio_frame = None  # type: ignore[assignment,misc]


class NullLink:
    """A client that accepts bytes and does nothing (like a socket write that never blocks)."""

    def __init__(self) -> None:
        self.sent = 0
        self.send_binary = self._count

    def _count(self, data: bytes) -> None:
        self.sent += 1

    def send_text(self, data: bytes) -> None:
        self.sent += 1

    def close(self, code: int, reason: str) -> None:
        pass


def build(
    n: int, seed: int = 1, phases: int = 2
) -> tuple[Room, list[int], np.ndarray, list[float]]:
    clock = [1000.0]
    room = Room(
        RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0)),
        sync_config(Settings(fanout_phases=phases)),
        LocalBus(),
        clock=lambda: clock[0],
    )
    rng = np.random.default_rng(seed)
    booths = rng.uniform(-110, 110, (56, 2))
    walkers = []
    for i in range(n):
        j = room.join(NullLink(), f"bot{i}", "celadon", "desktop")
        bx, bz = booths[rng.integers(len(booths))] + rng.normal(0, 2, 2)
        room.teleport(j.row, (float(bx), 1.6, float(bz)), None)
        if rng.random() < 0.3:
            walkers.append(j.row)
    dirs = rng.normal(0, 1, (len(walkers), 2))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    return room, walkers, dirs, clock


def run(
    n: int, ticks: int, profile: bool, phases: int = 2, talk_share: float = 0.0
) -> dict[str, float]:
    room, walkers, dirs, clock = build(n, phases=phases)
    period = room.config.tick_period
    rng = np.random.default_rng(7)
    active = room.state.active_rows()
    talkers = rng.choice(active, round(len(active) * talk_share), replace=False).tolist()
    assert not talkers or encode_audio_frame is not None, "this checkout has no media frames"
    chunks_per_frame = max(1, round(period / 0.02))
    intake: list[float] = []
    for _ in range(5):
        clock[0] += period
        run_tick(room, clock[0])
    durations = []
    cpu = []
    prof = cProfile.Profile() if profile else None
    for tick in range(ticks):
        clock[0] += period
        c0 = time.thread_time()
        for row in talkers:
            seq = tick * chunks_per_frame
            frame = encode_audio_frame(
                MediaStream.VOICE, [(seq + k, b"\x5a" * 70) for k in range(chunks_per_frame)]
            )
            room.submit_audio(row, frame, clock[0])
        if talkers:
            intake.append(time.thread_time() - c0)
        for k, slot in enumerate(walkers):
            x, y, z = room.state.pos[slot]
            nx = float(np.clip(x + dirs[k, 0] * 0.07, -127, 127))
            nz = float(np.clip(z + dirs[k, 1] * 0.07, -127, 127))
            room.submit_pose(
                slot, encode_desktop_pose((nx, y, nz), 0.0, 0.0, AvatarFlag.MOVING), clock[0]
            )
        if prof:
            prof.enable()
        t, c = time.perf_counter(), time.thread_time()
        run_tick(room, clock[0])
        durations.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        if prof:
            prof.disable()
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    durations.sort()
    cpu.sort()
    return {
        "clients": n,
        "phases": phases,
        "talk_share": talk_share,
        "tick_ms_p50": round(statistics.median(durations) * 1000, 3),
        "tick_ms_p99": round(durations[int(len(durations) * 0.99) - 1] * 1000, 3),
        "tick_cpu_ms_mean": round(statistics.mean(cpu) * 1000, 3),
        "tick_cpu_ms_p50": round(statistics.median(cpu) * 1000, 3),
        "intake_cpu_ms_per_tick": round(statistics.mean(intake) * 1000, 3) if intake else 0.0,
        "frames_per_tick": room.stats.frames_out / room.stats.ticks,
        "media_chunks_out_per_tick": getattr(room.stats, "media_chunks_out", 0) / room.stats.ticks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="*", type=int, default=[100, 500, 1000, 2000])
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--phases", type=int, default=2, help="fan-out phases (steps per frame)")
    parser.add_argument("--talk-share", type=float, default=0.0, help="share of visitors talking")
    args = parser.parse_args()
    for n in args.n:
        print(json.dumps(run(n, args.ticks, args.profile, args.phases, args.talk_share)))


if __name__ == "__main__":
    main()
