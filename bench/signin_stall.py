"""How much 80 concurrent sign-ins stall the hall: the gaps between pose frames a probe receives.

Issue 9 item 3: every sign-in ran argon2id (64 MiB) in the thread pool every
other blocking call shares, so a burst of sign-ins stalled the sync tick.
This starts one server (from this checkout, or from another source tree
with ``--tree``, e.g. an older commit exported with ``git archive``), joins
a probe and a mover that walks beside it at 20 poses a second, records
when each pose frame reaches the probe for a calm stretch, then sends 80
sign-ins with wrong passwords at once (80 different accounts, so no limit
refuses them) and keeps recording until they are all answered.

The server runs on one core (``taskset``) and this script, the load, on
another, so the two do not take turns on one core; the machine's other
work still competes for both. Results go to a JSON file (one entry per
``--label``, several runs each).

    git archive <commit> | tar -x -C /tmp/before
    python bench/signin_stall.py --label before --tree /tmp/before
    python bench/signin_stall.py --label after
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from metaexpo.protocol.frames import encode_desktop_pose

ROOT = Path(__file__).resolve().parent.parent
SIGN_INS = 80
CALM_S = 4.0
AFTER_S = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``metaexpo serve`` from a source tree, pinned to one core."""

    def __init__(self, tree: Path, data: Path, core: int, log: Path) -> None:
        self.tree, self.data, self.core, self.log = tree, data, core, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(self.tree / "server"), "PYTHONUNBUFFERED": "1"}
        cmd = [
            *(["taskset", "-c", str(self.core)] if shutil.which("taskset") else []),
            sys.executable,
            "-m",
            "metaexpo",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data),
            "--log-level",
            "warning",
            "--login-attempts-per-address",
            "1000",
            # 80 connections from one address at once are the point here, not the edge's cap
            # on pending connections per address (a later setting: older trees lack it).
            *(
                ["--max-pending-per-address", "0"]
                if self.has_setting("max_pending_per_address")
                else []
            ),
        ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=self.tree, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("server did not start")

    def protocol_version(self) -> int:
        """The ``join`` version the tree's server speaks (its pose frames must decode alike)."""
        source = (self.tree / "server" / "metaexpo" / "protocol" / "frames.py").read_text()
        found = re.search(r"^PROTOCOL_VERSION = (\d+)", source, re.M)
        return int(found.group(1)) if found else 1

    def has_setting(self, name: str) -> bool:
        return name in (self.tree / "server" / "metaexpo" / "config.py").read_text()

    def memory_kib(self) -> dict[str, int]:
        assert self.proc is not None
        fields: dict[str, int] = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
        return fields

    def reset_peak(self) -> None:
        assert self.proc is not None
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def joined(url: str, name: str, version: int) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(url, max_size=2**22, max_queue=None)
    await ws.send(
        json.dumps(
            {
                "type": "join",
                "v": version,
                "room": "main",
                "name": name,
                "avatar": "celadon",
                "kind": "desktop",
            }
        )
    )
    while True:
        message = await ws.recv()
        if isinstance(message, str) and json.loads(message).get("type") == "welcome":
            return ws, json.loads(message)


def gaps_ms(times: list[float]) -> list[float]:
    return sorted((b - a) * 1000 for a, b in itertools.pairwise(times))


def summary(gaps: list[float]) -> dict[str, float]:
    if not gaps:
        return {"frames": 0}
    return {
        "frames": len(gaps) + 1,
        "p50_ms": round(statistics.median(gaps), 1),
        "p99_ms": round(gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))], 1),
        "max_ms": round(gaps[-1], 1),
    }


async def one_run(server: Server) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{server.port}/ws"
    probe, _ = await joined(url, "probe", server.protocol_version())
    mover, welcome = await joined(url, "mover", server.protocol_version())
    arrivals: list[float] = []
    x, y, z = (float(c) for c in welcome["pose"]["position"])

    async def walk() -> None:
        step = 0
        while True:
            dx = 0.2 if (step // 20) % 2 == 0 else -0.2
            nonlocal x
            x += dx
            await mover.send(encode_desktop_pose((x, y, z), 0.0, 0.0, 1))
            step += 1
            await asyncio.sleep(0.05)

    async def drain() -> None:
        while True:
            await mover.recv()

    async def listen() -> None:
        while True:
            if isinstance(await probe.recv(), bytes):
                arrivals.append(time.monotonic())

    tasks = [asyncio.create_task(c()) for c in (walk, drain, listen)]
    try:
        await asyncio.sleep(CALM_S)
        calm_end = time.monotonic()
        rss_before = server.memory_kib()["VmRSS"]
        server.reset_peak()
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{server.port}",
            timeout=600,
            limits=httpx.Limits(max_connections=SIGN_INS),
        ) as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/api/auth/login",
                        json={"login": f"visitor{i}@bench.test", "password": "not-the-password-1"},
                    )
                    for i in range(SIGN_INS)
                )
            )
        burst_end = time.monotonic()
        peak = server.memory_kib()["VmHWM"]
        await asyncio.sleep(AFTER_S)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await probe.close()
        await mover.close()
    codes: dict[str, int] = {}
    for answer in answers:
        codes[str(answer.status_code)] = codes.get(str(answer.status_code), 0) + 1
    calm = [t for t in arrivals if t <= calm_end]
    # The burst's frames, with the last calm frame: a stall from its very start counts.
    burst = calm[-1:] + [t for t in arrivals if calm_end < t <= burst_end]
    return {
        "burst_s": round(burst_end - calm_end, 2),
        "answers": codes,
        "calm": summary(gaps_ms(calm)),
        "burst": summary(gaps_ms(burst)),
        "peak_rss_growth_mib": round((peak - rss_before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="name of this variant in the JSON")
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree of the server")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--note", default="", help="what the tree is (e.g. its commit)")
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "signin-stall.json"
    )
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {args.load_core})
    runs = []
    with tempfile.TemporaryDirectory(prefix="signin-stall-") as scratch:
        data = Path(scratch) / "data"
        for run in range(args.runs):
            server = Server(args.tree.resolve(), data, args.server_core, Path(scratch) / "log")
            server.start()
            try:
                load = os.getloadavg()[0]
                result = asyncio.run(one_run(server))
            finally:
                server.stop()
            result["load_average_1m_before"] = round(load, 2)
            print(f"{args.label} run {run + 1}: {json.dumps(result)}", flush=True)
            runs.append(result)
    report = json.loads(args.out.read_text()) if args.out.exists() else {}
    report[args.label] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "tree": "this checkout" if args.tree.resolve() == ROOT else "--tree (see note)",
        "note": args.note,
        "sign_ins": SIGN_INS,
        "calm_s": CALM_S,
        "server_core": args.server_core,
        "load_core": args.load_core,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
