"""Request bodies against a real server: every route's body is capped while it is read, before
sign-in checks and parsing, and an oversized body costs the hall neither memory nor frames."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.backoffice import Expo, Headers, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric

pytestmark = pytest.mark.integration

CAP = 64 * 1024  # the default --body-max-bytes
HUGE = 20 * 1024 * 1024
BOOTH = "culture-01"


class Target:
    """A server with its default body cap, a short body deadline, and an exhibitor."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.http, timeout=60)
        self.expo = Expo(self.http)
        self.who: Headers = self.expo.exhibitor(self.expo.staff(), "edge@firm.test", [BOOTH])

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=10 * TIME_FACTOR)

    def head(self, path: str, *headers: str) -> bytes:
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.server.port}", *headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp("bodies")
    create_staff(tmp / "data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("METAEXPO_BODY_TIMEOUT_S", "1")
        server = ServerProcess(tmp).start()
    target = Target(server)
    yield target
    target.http.close()
    server.stop()


def read_answer(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """What the server answers, up to the end of its headers and a little more; b"" if it
    closes without answering. A server that says nothing in ``timeout`` fails the test."""
    sock.settimeout(timeout * TIME_FACTOR)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if b"\r\n\r\n" in data:
            with_body = data.split(b"\r\n\r\n", 1)[1]
            if not with_body:
                data += sock.recv(65536)
    except TimeoutError:
        pytest.fail(f"the server did not answer within {timeout * TIME_FACTOR:g} s: {data[:200]!r}")
    except ConnectionResetError:
        pass
    return data


def body_of(answer: bytes) -> dict[str, object]:
    result: dict[str, object] = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    return result


def test_a_declared_huge_login_body_is_refused_before_any_of_it_is_sent(target: Target) -> None:
    with target.connect() as sock:
        sock.sendall(
            target.head(
                "/api/auth/login", "Content-Type: application/json", f"Content-Length: {HUGE}"
            )
        )
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert "64 KB" in str(body_of(answer)["detail"])


def test_the_cap_comes_before_sign_in_checks(target: Target) -> None:
    # No credentials: a route that needs staff answers 413, not 401, without reading the body.
    response = target.http.post(
        "/api/staff/invites", content=b"{" * (CAP + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413, response.text[:200]
    form = target.http.post(
        "/portal/login",
        content=b"login=" + b"a" * CAP,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 413, form.text[:200]


def test_a_chunked_body_without_a_length_is_counted_too(target: Target) -> None:
    chunk = b"x" * 32768
    with target.connect() as sock:
        sock.sendall(
            target.head(
                "/api/auth/login", "Content-Type: application/json", "Transfer-Encoding: chunked"
            )
        )
        try:
            for _ in range(8):  # 256 KB, four times the cap; the final empty chunk never comes
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the server answered and closed while we were still sending
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_small_body_that_does_not_arrive_in_time_gets_408(target: Target) -> None:
    with target.connect() as sock:
        sock.sendall(
            target.head("/api/auth/login", "Content-Type: application/json", "Content-Length: 100")
        )
        sock.sendall(b'{"login": ')
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    text = target.server.metrics()
    assert metric(text, "metaexpo_connection_timeouts_total", stage="body") >= 1


def test_a_validation_error_never_echoes_the_input(target: Target) -> None:
    secret = "s3cret-" + "x" * 40_000
    response = target.http.post(
        "/api/auth/login", json={"login": ["not", "a", "string"], "password": {"p": secret}}
    )
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < 2000, f"{len(response.content)} bytes of 422"
    assert "s3cret" not in response.text
    problems = response.json()["detail"]
    assert {tuple(p["loc"]) for p in problems} >= {("body", "login"), ("body", "password")}
    assert all(set(p) == {"type", "loc", "msg"} for p in problems)


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: bigger than the JSON cap, well under the image cap."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_uploads_keep_their_own_larger_caps(target: Target) -> None:
    picture = noise_png(160)
    assert CAP < len(picture) < 1024 * 1024
    refused = target.http.post(
        "/api/auth/login", content=picture, headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 413, refused.text[:200]
    logo = target.http.post(
        f"/api/booths/{BOOTH}/logo",
        content=picture,
        headers={**target.who, "Content-Type": "image/png"},
    )
    assert logo.status_code == 200, logo.text[:300]


def test_slide_decks_keep_the_slides_cap(target: Target) -> None:
    picture = noise_png(160)
    assert len(picture) > CAP
    deck = target.http.post(
        "/api/forums/sessions/opening-keynote/slides?filename=noise.png",
        content=picture,
        headers=target.expo.staff(),
    )
    assert deck.status_code == 201, deck.text[:300]
    assert deck.json()["count"] == 1


# --- the hall goes on while someone sends huge bodies ------------------------------------


def server_memory(pid: int) -> dict[str, int]:
    """The server's resident and peak resident memory (kB), from /proc."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def reset_peak_memory(pid: int) -> None:
    """Start the peak (VmHWM) again from the current resident size (Linux clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def send_huge_login(port: int) -> None:
    """A 20 MB JSON password, sent whole unless the server closes first."""
    body = b'{"login": "staff@expo.test", "password": "' + b"x" * HUGE + b'"}'
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30 * TIME_FACTOR) as sock:
        try:
            sock.sendall(head + body)
            while sock.recv(65536):
                pass
        except OSError:
            pass  # refused and closed while we were still sending: what the cap is for


class FrameClock:
    """Arrival times of the pose frames a probe client receives while a mover walks near it."""

    def __init__(self, probe: Client, mover: Client) -> None:
        self.probe = probe
        self.mover = mover
        self.arrivals: list[float] = []

    async def walk(self) -> None:
        step = 0
        while True:
            await self.mover.move(0.2 if (step // 20) % 2 == 0 else -0.2)
            step += 1
            await asyncio.sleep(0.05)

    async def drain(self) -> None:
        while True:
            await self.mover.ws.recv()

    async def listen(self) -> None:
        # ws.recv() itself: a wait_for around it can swallow the cancel at the end (3.11)
        while True:
            if isinstance(await self.probe.ws.recv(), bytes):
                self.arrivals.append(time.monotonic())

    def largest_gap(self, start: float, end: float) -> float:
        times = [t for t in self.arrivals if start <= t <= end]
        assert len(times) >= 10, f"only {len(times)} frames arrived between the marks"
        return max(b - a for a, b in itertools.pairwise(times))


async def test_huge_login_bodies_cost_neither_memory_nor_pose_frames(target: Target) -> None:
    server = target.server
    assert server.proc is not None
    pid = server.proc.pid
    probe = await Client.connect(server.ws)
    await probe.join("probe")
    mover = await Client.connect(server.ws)
    await mover.join("mover")
    clock = FrameClock(probe, mover)
    tasks = [asyncio.create_task(c()) for c in (clock.walk, clock.drain, clock.listen)]
    refused_before = metric(server.metrics(), "metaexpo_request_bodies_refused_total")
    try:
        await asyncio.sleep(3 * TIME_FACTOR)  # frames before the attack: the yardstick
        before_end = time.monotonic()
        rss_before = server_memory(pid)["VmRSS"]
        reset_peak_memory(pid)
        attackers = [
            threading.Thread(target=send_huge_login, args=(server.port,)) for _ in range(3)
        ]
        for thread in attackers:
            thread.start()
        while any(t.is_alive() for t in attackers):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1 * TIME_FACTOR)  # and a little after it
        attack_end = time.monotonic()
        peak = server_memory(pid)["VmHWM"]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await probe.close()
        await mover.close()
    refused = metric(server.metrics(), "metaexpo_request_bodies_refused_total") - refused_before
    grew_mb = (peak - rss_before) / 1024
    calm = clock.largest_gap(clock.arrivals[0], before_end)
    attacked = clock.largest_gap(before_end, attack_end)
    seen = (
        f"{refused:g} of 3 refused with 413; peak memory +{grew_mb:.0f} MB; largest frame gap "
        f"{calm * 1000:.0f} ms before, {attacked * 1000:.0f} ms during the attack"
    )
    assert refused == 3, seen
    assert grew_mb < 16, seen  # less than one body: none was buffered
    assert attacked <= 4 * calm, seen
