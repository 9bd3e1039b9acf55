"""Helpers for integration tests: a real server process and real WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from metaexpo.protocol.frames import (
    MsgType,
    ServerFrame,
    decode_server_frame,
    encode_desktop_pose,
    record_ids,
)
from metaexpo.protocol.quantise import dequantise_position
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


#: Linux's range for ports the kernel hands out on its own (outgoing connections,
#: ``bind(0)``); the usual default where the file cannot be read.
_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def spare_port() -> int:
    """A free loopback port below the kernel's ephemeral range.

    A server restarted on the port it had must find it free. Ports the kernel
    picks itself are also given to the outgoing connections of every other
    program on the machine, so one of those can take a port in the seconds a
    restart takes; below the ephemeral range only an explicit bind can.
    """
    low = 32768
    with contextlib.suppress(OSError, ValueError, IndexError):
        low = int(_EPHEMERAL.read_text().split()[0])
    rng = random.Random()  # not the test's seeded global random
    for _ in range(200):
        port = rng.randrange(max(1024, low // 3), low)
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError(f"no free loopback port below {low}")


class ServerProcess:
    """``metaexpo serve`` on a free loopback port, in its own process. The port is kept
    across :meth:`stop` and :meth:`start`, as a restarted real server keeps its address."""

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

    def start(self, timeout: float = 60.0) -> ServerProcess:
        """Start the server and wait until it answers /healthz.

        The bound is generous on purpose: on a loaded machine importing the server
        alone can take 10-20 s. On the first start the port is a spare one; should
        another program bind it first, the start is tried again on another.
        """
        first = not self.port
        for _ in range(3 if first else 1):
            if first:
                self.port = spare_port()
            if self._launch(timeout) != "port taken":
                return self
        raise RuntimeError(f"no spare port could be bound:\n{self.log()}")

    def _launch(self, timeout: float) -> str:
        self.port_file.unlink(missing_ok=True)
        logged = self.log_path.stat().st_size if self.log_path.exists() else 0
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
                if b"Address already in use" in self.log_path.read_bytes()[logged:]:
                    return "port taken"
                raise RuntimeError(f"server exited early:\n{self.log()}")
            if self.port_file.exists() and self.port_file.read_text().strip():
                self.port = int(self.port_file.read_text())
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.http}/healthz", timeout=1).json()["status"] == "ok":
                        return "healthy"
            time.sleep(0.05)  # polling the two conditions above
        self.proc.kill()  # the caller never gets this process: leave nothing running
        self.proc.wait()
        raise RuntimeError(
            f"server did not become healthy within {timeout * TIME_FACTOR:.0f} s:\n{self.log()}"
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout * TIME_FACTOR)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def wait(self, timeout: float = 30.0) -> int:
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
            await connect(url, open_timeout=30 * TIME_FACTOR, max_size=2**22, max_queue=None)
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

    async def next(self, timeout: float = 15.0) -> ServerFrame | dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout * TIME_FACTOR)
        if isinstance(raw, bytes):
            frame = decode_server_frame(raw)
            self.frames.append(frame)
            return frame
        msg = json.loads(raw)
        self.messages.append(msg)
        return msg

    async def expect(self, kind: str, timeout: float = 15.0) -> dict[str, Any]:
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
        self, pred: Callable[[ServerFrame], bool], timeout: float = 15.0, what: str = ""
    ) -> ServerFrame:
        """The next pose or crowd frame for which ``pred`` holds (``what`` names it when
        none comes)."""
        deadline = time.monotonic() + timeout * TIME_FACTOR
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"no {what or 'matching frame'} within {timeout * TIME_FACTOR:.1f} s"
                )
            try:
                item = await self.next(left / TIME_FACTOR)
            except TimeoutError:
                continue  # the deadline check above says what was missing
            if not isinstance(item, dict) and pred(item):
                return item

    async def sees(
        self, aid: int, at: Sequence[float] | None = None, timeout: float = 20.0
    ) -> ServerFrame:
        """The next frame showing avatar ``aid`` at full rate (at ``at``, to 1 cm, if given).

        A client's own avatar is in its frames too, so ``c.sees(c.id, at=target)``
        waits until the server has applied ``c``'s move to ``target``.
        """
        origin = np.asarray(self.welcome["bounds"]["min"], np.float64)

        def shows(frame: ServerFrame) -> bool:
            for records in (frame.desktop, frame.vr):
                hit = np.flatnonzero(record_ids(records) == aid)
                if len(hit):
                    if at is None:
                        return True
                    pos = dequantise_position(records[hit[0]]["pos"], origin)
                    return bool(np.linalg.norm(pos - np.asarray(at)) < 0.01)
            return False

        where = "" if at is None else f" at {tuple(round(float(c), 3) for c in at)}"
        return await self.frame_where(shows, timeout, what=f"frame showing avatar {aid}{where}")

    @property
    def id(self) -> int:
        """This client's avatar id (from the welcome)."""
        return int(self.welcome["id"])

    async def closed(self, timeout: float = 20.0) -> tuple[int | None, str]:
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
