"""Benchmark one hall on one node against the same hall on three nodes sharing Redis.

Side by side in one run, for each N: hall-walk on a single node, then on three
nodes (bots spread evenly over them) joined by a real redis-server; then the
same three nodes behind one port, as ``--workers 3`` (SO_REUSEPORT) and behind
nginx. Every server-side process (nodes, Redis, nginx) is pinned to core 0 and
the load generator to core 1, so the three-node figures show the cost of the
bus on one shared core, not extra hardware. Reports the cross-node latency
overhead, Redis CPU and bytes per tick, and each node's CPU.

    .venv/bin/python bench/run_multinode.py [--sizes 300 600] [--duration 20] [--reps 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
UNCAPPED = ["--max-clients", "20000", "--tick-load-limit", "1.0"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/rooms/main", timeout=1).status_code == 200:
                return
        if proc.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def pinned(cmd: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        ["taskset", "-c", "0", *cmd], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb")
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


TREES: dict[str, subprocess.Popen[bytes]] = {}


def tree_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds of a process and all its children (workers, taskset's exec)."""
    root = psutil.Process(proc.pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


@contextlib.contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    exe = shutil.which("redis-server")
    assert exe, "redis-server is not installed (scripts/bootstrap test installs it)"
    with pinned(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        tmp / "redis.log",
    ) as proc:
        TREES["redis"] = proc
        client = redis.Redis(port=port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
        TREES.pop("redis", None)


@contextlib.contextmanager
def pinned_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL pinned to core 0 with the nodes; yields a fresh database's URL.

    It lives in the system's temporary folder: initdb runs as the postgres user, who may
    not enter a run's private folder. Its later backends fork from the postmaster, so
    pinning the postmaster (and the helpers it has started) pins them too.
    """
    sys.path.insert(0, str(ROOT))
    from tests.throwaway_postgres import ThrowawayPostgres  # noqa: PLC0415 - test helper

    postgres = ThrowawayPostgres().start()
    try:
        if postgres.pid is not None:
            server = psutil.Process(postgres.pid)
            for proc in [server, *server.children(recursive=True)]:
                with contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess):
                    os.sched_setaffinity(proc.pid, {0})
        yield postgres.create_database()
    finally:
        postgres.stop()


@contextlib.contextmanager
def node(tmp: Path, name: str, *extra: str, port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    data = tmp / name
    data.mkdir(exist_ok=True)
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
        "--node-id",
        name,
        *UNCAPPED,
        *extra,
    ]
    with pinned(cmd, data / "server.log") as proc:
        url = f"http://127.0.0.1:{port}"
        wait_http(url, proc, data / "server.log")
        TREES[name] = proc
        yield url
        TREES.pop(name, None)


@contextlib.contextmanager
def nginx(tmp: Path, upstreams: list[str]) -> Iterator[str]:
    exe = shutil.which("nginx")
    assert exe, "nginx is not installed (apt-get install nginx-light)"
    port = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "\n".join(f"        server {u.removeprefix('http://')};" for u in upstreams)
    conf = conf.replace("        server node1:8000 max_fails=1 fail_timeout=2s;\n", servers + "\n")
    conf = "\n".join(line for line in conf.splitlines() if "server node" not in line)
    conf = conf.replace("listen 8000;", f"listen 127.0.0.1:{port};")
    conf = conf.replace(
        "events {}",
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/nginx.err;\n"
        "worker_processes 1;\nevents { worker_connections 8192; }",
    )
    conf = conf.replace("http {", f"http {{\n    access_log off;\n    client_body_temp_path {tmp};")
    path = tmp / "nginx.conf"
    path.write_text(conf)
    with pinned([exe, "-c", str(path), "-g", "daemon off;"], tmp / "nginx.log") as proc:
        url = f"http://127.0.0.1:{port}"
        wait_http(url, proc, tmp / "nginx.log")
        TREES["nginx"] = proc
        yield url
        TREES.pop("nginx", None)


@contextlib.contextmanager
def three_nodes(tmp: Path) -> Iterator[tuple[str, list[str]]]:
    """Redis and three nodes joined by it; yields the Redis URL and the nodes' URLs."""
    with (
        redis_server(tmp) as rurl,
        node(tmp, "n1", "--redis-url", rurl) as a,
        node(tmp, "n2", "--redis-url", rurl) as b,
        node(tmp, "n3", "--redis-url", rurl) as c,
    ):
        yield rurl, [a, b, c]


def loadtest(urls: list[str], n: int, duration: float, label: str, seed: int) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="mn-")) / "r.json"
    args = [
        "taskset",
        "-c",
        "1",
        PY,
        "-m",
        "metaexpo",
        "loadtest",
        "--scenario",
        "hall-walk",
        "--clients",
        str(n),
        "--duration",
        str(duration),
        "--ramp",
        str(max(2.0, n / 150)),
        "--seed",
        str(seed),
        "--probes",
        "32",
        "--json",
        str(out),
        "--label",
        label,
        "--quiet",
    ]
    for u in urls:
        args += ["--url", u]
    subprocess.run(args, cwd=ROOT, check=True, timeout=duration + 200)
    return dict(json.loads(out.read_text()))


def redis_bytes(url: str) -> tuple[int, int]:
    info = redis.Redis.from_url(url).info()
    return int(info["total_net_input_bytes"]), int(info["total_net_output_bytes"])


def measured(
    urls: list[str],
    nodes: int,
    redis_url: str | None,
    n: int,
    args: argparse.Namespace,
    label: str,
    seed: int,
) -> dict[str, Any]:
    """One harness run; CPU of every server-side process tree over the whole run."""
    before = redis_bytes(redis_url) if redis_url else None
    cpu0 = {name: tree_cpu(p) for name, p in TREES.items()}
    t0 = time.monotonic()
    report = loadtest(urls, n, args.duration, label, seed)
    wall = time.monotonic() - t0
    cpu = {name: round((tree_cpu(p) - cpu0[name]) / wall, 4) for name, p in TREES.items()}
    report["process_cpu_cores_whole_run"] = cpu
    report["server_side_cpu_cores"] = round(sum(cpu.values()), 4)
    if redis_url and before is not None:
        after = redis_bytes(redis_url)
        ticks = wall * 20
        report["redis"] = {
            "cpu_cores": cpu.get("redis"),
            "bytes_in_per_tick": round((after[0] - before[0]) / ticks),
            "bytes_out_per_tick": round((after[1] - before[1]) / ticks),
        }
    report["nodes"] = nodes
    print(
        f"{label:>14} N={n:<5} p50={report['latency_ms']['p50']} p99={report['latency_ms']['p99']} "
        f"same={report['latency_ms_same_node']['p99']} "
        f"cross={report['latency_ms_cross_node']['p99']} "
        f"cpu={report['process_cpu_cores_whole_run']} redis={report.get('redis')} "
        f"gen={report['generator_cpu_cores']} disc={report['disconnects']}",
        flush=True,
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[300, 600])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--skip-front", action="store_true", help="skip workers vs nginx")
    args = parser.parse_args()
    results: dict[str, Any] = {"argv": sys.argv, "runs": []}
    runs = results["runs"]
    # Every configuration gets fresh processes, so no avatar of an earlier run lingers.
    for rep in range(args.reps):
        for n in args.sizes:
            with tempfile.TemporaryDirectory() as d, node(Path(d), "solo") as solo:
                runs.append(measured([solo], 1, None, n, args, "one-node", rep))
            with tempfile.TemporaryDirectory() as d, three_nodes(Path(d)) as (rurl, urls):
                runs.append(measured(urls, 3, rurl, n, args, "three-nodes", rep))
            if args.skip_front or rep > 0:
                continue
            with (
                tempfile.TemporaryDirectory() as d,
                three_nodes(Path(d)) as (rurl, urls),
                nginx(Path(d), urls) as front,
            ):
                runs.append(measured([front], 3, rurl, n, args, "nginx-front", rep))
            with (
                tempfile.TemporaryDirectory() as d,
                redis_server(Path(d)) as rurl,
                node(Path(d), "w", "--redis-url", rurl, "--workers", "3") as w,
            ):
                runs.append(measured([w], 3, rurl, n, args, "workers-3", rep))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"multinode-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(path, plot(path))


def plot(results_path: Path) -> Path:
    """Bars of p99 latency (same-node, cross-node) and server-side CPU per configuration and N."""
    import matplotlib  # noqa: PLC0415 - only when plotting

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    runs = json.loads(results_path.read_text())["runs"]
    labels = ["one-node", "three-nodes", "nginx-front", "workers-3"]
    sizes = sorted({r["clients"] for r in runs})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(labels)
    for i, label in enumerate(labels):
        p99, cpu = [], []
        for n in sizes:
            sel = [r for r in runs if r["label"] == label and r["clients"] == n]
            p99.append(statistics.median(r["latency_ms"]["p99"] for r in sel) if sel else 0)
            cpu.append(statistics.median(r["server_side_cpu_cores"] for r in sel) if sel else 0)
        xs = [k + i * width for k in range(len(sizes))]
        ax1.bar(xs, p99, width, label=label)
        ax2.bar(xs, cpu, width, label=label)
    for ax, title in (
        (ax1, "e2e latency p99 (ms)"),
        (ax2, "server-side CPU, all processes (cores)"),
    ):
        ax.set_xticks([k + 0.4 - width / 2 for k in range(len(sizes))], [f"N = {n}" for n in sizes])
        ax.set_ylabel(title)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    ax1.axhline(60, color="grey", linestyle="--", linewidth=1)
    fig.tight_layout()
    out = results_path.with_suffix(".png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


if __name__ == "__main__":
    main()
