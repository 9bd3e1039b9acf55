"""Helpers for integration tests: a real server process and real WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from metaexpo.protocol.frames import MsgType, ServerFrame, decode_server_frame, encode_desktop_pose
from tests.conftest import ROOT, TIME_FACTOR


def run_metaexpo(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run one ``metaexpo`` command to its end; output captured, exit status left to the caller."""
    return subprocess.run(
        [sys.executable, "-m", "metaexpo", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120 * TIME_FACTOR,
        check=False,
    )


class ServerProcess:
    """``metaexpo serve`` on a free loopback port, in its own process."""

    #: The module run with ``python -m`` (tests may run a launcher that wraps the server).
    module = "metaexpo"

    def __init__(self, tmp: Path, *args: str) -> None:
        self.tmp = tmp
        self.port_file = tmp / "port"
        self.log_path = tmp / "server.log"
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        self.port_file.unlink(missing_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        cmd = [
            sys.executable,
            "-m",
            self.module,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--port-file",
            str(self.port_file),
            "--data-dir",
            str(self.tmp / "data"),
            "--log-level",
            "warning",
            *self.args,
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout * TIME_FACTOR
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            if self.port_file.exists() and self.port_file.read_text().strip():
                self.port = int(self.port_file.read_text())
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.http}/healthz", timeout=1).json()["status"] == "ok":
                        return self
            time.sleep(0.05)
        self.proc.kill()  # the caller never gets this process: leave nothing running
        self.proc.wait()
        raise RuntimeError(f"server did not become healthy in time:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout * TIME_FACTOR)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def wait(self, timeout: float = 15.0) -> int:
        """Wait for the process to exit by itself; returns the exit code."""
        assert self.proc is not None
        return self.proc.wait(timeout * TIME_FACTOR)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def metrics(self) -> str:
        return httpx.get(f"{self.http}/metrics", timeout=5).text


def metric(text: str, name: str, **labels: str) -> float:
    """Sum of one metric's samples (with matching labels) in Prometheus text."""
    from metaexpo.loadtest.promtext import parse  # noqa: PLC0415

    return parse(text).total(name, **labels)


class Client:
    """A real WebSocket client speaking the sync protocol."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: dict[str, Any] = {}
        self.frames: list[ServerFrame] = []
        self.messages: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, url: str) -> Client:
        # max_queue=None: a test client never stops reading (so it always answers pings),
        # even when the test only looks at its messages later.
        return cls(
            await connect(url, open_timeout=10 * TIME_FACTOR, max_size=2**22, max_queue=None)
        )

    async def join(self, name: str = "tester", **fields: Any) -> dict[str, Any]:
        msg = {
            "type": "join",
            "v": 2,
            "room": "main",
            "name": name,
            "avatar": "celadon",
            "kind": "desktop",
            **fields,
        }
        await self.ws.send(json.dumps(msg))
        self.welcome = await self.expect("welcome")
        return self.welcome

    async def send_json(self, msg: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(msg))

    async def move(self, dx: float, dz: float = 0.0, flags: int = 1) -> tuple[float, float, float]:
        x, y, z = self.position
        self.position = (x + dx, y, z + dz)
        await self.ws.send(encode_desktop_pose(self.position, 0.0, 0.0, flags))
        return self.position

    @property
    def position(self) -> tuple[float, float, float]:
        pos = self.__dict__.get("_pos") or self.welcome["pose"]["position"]
        return (float(pos[0]), float(pos[1]), float(pos[2]))

    @position.setter
    def position(self, value: tuple[float, float, float]) -> None:
        self.__dict__["_pos"] = value

    async def teleport(self, x: float, z: float) -> None:
        self.position = (x, 1.6, z)
        await self.send_json({"type": "teleport", "to": [x, 1.6, z]})

    async def next(self, timeout: float = 5.0) -> ServerFrame | dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout * TIME_FACTOR)
        if isinstance(raw, bytes):
            frame = decode_server_frame(raw)
            self.frames.append(frame)
            return frame
        msg = json.loads(raw)
        self.messages.append(msg)
        return msg

    async def expect(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next control message of ``kind`` (frames and other messages are kept)."""
        deadline = time.monotonic() + timeout * TIME_FACTOR
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind!r} message; got {self.messages[-5:]}")
            item = await self.next(left / TIME_FACTOR)
            if isinstance(item, dict) and item.get("type") == kind:
                return item

    async def frame_where(
        self, pred: Callable[[ServerFrame], bool], timeout: float = 5.0
    ) -> ServerFrame:
        deadline = time.monotonic() + timeout * TIME_FACTOR
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching frame")
            item = await self.next(left / TIME_FACTOR)
            if not isinstance(item, dict) and pred(item):
                return item

    async def collect(self, seconds: float) -> None:
        """Read (and keep) everything that arrives during ``seconds``."""
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0:
                await self.next(left / TIME_FACTOR)

    async def closed(self, timeout: float = 10.0) -> tuple[int | None, str]:
        """Read until the server closes; (close code, reason)."""
        deadline = time.monotonic() + timeout * TIME_FACTOR
        with contextlib.suppress(ConnectionClosed):
            while time.monotonic() < deadline:
                await self.next((deadline - time.monotonic()) / TIME_FACTOR)
        assert self.ws.close_code is not None, "connection still open"
        return self.ws.close_code, self.ws.close_reason or ""

    def errors(self) -> list[str]:
        return [m["code"] for m in self.messages if m.get("type") == "error"]

    async def close(self) -> None:
        await self.ws.close()


def pose_frames(frames: list[ServerFrame]) -> list[ServerFrame]:
    return [f for f in frames if f.kind is not MsgType.CROWD]
