"""The media benchmarks behind docs/perf.md ("Media"): voice, and no hall-walk regression.

Suites, each run on a fresh server per run (server pinned to core 0, load
generator to core 1 with ``taskset``, as ``run_benchmarks.py`` does):

* ``voice``: ``voice`` N = 1,000 with 10 % of the visitors in a talk turn
  against the same run with nobody talking (``--talk-share 0``), alternating;
* ``regression``: ``hall-walk`` (N from ``--sizes``, default 1,000) on a
  checkout with media (``--head``, default this one) against one without
  (``--base``), alternating; each side runs its own harness and server, so
  the difference is the tick cost of media routing when nobody talks;
* ``fanout``: ``media_fanout.py`` (media inside the pose frames or in frames
  of their own).

Each run's JSON (with the machine, the command, the generator's CPU and the
load average before and after: the machine is shared) goes to
``bench/results/media/``; the summary and a plot go beside them.

    git archive <commit without media> | tar -x -C /tmp/base
    .venv/bin/python bench/run_media.py --only regression --base /tmp/base --reps 2 --duration 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import run_benchmarks
from run_benchmarks import PY, ROOT, UNCAPPED, loadtest, server

OUT = ROOT / "bench" / "results" / "media"


def one(
    label: str,
    scenario: str,
    n: int,
    seed: int,
    duration: float,
    tree: Path = ROOT,
    args: list[str] | None = None,
) -> dict[str, Any]:
    """One run on a fresh server; saved and returned (or a failure record)."""
    port = 8700 + (hash((label, scenario, n, seed)) % 200)
    load_before = os.getloadavg()
    try:
        with server("picows", port, UNCAPPED, tree=tree) as url:
            report = loadtest(url, scenario, n, duration, label, seed, tree=tree, args=args)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        report = {"label": label, "scenario": scenario, "clients": n, "seed": seed}
        report["failed"] = str(exc)[:500]
    report["loadavg_before"] = load_before
    report["loadavg_after"] = os.getloadavg()
    report["tree"] = "this checkout" if tree == ROOT else f"base: {tree.name}"
    report["priority"] = run_benchmarks.PRIORITY
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"{label}-{scenario}-n{n}-s{seed}.json"
    (OUT / name).write_text(json.dumps(report, indent=2) + "\n")
    lat = report.get("latency_ms", {})
    voice = report.get("voice", {})
    print(
        f"{label:>14} N={n:<5} seed={seed} p99={lat.get('p99')} "
        f"cpu={report.get('server_cpu_cores')}"
        f" voice_p99={voice.get('latency_ms', {}).get('p99')} misrouted={voice.get('misrouted')}"
        f" missed={voice.get('missed')} load={load_before[0]:.1f}->{report['loadavg_after'][0]:.1f}"
        + (f" FAILED {report['failed'][:80]}" if "failed" in report else ""),
        flush=True,
    )
    return report


def median_of(runs: list[dict[str, Any]], path: tuple[str, ...]) -> float | None:
    values = []
    for r in runs:
        v: Any = r
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        if isinstance(v, int | float):
            values.append(float(v))
    return statistics.median(values) if values else None


def summarise(groups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Median figures per group of runs, with every run's p99 and the load they saw."""
    out: dict[str, Any] = {}
    for name, runs in groups.items():
        ok = [r for r in runs if "failed" not in r]
        out[name] = {
            "runs": len(runs),
            "failed": len(runs) - len(ok),
            "p99_ms": median_of(ok, ("latency_ms", "p99")),
            "p99_reps": [r["latency_ms"]["p99"] for r in ok],
            "p50_ms": median_of(ok, ("latency_ms", "p50")),
            "server_cpu_cores": median_of(ok, ("server_cpu_cores",)),
            "cpu_reps": [r["server_cpu_cores"] for r in ok],
            "down_bytes_per_client_s": median_of(ok, ("bytes_per_client_s", "down")),
            "tick_p50_ms": median_of(ok, ("tick_ms", "p50")),
            "tick_p99_ms": median_of(ok, ("tick_ms", "p99")),
            "tick_p99_reps": [r["tick_ms"]["p99"] for r in ok],
            "generator_cpu_cores": median_of(ok, ("generator_cpu_cores",)),
            "clients_connected": [r["clients_connected"] for r in ok],
            "loadavg_before": [round(r["loadavg_before"][0], 2) for r in runs],
        }
        if ok and "voice" in ok[0]:
            out[name]["voice"] = {
                "latency_p50_ms": median_of(ok, ("voice", "latency_ms", "p50")),
                "latency_p99_ms": median_of(ok, ("voice", "latency_ms", "p99")),
                "latency_p99_reps": [r["voice"]["latency_ms"]["p99"] for r in ok],
                "server_added_p99_ms": median_of(ok, ("voice", "server_added_ms", "p99")),
                "bytes_per_listener_s": median_of(ok, ("voice", "bytes_per_listener_s")),
                "speakers_per_listener_mean": median_of(
                    ok, ("voice", "speakers_per_listener", "mean")
                ),
                "speakers_per_listener_max": max(
                    r["voice"]["speakers_per_listener"]["max"] for r in ok
                ),
                "misrouted_total": sum(r["voice"]["misrouted"] for r in ok),
                "missed_total": sum(r["voice"]["missed"] for r in ok),
                "expected_total": sum(r["voice"]["expected"] for r in ok),
                "capped_total": sum(r["voice"]["capped"] for r in ok),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=["voice", "regression", "fanout"])
    parser.add_argument("--base", type=Path, default=None, help="a checkout without media")
    parser.add_argument(
        "--head",
        type=Path,
        default=ROOT,
        help="the checkout with media (default: this one; an export keeps edits out of a run)",
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000], help="regression: N")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run server and generator at this nice level (e.g. -10) on a shared machine",
    )
    args = parser.parse_args()
    if args.nice:
        run_benchmarks.PRIORITY = ["nice", "-n", str(args.nice)]
    groups: dict[str, list[dict[str, Any]]] = {}
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if "voice" in args.only:
        for rep in range(args.reps):
            order = [("voice-10pct", "0.1"), ("voice-silent", "0")]
            for label, share in order if rep % 2 == 0 else order[::-1]:
                run = one(
                    label, "voice", 1000, 1 + rep, args.duration, args=["--talk-share", share]
                )
                groups.setdefault(label, []).append(run)
    if "regression" in args.only:
        assert args.base is not None, "--base DIR: a worktree of the previous commit"
        base = args.base.resolve()
        for rep in range(args.reps):
            for n in args.sizes:
                order = [("hw-base", base), ("hw-media", args.head.resolve())]
                for label, tree in order if rep % 2 == 0 else order[::-1]:
                    run = one(label, "hall-walk", n, 1 + rep, args.duration, tree=tree)
                    groups.setdefault(f"{label}-n{n}", []).append(run)
    summary: dict[str, Any] = {
        "started": started,
        "argv": sys.argv,
        "priority": run_benchmarks.PRIORITY,
        "groups": summarise(groups),
    }
    if "fanout" in args.only:
        out = OUT / "fanout-n1000.json"
        subprocess.run(
            [
                *run_benchmarks.PRIORITY,
                PY,
                str(ROOT / "bench" / "media_fanout.py"),
                "--clients",
                "1000",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            timeout=600,
        )
        summary["fanout"] = json.loads(out.read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"summary-{stamp}.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["groups"], indent=2))
    if groups:
        from media_plot import plot_media  # noqa: PLC0415 - sibling, imports matplotlib

        plot_media(summary, OUT / f"media-{stamp}.png")


if __name__ == "__main__":
    main()
