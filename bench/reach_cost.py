"""What counting reach costs beside the sync tick, in process, at N avatars in the main hall.

A hall-walk-like room (as ``bench/tick_cost.py``: null clients, 30 % of avatars walking)
on the real catalog's main hall, most avatars standing at booths, runs its ticks on a
simulated clock; once per simulated second the reach sampler samples it
(``Reach.sample``, as the server's sampling loop does), and every ``--flush`` simulated
seconds the current figures are batched and written to a SQLite database (as the
writing loop does, whose database work runs in a thread in the server). Each part is
timed with ``time.process_time`` deltas around it (CPU, not wall clock), so a shared
machine's other work does not count. Usage:

    taskset -c 0 .venv/bin/python bench/reach_cost.py [N ...] [--seconds S] [--json FILE]

Prints one JSON object per N: tick CPU per simulated second, sampling CPU per second,
batching + writing CPU per second, and each as a share of the tick's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from metaexpo.analytics.service import Reach
from metaexpo.analytics.store import ReachStore
from metaexpo.analytics.uniques import ExactUniques
from metaexpo.analytics.visitors import KEY_BITS
from metaexpo.bus.local import LocalBus
from metaexpo.config import PROJECT_ROOT, Settings
from metaexpo.gateway.tuning import sync_config
from metaexpo.http.reach_wiring import RoomReachView, hall_layouts
from metaexpo.protocol.frames import AvatarFlag, encode_desktop_pose
from metaexpo.scenes.catalog import load_catalog
from metaexpo.store import open_database
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.sync.tick import run_tick

HALL = "main"
#: Wall clock of the simulation's start (epoch seconds, a whole minute).
EPOCH = 1_796_000_000.0 - 1_796_000_000.0 % 60


class NullLink:
    """A client that accepts bytes and does nothing (as in bench/tick_cost.py)."""

    def __init__(self) -> None:
        self.send_binary = self._drop

    def _drop(self, data: bytes, /) -> None:
        pass

    def send_text(self, data: bytes) -> None:
        pass

    def close(self, code: int, reason: str) -> None:
        pass


def build(n: int, seed: int = 1) -> tuple[Room, list[int], np.ndarray, list[float]]:
    """A room of ``n`` avatars: 70 % at booths of the main hall, the rest anywhere."""
    catalog = load_catalog(PROJECT_ROOT / "scenes")
    clock = [1000.0]
    room = Room(
        RoomSpec(HALL, Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0)),
        sync_config(Settings()),
        LocalBus(),
        clock=lambda: clock[0],
    )
    rng = np.random.default_rng(seed)
    booths = [b for b in catalog.booths if b.hall == HALL]
    centres = np.array([[sum(b.rect.x) / 2, sum(b.rect.z) / 2] for b in booths])
    walkers = []
    for i in range(n):
        key = int(rng.integers(1, 1 << KEY_BITS))
        j = room.join(NullLink(), f"bot{i}", "celadon", "desktop", visitor=key)
        if rng.random() < 0.7:
            x, z = centres[rng.integers(len(centres))] + rng.normal(0, 3, 2)
        else:
            x, z = rng.uniform(-120, 120, 2)
        room.teleport(j.row, (float(x), 1.6, float(z)), None)
        if rng.random() < 0.3:
            walkers.append(j.row)
    dirs = rng.normal(0, 1, (len(walkers), 2))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    return room, walkers, dirs, clock


def run(n: int, seconds: int, flush_s: float, data_dir: Path) -> dict[str, Any]:
    room, walkers, dirs, clock = build(n)
    catalog = load_catalog(PROJECT_ROOT / "scenes")
    reach = Reach(
        {HALL: hall_layouts(catalog)[HALL]},
        "bench/1",
        ExactUniques(),
        lambda wall: "2026-12-06",
        clock=lambda: clock[0],
        wall=lambda: EPOCH + clock[0],
    )
    views = {HALL: RoomReachView(room)}
    store = ReachStore(open_database(Settings(data_dir=data_dir)))
    period = room.config.tick_period
    ticks_per_s = round(1.0 / period)
    for _ in range(5):
        clock[0] += period
        run_tick(room, clock[0])
    tick_cpu = 0.0
    sample_cpu: list[float] = []
    batch_cpu = write_cpu = 0.0
    first_flush = 0.0
    flushes = 0
    for second in range(seconds):
        for _ in range(ticks_per_s):
            clock[0] += period
            for k, slot in enumerate(walkers):
                x, y, z = room.state.pos[slot]
                nx = float(np.clip(x + dirs[k, 0] * 0.07, -127, 127))
                nz = float(np.clip(z + dirs[k, 1] * 0.07, -127, 127))
                pose = encode_desktop_pose((nx, y, nz), 0.0, 0.0, AvatarFlag.MOVING)
                room.submit_pose(slot, pose, clock[0])
            t = time.process_time()
            run_tick(room, clock[0])
            tick_cpu += time.process_time() - t
        t = time.process_time()
        reach.sample(views)
        sample_cpu.append(time.process_time() - t)
        if (second + 1) % flush_s == 0:
            t = time.process_time()
            batch = reach.batch()
            batch_cpu += time.process_time() - t
            t = time.process_time()
            store.write(batch)
            reach.written(batch)
            write_cpu += time.process_time() - t
            if not flushes:  # every avatar arrived at once: a burst of new visitors to write
                first_flush = batch_cpu + write_cpu
            flushes += 1
    tick_per_s = tick_cpu / seconds
    sample_per_s = sum(sample_cpu) / seconds
    write_per_s = (batch_cpu + write_cpu) / seconds
    sample_cpu.sort()
    return {
        "clients": n,
        "simulated_s": seconds,
        "ticks_per_s": ticks_per_s,
        "flush_s": flush_s,
        "flushes": flushes,
        "tick_cpu_ms_per_s": round(tick_per_s * 1000, 2),
        "sample_cpu_ms_per_s": round(sample_per_s * 1000, 3),
        "sample_ms_p50": round(statistics.median(sample_cpu) * 1000, 3),
        "sample_ms_max": round(sample_cpu[-1] * 1000, 3),
        "batch_and_write_cpu_ms_per_s": round(write_per_s * 1000, 3),
        "first_flush_cpu_ms": round(first_flush * 1000, 2),
        "batch_and_write_cpu_ms_per_s_after_first": round(
            (batch_cpu + write_cpu - first_flush) / max(1, seconds - flush_s) * 1000, 3
        ),
        "sample_share_of_tick": round(sample_per_s / tick_per_s, 4),
        "total_share_of_tick": round((sample_per_s + write_per_s) / tick_per_s, 4),
        "booth_visits_counted": sum(t.visits for t in store.totals("booth", 0, 1 << 31).values()),
    }


def machine() -> dict[str, Any]:
    """Where this ran (the machine is shared: say so in the results)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "commit": commit,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="*", type=int, default=[2000])
    parser.add_argument("--seconds", type=int, default=120, help="simulated seconds per N")
    parser.add_argument("--flush", type=int, default=10, help="seconds between writes")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = []
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(n, args.seconds, args.flush, Path(tmp))
        print(json.dumps(result))
        results.append(result)
    if args.json:
        report = {"benchmark": "reach_cost", "machine": machine(), "results": results}
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
