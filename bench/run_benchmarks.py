"""The benchmark suite behind docs/perf.md.

Starts a fresh server per run pinned to core 0 (``taskset``) and the load
generator pinned to core 1, runs the BENCHMARKS.md scenarios, and writes one
JSON per run plus a summary (JSON, Markdown tables, PNG plots) under
``bench/results/``. Everything targets loopback and stops by itself.

    .venv/bin/python bench/run_benchmarks.py                # the full suite (~40 min)
    .venv/bin/python bench/run_benchmarks.py --only scaling --reps 1 --duration 10

Suites: scaling (hall-walk N = 100…2000 on picows), crowd (250, 500), transport
(the FastAPI/uvicorn WebSocket route vs picows), naive (JSON broadcast baseline),
slow-reader (side by side with hall-walk), churn, capacity (N beyond 2000 until
p99 > 60 ms or a disconnect), overload (2× capacity offered to a server capped
at the capacity).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SERVER_CORE = "0"
GENERATOR_CORE = "1"
#: Measurement and scaling runs must not be capped by the product's own guards.
UNCAPPED = ["--max-clients", "20000", "--tick-load-limit", "1.0"]
#: Prefix of the server and generator commands, e.g. ["nice", "-n", "-10"] on a machine
#: shared with other work (bench/run_media.py --nice); empty: the default priority.
PRIORITY: list[str] = []


def tree_env(tree: Path) -> dict[str, str] | None:
    """Environment that runs the code of another checkout ``tree`` (e.g. a worktree of the
    previous commit) with this checkout's interpreter: its ``server/`` first on the path."""
    if tree == ROOT:
        return None
    return {**os.environ, "PYTHONPATH": str(tree / "server")}


@contextlib.contextmanager
def server(
    kind: str,
    port: int,
    extra: list[str],
    tree: Path = ROOT,
    setup: Callable[[Path], None] | None = None,
) -> Iterator[str]:
    """A fresh server on ``port``, pinned to the server core; yields its base URL.
    ``setup`` gets the empty data folder first (e.g. to create a staff account)."""
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    if setup is not None:
        setup(data)
    if kind == "naive":
        cmd = [PY, str(ROOT / "bench" / "naive_server.py"), "--port", str(port)]
    else:
        cmd = [
            PY,
            "-m",
            "metaexpo",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data),
            "--log-level",
            "warning",
            "--sync-transport",
            kind,
            *extra,
        ]
    proc = subprocess.Popen(
        [*PRIORITY, "taskset", "-c", SERVER_CORE, *cmd],
        cwd=tree,
        env=tree_env(tree),
        stdout=subprocess.DEVNULL,
        stderr=(data / "server.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A loaded shared machine can take a minute to start a server; never start the load
        # test against one that is not answering yet.
        deadline = time.monotonic() + 180
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/rooms/main", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not answer within 180 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


def loadtest(
    url: str,
    scenario: str,
    n: int,
    duration: float,
    label: str,
    seed: int,
    tree: Path = ROOT,
    args: list[str] | None = None,
) -> dict[str, Any]:
    """One harness run pinned to the generator core (``tree``'s harness); returns its report."""
    out = Path(tempfile.mkdtemp(prefix="lt-")) / "r.json"
    ramp = max(2.0, n / 200)
    cmd = [
        *PRIORITY,
        "taskset",
        "-c",
        GENERATOR_CORE,
        PY,
        "-m",
        "metaexpo",
        "loadtest",
        "--url",
        url,
        "--scenario",
        scenario,
        "--clients",
        str(n),
        "--duration",
        str(duration),
        "--ramp",
        str(ramp),
        "--seed",
        str(seed),
        "--procs",
        "2",  # probes in a process of their own (loadtest/runner.py split_plans)
        "--probes",
        "32",
        "--json",
        str(out),
        "--label",
        label,
        "--quiet",
        *(args or []),
    ]
    subprocess.run(cmd, cwd=tree, env=tree_env(tree), check=True, timeout=duration + ramp + 120)
    report: dict[str, Any] = json.loads(out.read_text())
    report["server_core"] = SERVER_CORE
    report["generator_core"] = GENERATOR_CORE
    return report


def save(report: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{report['label']}-{report['scenario']}-n{report['clients']}-s{report['seed']}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")


def _failure(exc: Exception) -> str:
    """One line saying how a run failed (the full command is in the suite's output)."""
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"no report within {exc.timeout:.0f} s: the server or the generator was overwhelmed"
    if isinstance(exc, subprocess.CalledProcessError):
        return f"the load generator exited with status {exc.returncode}"
    return str(exc)


def one(
    kind: str,
    scenario: str,
    n: int,
    args: argparse.Namespace,
    label: str,
    extra: list[str] | None = None,
    rep: int = 0,
) -> dict[str, Any]:
    port = 8200 + (hash((kind, scenario, n, rep)) % 500)
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    try:
        with server(kind, port, UNCAPPED if extra is None else extra) as url:
            report = loadtest(url, scenario, n, args.duration, label, seed=1 + rep)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        # A collapsing server (the naive baseline) is a result too: saved, and the suite goes on.
        print(f"{label:>12} {scenario:>11} N={n:<5} FAILED: {exc}", flush=True)
        failed = {
            "label": label,
            "scenario": scenario,
            "clients": n,
            "seed": 1 + rep,
            "transport": kind,
            "failed": _failure(exc),
            "started_at": started,
            "server_core": SERVER_CORE,
            "generator_core": GENERATOR_CORE,
        }
        save(failed)
        return failed
    report["transport"] = kind
    report["server_core"] = SERVER_CORE
    save(report)
    lat = report["latency_ms"]
    print(
        f"{label:>12} {scenario:>11} N={n:<5} p50={lat['p50']} p99={lat['p99']} "
        f"cpu={report['server_cpu_cores']} gen={report['generator_cpu_cores']} "
        f"down={report['bytes_per_client_s']['down']} disc={report['disconnects']} "
        f"err={report['errors']} conn={report['clients_connected']}",
        flush=True,
    )
    return report


def median_run(
    kind: str,
    scenario: str,
    n: int,
    args: argparse.Namespace,
    label: str,
    extra: list[str] | None = None,
) -> dict[str, Any]:
    """The run with the median p99 latency out of ``--reps`` repetitions, with the spread."""
    runs = [one(kind, scenario, n, args, label, extra, rep) for rep in range(args.reps)]
    ok = [r for r in runs if "failed" not in r]
    if not ok:
        return runs[0]
    runs = ok
    runs.sort(key=lambda r: r["latency_ms"]["p99"] or 1e9)
    mid = dict(runs[len(runs) // 2])
    mid["reps"] = [
        {k: r[k] for k in ("latency_ms", "server_cpu_cores", "disconnects", "seed")} for r in runs
    ]
    mid["server_cpu_cores_median"] = statistics.median(r["server_cpu_cores"] for r in runs)
    return mid


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 250, 500, 1000, 2000])
    args = parser.parse_args()
    want = set(args.only) if args.only else None

    def on(name: str) -> bool:
        return want is None or name in want

    summary: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "argv": sys.argv,
        "cpus": os.cpu_count(),
    }
    if on("scaling"):
        summary["scaling"] = [
            median_run("picows", "hall-walk", n, args, "picows") for n in args.sizes
        ]
    if on("phases"):
        # Side by side with scaling: the same server with one fan-out phase (the old tick).
        one_phase = [*UNCAPPED, "--fanout-phases", "1"]
        summary["one_phase"] = [
            median_run("picows", "hall-walk", n, args, "one-phase", one_phase) for n in (1000, 2000)
        ]
    if on("crowd"):
        summary["crowd"] = [median_run("picows", "crowd", n, args, "picows") for n in (250, 500)]
    if on("transport"):
        summary["transport"] = [
            median_run("asgi", "hall-walk", n, args, "asgi") for n in args.sizes if n <= 1000
        ]
    if on("naive"):
        summary["naive"] = [median_run("naive", "hall-walk", n, args, "naive") for n in (100, 250)]
    if on("slow-reader"):
        pair = []
        for rep in range(args.reps):
            pair.append(one("picows", "hall-walk", 1000, args, "sr-base", rep=rep))
            pair.append(one("picows", "slow-reader", 1000, args, "sr-slow", rep=rep))
        summary["slow_reader"] = pair
    if on("churn"):
        summary["churn"] = [median_run("picows", "churn", 1000, args, "churn")]
    if on("capacity"):
        cap = []
        for n in (1500, 2500, 3000, 3500):
            r = one("picows", "hall-walk", n, args, "capacity")
            cap.append(r)
            if n > 2000 and ((r["latency_ms"]["p99"] or 1e9) > 60 or r["disconnects"] > 0):
                break
        summary["capacity"] = cap
    if on("overload"):
        capped = ["--max-clients", "2000"]
        summary["overload"] = [one("picows", "hall-walk", 4000, args, "overload", extra=capped)]
    from bench_report import rebuild  # noqa: PLC0415 - sibling

    # The summary covers every run saved in bench/results, from this invocation or earlier ones.
    print(rebuild(RESULTS, summary["argv"]))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
