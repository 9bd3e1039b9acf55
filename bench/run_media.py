"""The media benchmarks behind docs/perf.md ("Media"): voice, and no hall-walk regression.

Suites, each run on a fresh server per run (server pinned to core 0, load
generator to core 1 with ``taskset``, as ``run_benchmarks.py`` does):

* ``voice``: ``voice`` N = 1,000 with 10 % of the visitors in a talk turn
  against the same run with nobody talking (``--talk-share 0``), alternating;
* ``regression``: ``hall-walk`` (N from ``--sizes``, default 1,000) on a
  checkout with media (``--head``, default this one) against one without
  (``--base``), alternating; each side runs its own harness and server, so
  the difference is the tick cost of media routing when nobody talks;
* ``tick``: ``tick_cost.py`` N = 1,000 in process, timing the tick's CPU
  (thread time, which a busy shared machine does not inflate) of the same
  two checkouts, alternating, nobody talking (and, for scale, 10 % talking);
* ``forum``: ``forum`` at ``--forum-clients`` beside ``hall-walk`` at the same N,
  alternating (BENCHMARKS.md judges the forum's pose p99 against it);
* ``fanout``: ``media_fanout.py`` (media inside the pose frames or in frames
  of their own).

Each run's JSON (with the machine, the command, the generator's CPU and the
load average before and after: the machine is shared) goes to
``bench/results/media/``; the summary and a plot go beside them.

    git archive <commit without media> | tar -x -C /tmp/base
    .venv/bin/python bench/run_media.py --only tick regression --base /tmp/base --reps 2
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


#: The throwaway staff account the forum runs sign in with (a fresh data folder per run).
STAFF_LOGIN, STAFF_PASSWORD = "bench@expo.test", "bench-staff-password-0123"


def create_staff(data: Path) -> None:
    """A staff account in a fresh server's data folder, as an operator makes one."""
    cmd = [PY, "-m", "metaexpo", "create-staff", "--data-dir", str(data), "--login", STAFF_LOGIN]
    cmd += ["--display-name", "Bench staff", "--password-stdin"]
    subprocess.run(cmd, cwd=ROOT, input=STAFF_PASSWORD, text=True, check=True, timeout=120)


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
    setup = create_staff if scenario == "forum" else None
    if scenario == "forum":
        args = [*(args or []), "--staff-login", STAFF_LOGIN, "--staff-password", STAFF_PASSWORD]
    try:
        with server("picows", port, UNCAPPED, tree=tree, setup=setup) as url:
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
    if scenario == "forum":
        audio, slides, qa = (report.get(k, {}) for k in ("audio", "slides", "qa"))
        print(
            f"{label:>14} N={n:<5} audio_p99={audio.get('latency_ms', {}).get('p99')} "
            f"gap={audio.get('gap_ratio')} slides_p99={slides.get('latency_ms', {}).get('p99')}"
            f" qa_p99={qa.get('latency_ms', {}).get('p99')} pose_p99={lat.get('p99')}",
            flush=True,
        )
    print(
        f"{label:>14} N={n:<5} seed={seed} p99={lat.get('p99')} "
        f"cpu={report.get('server_cpu_cores')}"
        f" voice_p99={voice.get('latency_ms', {}).get('p99')} misrouted={voice.get('misrouted')}"
        f" missed={voice.get('missed')} load={load_before[0]:.1f}->{report['loadavg_after'][0]:.1f}"
        + (f" FAILED {report['failed'][:80]}" if "failed" in report else ""),
        flush=True,
    )
    return report


def tick_cost(tree: Path | None, n: int, ticks: int, talk_share: float) -> dict[str, Any]:
    """One ``tick_cost.py`` run pinned to the server core, on ``tree``'s server code."""
    env = {**os.environ, "PYTHONPATH": str(tree / "server")} if tree is not None else None
    cmd = [*run_benchmarks.PRIORITY, "taskset", "-c", run_benchmarks.SERVER_CORE, PY]
    cmd += [str(ROOT / "bench" / "tick_cost.py"), str(n), "--ticks", str(ticks)]
    cmd += ["--talk-share", str(talk_share)]
    load = os.getloadavg()
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["loadavg_before"] = load
    return result


def tick_suite(base: Path, head: Path, reps: int, n: int = 1000) -> dict[str, Any]:
    """The tick's CPU with and without media routing, nobody talking, alternating."""
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "media": [], "media-10pct": []}
    for rep in range(reps):
        order = [("base", base, 0.0), ("media", head, 0.0), ("media-10pct", head, 0.1)]
        for name, tree, share in order if rep % 2 == 0 else order[::-1]:
            r = tick_cost(tree, n, 400, share)
            runs[name].append(r)
            print(f"tick {name:>12} N={n} cpu_p50={r['tick_cpu_ms_p50']} ms", flush=True)
    out: dict[str, Any] = {"clients": n, "ticks_per_run": 400, "runs": runs}
    for name, rs in runs.items():
        out[name] = {
            "tick_cpu_ms_p50": statistics.median(r["tick_cpu_ms_p50"] for r in rs),
            "tick_cpu_ms_mean": statistics.median(r["tick_cpu_ms_mean"] for r in rs),
            "reps": [r["tick_cpu_ms_p50"] for r in rs],
        }
    out["media_over_base_cpu"] = round(
        out["media"]["tick_cpu_ms_p50"] / out["base"]["tick_cpu_ms_p50"], 3
    )
    out["method"] = (
        "bench/tick_cost.py: a hall-walk-like room of N null clients in process, 30 % walking; "
        "per tick, the thread's CPU time of run_tick (median over 400 ticks per run; the "
        "median of the runs' medians). base: the checkout without media on PYTHONPATH."
    )
    return out


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
        if ok and "audio" in ok[0]:
            out[name]["forum"] = {
                "audio_latency_p50_ms": median_of(ok, ("audio", "latency_ms", "p50")),
                "audio_latency_p99_ms": median_of(ok, ("audio", "latency_ms", "p99")),
                "audio_gap_ratio": median_of(ok, ("audio", "gap_ratio")),
                "audio_bytes_per_listener_s": median_of(ok, ("audio", "bytes_per_listener_s")),
                "slides_latency_p99_ms": median_of(ok, ("slides", "latency_ms", "p99")),
                "qa_latency_p99_ms": median_of(ok, ("qa", "latency_ms", "p99")),
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
    parser.add_argument(
        "--only", nargs="*", default=["tick", "voice", "regression", "forum", "fanout"]
    )
    parser.add_argument("--base", type=Path, default=None, help="a checkout without media")
    parser.add_argument(
        "--head",
        type=Path,
        default=ROOT,
        help="the checkout with media (default: this one; an export keeps edits out of a run)",
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results" / "media",
        help="folder for the runs' JSON, the summary and the plot (a later round's runs "
        "keep their own folder, so earlier files stay as their summaries describe them)",
    )
    parser.add_argument("--forum-clients", type=int, default=40, help="forum: bots")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000], help="regression: N")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run server and generator at this nice level (e.g. -10) on a shared machine",
    )
    args = parser.parse_args()
    global OUT  # noqa: PLW0603 - one folder per invocation, read by one()
    OUT = args.out.resolve()
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
    tick: dict[str, Any] | None = None
    if "tick" in args.only:
        assert args.base is not None, "--base DIR: a checkout without media"
        head = None if args.head.resolve() == ROOT else args.head.resolve()
        tick = tick_suite(args.base.resolve(), head or ROOT, max(3, args.reps))
    if "forum" in args.only:
        n = args.forum_clients
        for rep in range(args.reps):
            # Pose p99 is judged against hall-walk at the same N in the same run, alternating.
            order = [("forum", "forum"), ("hw-forum-ref", "hall-walk")]
            for label, scenario in order if rep % 2 == 0 else order[::-1]:
                extra = ["--probes", "8", "--slide-every", "5"] if scenario == "forum" else None
                run = one(label, scenario, n, 1 + rep, args.duration, args=extra)
                groups.setdefault(f"{label}-n{n}", []).append(run)
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
        "machine": {"cores": os.cpu_count(), "shared": "with the lead and other helpers"},
        "groups": summarise(groups),
    }
    if tick is not None:
        summary["tick"] = tick
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
    if groups or tick:
        from media_plot import plot_media  # noqa: PLC0415 - sibling, imports matplotlib

        plot_media(summary, OUT / f"media-{stamp}.png")


if __name__ == "__main__":
    main()
