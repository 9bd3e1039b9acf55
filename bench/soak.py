"""The ``soak`` benchmark: does hostile traffic move what healthy visitors feel?

Two runs of ``hall-walk`` with the same seed against a fresh server each: one
quiet, one while an abuse script of our own hammers the edge from other
loopback addresses (``127.0.0.2`` and up, so the per-address caps meet the
attacker, not the visitors):

* sign-in: wrong passwords for the staff account and for random logins, many
  at once, from a rotating set of addresses (argon2id work on every one the
  limits let through);
* bodies: 20 MB login bodies, streamed;
* sockets: connections that send nothing, and ones that dribble a header
  every few seconds;
* uploads: an exhibitor's model uploads dribbled far below the minimum rate,
  and a decompression-bomb logo (a 7070 × 7070 single-colour PNG of ~160 KB).

Healthy figures come from the harness (end-to-end pose latency) and from a
few watcher visitors of this script that time the gaps between the frames
they receive; the server's RSS (with its upload workers) is sampled all along.

    .venv/bin/python bench/soak.py                         # 2 × 30 min, N = 1,000
    .venv/bin/python bench/soak.py --minutes 3 --clients 500   # a short look

Writes ``bench/results/soak-<stamp>.json`` and ``.png``. The server is pinned to
core 0; the harness, the watchers (a process of their own) and the abuse share core 1
(their CPU is reported). Everything targets loopback and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import websockets
from PIL import Image

from metaexpo.loadtest.plot import plt
from metaexpo.loadtest.runner import machine
from metaexpo.protocol.frames import PROTOCOL_VERSION, encode_desktop_pose

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SERVER_CORE = "0"
GENERATOR_CORE = "1"
STAFF = ("soak-staff@expo.test", "soak staff password 1")
EXHIBITOR_PASSWORD = "soak exhibitor password 1"
#: Attack traffic comes from these loopback addresses, visitors from 127.0.0.1.
ATTACKERS = [f"127.0.0.{i}" for i in range(2, 50)]
SAMPLE_S = 5.0


@contextlib.contextmanager
def server(port: int, clients: int) -> Iterator[tuple[str, psutil.Process, Path]]:
    """A fresh server with a staff account, pinned to the server core."""
    data = Path(tempfile.mkdtemp(prefix="soak-"))
    subprocess.run(
        [PY, "-m", "metaexpo", "create-staff", "--data-dir", str(data), "--login", STAFF[0],
         "--display-name", "Soak Staff", "--password-stdin"],
        input=f"{STAFF[1]}\n", text=True, check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    cmd = [
        PY, "-m", "metaexpo", "serve", "--port", str(port), "--data-dir", str(data),
        "--log-level", "warning", "--max-clients", str(clients + 200),
    ]  # fmt: skip
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, *cmd], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/rooms/main", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on {url} did not answer within 180 s")
            time.sleep(0.2)
        yield url, psutil.Process(proc.pid), data
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


def rss_mb(process: psutil.Process) -> float:
    """The server's resident memory with its worker processes, in MB."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 1e6


async def watcher(ws_url: str, n: int, gaps: list[float], stop: asyncio.Event) -> None:
    """A visitor that keeps moving and times the gaps between the frames it receives."""
    async with websockets.connect(ws_url, max_size=2**22, max_queue=None) as ws:
        await ws.send(json.dumps({
            "type": "join", "v": PROTOCOL_VERSION, "room": "main", "name": f"watcher {n}",
            "avatar": "celadon", "kind": "desktop",
        }))  # fmt: skip
        welcome: dict[str, Any] = {}
        while welcome.get("type") != "welcome":
            raw = await ws.recv()
            if isinstance(raw, str):
                welcome = json.loads(raw)
        x, y, z = welcome["pose"]["position"]

        async def move() -> None:
            for step in itertools.count():
                dx = 0.3 if step % 2 else -0.3
                await ws.send(encode_desktop_pose((x + dx, y, z), 0.0, 0.0, 1))
                await asyncio.sleep(0.1)

        mover = asyncio.create_task(move())
        last = None
        try:
            while not stop.is_set():
                raw = await ws.recv()
                if isinstance(raw, bytes):
                    now = time.monotonic()
                    if last is not None:
                        gaps.append((now - last) * 1000)
                    last = now
        finally:
            mover.cancel()


def watch_frames(url: str, seconds: float, results: mp.Queue[list[float]]) -> None:
    """Four watcher visitors for ``seconds``, in a process of their own (so the abuse
    script's work on the same core cannot delay their reads); the gaps they saw."""
    os.sched_setaffinity(0, {int(GENERATOR_CORE)})
    ws_url = url.replace("http://", "ws://") + "/ws"
    gaps: list[float] = []

    async def run() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(watcher(ws_url, n, gaps, stop)) for n in range(4)]
        await asyncio.sleep(seconds)
        stop.set()
        for task in tasks:
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Exception):
                print(f"a watcher failed: {outcome!r}", file=sys.stderr)

    asyncio.run(run())
    results.put(gaps)


async def sample_rss(
    process: psutil.Process, rss: list[tuple[float, float]], stop: asyncio.Event
) -> None:
    """The server's RSS every few seconds."""
    start = time.monotonic()
    while not stop.is_set():
        rss.append((time.monotonic() - start, rss_mb(process)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_S)


def bomb_png() -> bytes:
    """A decompression bomb of a logo: 7070 × 7070 px of one colour, ~160 KB of PNG."""
    out = io.BytesIO()
    Image.new("RGB", (7070, 7070), (200, 30, 30)).save(out, format="PNG", optimize=True)
    return out.getvalue()


class Abuse:
    """The attacks, each a loop until ``stop``; ``seen`` counts what the server answered."""

    def __init__(self, url: str, stop: asyncio.Event) -> None:
        self.url = url
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.stop = stop
        self.seen: Counter[str] = Counter()
        self.addresses = itertools.cycle(ATTACKERS)
        self.clients = itertools.cycle([self.client(a) for a in ATTACKERS])

    def client(self, address: str, timeout: float = 60.0) -> httpx.AsyncClient:
        """An HTTP client on an attacker address."""
        transport = httpx.AsyncHTTPTransport(local_address=address)
        return httpx.AsyncClient(base_url=self.url, transport=transport, timeout=timeout)

    async def _guard(self, name: str, attempt: Any) -> None:
        while not self.stop.is_set():
            try:
                await attempt()
            except (httpx.HTTPError, OSError) as exc:
                self.seen[f"{name}:{type(exc).__name__}"] += 1
                await asyncio.sleep(0.05)  # a refused connection must not become a busy loop

    async def sign_in(self) -> None:
        """Wrong passwords, many at once, from rotating addresses."""

        async def attempt() -> None:
            login = random.choice([STAFF[0], f"user{random.randrange(10**6)}@x.test"])
            client = next(self.clients)
            r = await client.post("/api/auth/login", json={"login": login, "password": "no"})
            self.seen[f"sign_in:{r.status_code}"] += 1

        await self._guard("sign_in", attempt)

    async def big_body(self) -> None:
        """A 20 MB login body, streamed."""

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"login": "a@b.c", "password": "'
            for _ in range(20 * 16):
                yield b"x" * 65536
            yield b'"}'

        async def attempt() -> None:
            async with self.client(next(self.addresses)) as client:
                json_body = {"Content-Type": "application/json"}
                try:
                    r = await client.post("/api/auth/login", content=chunks(), headers=json_body)
                    self.seen[f"big_body:{r.status_code}"] += 1
                except httpx.TransportError as exc:  # refused (413) while still sending
                    self.seen[f"big_body:{type(exc).__name__}"] += 1
            await asyncio.sleep(0.5)

        await self._guard("big_body", attempt)

    async def silent_socket(self, dribble: bool) -> None:
        """A connection that sends nothing (or one header every few seconds) until closed."""
        name = "dribble" if dribble else "silent"

        async def attempt() -> None:
            reader, writer = await asyncio.open_connection(
                self.host, self.port, local_addr=(next(self.addresses), 0)
            )
            try:
                if dribble:
                    writer.write(b"GET / HTTP/1.1\r\n")
                for n in itertools.count():
                    if self.stop.is_set():
                        return
                    if dribble:
                        writer.write(f"X-Slow-{n}: 1\r\n".encode())
                        await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        if not await asyncio.wait_for(reader.read(4096), 5.0):
                            self.seen[f"{name}:closed_by_server"] += 1
                            return
            finally:
                writer.close()

        await self._guard(name, attempt)

    async def uploads(self, exhibitor: dict[str, str], booth: str, bomb: bytes) -> None:
        """A model upload dribbled at 1 KB/s, then a decompression-bomb logo."""

        async def slow() -> AsyncIterator[bytes]:
            for _ in range(10_000):
                yield b"\0" * 1024
                await asyncio.sleep(1.0)

        async def attempt() -> None:
            async with self.client(next(self.addresses), timeout=120) as client:
                try:
                    r = await client.post(
                        f"/api/booths/{booth}/model",
                        params={"filename": "booth.glb"},
                        content=slow(),
                        headers={**exhibitor, "Content-Type": "application/octet-stream"},
                    )
                    self.seen[f"slow_upload:{r.status_code}"] += 1
                except httpx.TransportError as exc:  # cut while still sending
                    self.seen[f"slow_upload:{type(exc).__name__}"] += 1
                r = await client.post(
                    f"/api/booths/{booth}/logo",
                    params={"filename": "logo.png"},
                    content=bomb,
                    headers={**exhibitor, "Content-Type": "image/png"},
                )
                self.seen[f"bomb_logo:{r.status_code}"] += 1

        await self._guard("upload", attempt)


def exhibitor_for(url: str) -> tuple[dict[str, str], str]:
    """An exhibitor account of the first catalog booth, made through the staff API."""
    with httpx.Client(base_url=url, timeout=60) as client:
        token = client.post("/api/auth/login", json={"login": STAFF[0], "password": STAFF[1]})
        staff = {"Authorization": f"Bearer {token.raise_for_status().json()['token']}"}
        booths = client.get("/api/booths").raise_for_status().json()["booths"]
        booth = booths[0]["id"]
        invite = client.post(
            "/api/staff/invites",
            json={"login": "soak@firm.test", "display_name": "soak", "booths": [booth],
                  "role": "exhibitor"},
            headers=staff,
        ).raise_for_status()  # fmt: skip
        secret = invite.json()["url"].rsplit("/", 1)[1]
        accepted = client.post(
            f"/api/auth/invites/{secret}/accept", json={"password": EXHIBITOR_PASSWORD}
        ).raise_for_status()
        return {"Authorization": f"Bearer {accepted.json()['token']}"}, booth


def harness(url: str, clients: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """The ``hall-walk`` run, pinned to the generator core."""
    ramp = max(2.0, clients / 200)
    cmd = [
        "taskset", "-c", GENERATOR_CORE, PY, "-m", "metaexpo", "loadtest", "--url", url,
        "--scenario", "hall-walk", "--clients", str(clients), "--duration", str(seconds),
        "--ramp", str(ramp), "--seed", "1", "--procs", "2", "--probes", "32",
        "--json", str(out), "--label", "soak", "--quiet",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT)


async def one_run(args: argparse.Namespace, abused: bool) -> dict[str, Any]:
    """One soak run; its figures."""
    port = 8700 + int(abused)
    seconds = args.minutes * 60
    out = Path(tempfile.mkdtemp(prefix="soak-lt-")) / "r.json"
    with server(port, args.clients) as (url, process, _data):
        exhibitor, booth = exhibitor_for(url)
        bomb = await asyncio.to_thread(bomb_png)
        stop = asyncio.Event()
        rss: list[tuple[float, float]] = []
        cpu_before = time.process_time()
        sampler = asyncio.create_task(sample_rss(process, rss, stop))
        run = harness(url, args.clients, seconds, out)
        ramp = max(2.0, args.clients / 200)
        await asyncio.sleep(ramp + 5)  # the harness ramps up before it measures
        gaps_queue: mp.Queue[list[float]] = mp.Queue()
        watchers = mp.Process(target=watch_frames, args=(url, seconds - 10, gaps_queue))
        watchers.start()
        abuse = Abuse(url, stop)
        tasks: list[asyncio.Task[None]] = []
        if abused:
            tasks += [asyncio.create_task(abuse.sign_in()) for _ in range(4)]
            tasks += [asyncio.create_task(abuse.big_body()) for _ in range(2)]
            tasks += [asyncio.create_task(abuse.silent_socket(False)) for _ in range(200)]
            tasks += [asyncio.create_task(abuse.silent_socket(True)) for _ in range(50)]
            tasks += [asyncio.create_task(abuse.uploads(exhibitor, booth, bomb)) for _ in range(4)]
        while run.poll() is None:
            await asyncio.sleep(1)
        gaps = np.asarray(await asyncio.to_thread(gaps_queue.get, True, 120))
        watchers.join(30)
        if len(gaps) < 100:
            raise SystemExit(f"the watcher visitors saw {len(gaps)} frame gaps: see their errors")
        stop.set()
        for task in [*tasks, sampler]:
            task.cancel()
        await asyncio.gather(*tasks, sampler, return_exceptions=True)
        cpu = time.process_time() - cpu_before
    report: dict[str, Any] = json.loads(out.read_text())
    series = np.asarray(rss)
    late = series[series[:, 0] >= series[-1, 0] / 3]  # after the ramp: growth, not start-up
    slope = float(np.polyfit(late[:, 0] / 60, late[:, 1], 1)[0]) if len(late) > 2 else None
    return {
        "abused": abused,
        "latency_ms": report["latency_ms"],
        "clients_connected": report["clients_connected"],
        "disconnects": report["disconnects"],
        "server_cpu_cores": report["server_cpu_cores"],
        "generator_cpu_cores": report["generator_cpu_cores"],
        "soak_script_cpu_cores": round(cpu / seconds, 3),
        "watcher_gap_ms": {
            "p50": round(float(np.percentile(gaps, 50)), 1),
            "p99": round(float(np.percentile(gaps, 99)), 1),
            "max": round(float(gaps.max()), 1),
            "samples": len(gaps),
        },
        "rss_mb": {
            "start": round(float(series[0, 1]), 1),
            "max": round(float(series[:, 1].max()), 1),
            "end": round(float(series[-1, 1]), 1),
            "growth_mb_per_min": None if slope is None else round(slope, 2),
        },
        "rss_series": [[round(t, 1), round(m, 1)] for t, m in rss],
        "latency_timeline": [
            [p["t"], p["latency_p99_ms"]] for p in report["timeline"] if p["latency_p99_ms"]
        ],
        "abuse_answers": dict(sorted(abuse.seen.items())),
    }


def plot(result: dict[str, Any], path: Path) -> None:
    """p99 over time and RSS over time, quiet against abused."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for run in result["runs"]:
        name = "abused" if run["abused"] else "quiet"
        tl = np.asarray(run["latency_timeline"], dtype=float)
        if len(tl):
            ax1.plot(tl[:, 0], tl[:, 1], label=f"{name} p99")
        rss = np.asarray(run["rss_series"], dtype=float)
        ax2.plot(rss[:, 0], rss[:, 1], label=name)
    ax1.set_ylabel("pose latency p99 (ms)")
    ax2.set_ylabel("server RSS with workers (MB)")
    ax2.set_xlabel("time since start (s)")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"soak · hall-walk N = {result['clients']} · {result['minutes']} min per run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Run quiet then abused; write the JSON and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args, abused)) for abused in (False, True)]
    quiet, abused = runs
    result = {
        "benchmark": "soak",
        "clients": args.clients,
        "minutes": args.minutes,
        "runs": runs,
        "p99_ratio_abused_to_quiet": round(
            abused["latency_ms"]["p99"] / quiet["latency_ms"]["p99"], 3
        ),
        "command": " ".join(["bench/soak.py", *sys.argv[1:]]),
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "server_core": SERVER_CORE,
        "generator_core": GENERATOR_CORE,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"soak-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    plot(result, RESULTS / f"soak-{stamp}.png")
    for run in runs:
        print(
            f"{'abused' if run['abused'] else 'quiet':>6}: p99={run['latency_ms']['p99']} ms "
            f"gaps p99={run['watcher_gap_ms']['p99']} max={run['watcher_gap_ms']['max']} ms "
            f"rss {run['rss_mb']} answers={run['abuse_answers']}"
        )
    print(f"p99 abused/quiet = {result['p99_ratio_abused_to_quiet']}")


if __name__ == "__main__":
    main()
