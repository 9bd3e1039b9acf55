"""Media across nodes: the `voice` and `forum` scenarios on one node and on three, side by side.

BENCHMARKS.md asks what the bus adds to media: voice over three nodes with
Redis at N = 600 ("cross-node voice adds ≤ 20 ms") and the forum's stage audio
over three nodes ("reaches every node's listeners with ≤ +20 ms"). Each rep
runs the same scenario, N and seed on one node and then on three nodes that
share Redis, PostgreSQL and a secret key (as a real deployment does: the
forum's session, its staff and its tokens must be the same on every node),
the bots spread evenly over the nodes. Every server-side process (nodes,
Redis, PostgreSQL) is pinned to core 0 and the generator to core 1, so the
three-node figures show the bus's cost on one shared core, not extra hardware.

    PYTHONPATH=server .venv/bin/python bench/media_nodes.py [--scenarios voice forum]
        [--clients 600] [--reps 2] [--duration 20]

Writes ``bench/results/media/nodes-<stamp>.json`` (every run's report and a
summary: medians over the reps of each figure, and three minus one node).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from run_media import STAFF_LOGIN, STAFF_PASSWORD
from run_multinode import PY, ROOT, node, pinned_postgres, redis_server

OUT = ROOT / "bench" / "results" / "media"

#: Figures summarised per set-up: (name, path in the report).
FIGURES: dict[str, tuple[str, ...]] = {
    "pose_p99_ms": ("latency_ms", "p99"),
    "voice_p50_ms": ("voice", "latency_ms", "p50"),
    "voice_p99_ms": ("voice", "latency_ms", "p99"),
    "voice_bytes_per_listener_s": ("voice", "bytes_per_listener_s"),
    "voice_misrouted": ("voice", "misrouted"),
    "voice_missed": ("voice", "missed"),
    "voice_expected": ("voice", "expected"),
    "audio_p50_ms": ("audio", "latency_ms", "p50"),
    "audio_p99_ms": ("audio", "latency_ms", "p99"),
    "audio_gap_ratio": ("audio", "gap_ratio"),
    "slides_p99_ms": ("slides", "latency_ms", "p99"),
    "generator_cpu_cores": ("generator_cpu_cores",),
}


def create_staff(database: str | None, data: Path) -> None:
    """The staff account the forum run signs in with, as an operator makes one."""
    cmd = [PY, "-m", "metaexpo", "create-staff", "--data-dir", str(data), "--login", STAFF_LOGIN]
    if database:
        cmd += ["--database-url", database]
    cmd += ["--display-name", "Bench staff", "--password-stdin"]
    subprocess.run(cmd, cwd=ROOT, input=STAFF_PASSWORD, text=True, check=True, timeout=120)


def harness(
    urls: list[str], scenario: str, n: int, duration: float, seed: int, label: str
) -> dict[str, Any]:
    """One loadtest run over ``urls`` (bots spread evenly), pinned to the generator core."""
    folder = Path(tempfile.mkdtemp(prefix="mn-media-"))
    out = folder / "r.json"
    cmd = ["taskset", "-c", "1", PY, "-m", "metaexpo", "loadtest", "--scenario", scenario]
    cmd += ["--clients", str(n), "--duration", str(duration), "--ramp", str(max(2.0, n / 150))]
    cmd += ["--seed", str(seed), "--procs", "2", "--probes", "32", "--json", str(out)]
    cmd += ["--label", label, "--quiet"]
    if scenario == "voice":
        cmd += ["--talk-share", "0.1"]
    else:
        # As bench/run_media.py's forum suite: 8 probe listeners, a slide every 5 s.
        cmd += ["--probes", "8", "--slide-every", "5", "--staff-login", STAFF_LOGIN]
        cmd += ["--staff-password", STAFF_PASSWORD]
    for url in urls:
        cmd += ["--url", url]
    try:
        subprocess.run(cmd, cwd=ROOT, check=True, timeout=duration + 300)
        return dict(json.loads(out.read_text()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(scenario: str, nodes: int, n: int, duration: float, seed: int) -> dict[str, Any]:
    """One scenario on ``nodes`` fresh nodes (three: sharing Redis, PostgreSQL, a secret)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"media-{nodes}n-"))
    names = [f"n{i + 1}" for i in range(nodes)]
    load_before = os.getloadavg()
    with contextlib.ExitStack() as parts:
        parts.callback(shutil.rmtree, tmp, True)  # the nodes' data folders, after they stop
        database = None
        shared: tuple[str, ...] = ()
        if nodes > 1:
            database = parts.enter_context(pinned_postgres())
            redis_url = parts.enter_context(redis_server(tmp))
            shared = ("--redis-url", redis_url, "--database-url", database)
            shared += ("--secret-key", secrets.token_urlsafe(32))
        if scenario == "forum":
            (tmp / names[0]).mkdir(parents=True, exist_ok=True)
            create_staff(database, tmp / names[0])
        urls = [parts.enter_context(node(tmp, name, *shared)) for name in names]
        label = f"{scenario}-{nodes}n"
        try:
            report = harness(urls, scenario, n, duration, seed, label)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            report = {"label": label, "failed": str(exc)[:500]}
    report["nodes"] = nodes
    report["loadavg_before"] = load_before
    report["loadavg_after"] = os.getloadavg()
    return report


def dig(report: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """The number at ``path`` in a run's report, or None where the run has none."""
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per scenario and set-up: the median of each figure over the reps; three minus one."""
    out: dict[str, Any] = {}
    for scenario in sorted({r["scenario"] for r in runs if "scenario" in r}):
        groups: dict[str, dict[str, Any]] = {}
        for nodes in (1, 3):
            ok = [r for r in runs if r.get("scenario") == scenario and r["nodes"] == nodes]
            ok = [r for r in ok if "failed" not in r]
            row: dict[str, Any] = {"runs": len(ok)}
            for name, path in FIGURES.items():
                values = [v for v in (dig(r, path) for r in ok) if v is not None]
                if values:
                    row[name] = statistics.median(values)
                    row[f"{name}_reps"] = values
            groups[f"{nodes}-node"] = row
        one, three = groups["1-node"], groups["3-node"]
        groups["three_minus_one_ms"] = {
            name: round(three[name] - one[name], 1)
            for name in ("pose_p99_ms", "voice_p99_ms", "audio_p99_ms", "slides_p99_ms")
            if name in one and name in three
        }
        out[scenario] = groups
    return out


def main() -> None:
    """Run the scenarios asked for on one node and on three, alternating; write the JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenarios", nargs="*", default=["voice", "forum"])
    parser.add_argument("--clients", type=int, default=600)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"nodes-{time.strftime('%Y%m%d-%H%M%S')}.json"
    runs: list[dict[str, Any]] = []
    result: dict[str, Any] = {
        "started": started,
        "argv": sys.argv,
        "machine": {"cores": os.cpu_count(), "server_core": 0, "generator_core": 1},
        "method": "each rep: the scenario on one node, then on three nodes sharing Redis, "
        "PostgreSQL and a secret key (order alternates), same N and seed, bots spread evenly; "
        "server-side processes on core 0, the generator on core 1",
        "runs": runs,
    }
    for rep in range(args.reps):
        for scenario in args.scenarios:
            order = (1, 3) if rep % 2 == 0 else (3, 1)
            for nodes in order:
                r = run(scenario, nodes, args.clients, args.duration, 1 + rep)
                r["scenario"] = scenario
                runs.append(r)
                print(
                    f"{scenario:>6} nodes={nodes} N={args.clients} "
                    + " ".join(f"{k}={dig(r, p)}" for k, p in FIGURES.items())
                    + (f" FAILED {r['failed'][:120]}" if "failed" in r else ""),
                    flush=True,
                )
                # Written after every run: a crash late in the suite keeps what ran.
                result["summary"] = summarise(runs)
                path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["summary"], indent=2))
    print(path)


if __name__ == "__main__":
    main()
