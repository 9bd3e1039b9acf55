"""Upload slots cannot be held: one account gets only its share of them, and a body that falls
behind the minimum rate is cut with a clear error, so a slow or hostile exhibitor never locks
the others out.

Slow bodies are sent over raw sockets: the test decides exactly what is on the wire and reads
the answer the server sends while the body is still unfinished.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backoffice import BOX, DUCK, Expo, Headers, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import ServerProcess, metric

pytestmark = pytest.mark.integration

MINE, THEIRS = "health-01", "health-02"


class Site:
    """A server with two exhibitors: ``mine`` (the slow one) and ``theirs``."""

    def __init__(self, tmp: Path, *args: str) -> None:
        create_staff(tmp / "data")
        self.tmp = tmp
        self.server = ServerProcess(tmp, *args).start()
        self.http = httpx.Client(base_url=self.server.http, timeout=60)
        self.expo = Expo(self.http)
        staff = self.expo.staff()
        self.mine: Headers = self.expo.exhibitor(staff, "slow@firm.test", [MINE])
        self.theirs: Headers = self.expo.exhibitor(staff, "other@firm.test", [THEIRS])

    def close(self) -> None:
        self.http.close()
        self.server.stop()

    def start_upload(self, who: Headers, booth: str, declared: int, first: bytes) -> socket.socket:
        """A model upload whose headers and first bytes are sent, and nothing more (yet)."""
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        head = (
            f"POST /api/booths/{booth}/model?filename=slow.glb HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.server.port}\r\nAuthorization: {who['Authorization']}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + first)
        return sock

    def receiving(self) -> int:
        """How many upload bodies are arriving into temporary files now."""
        folder = self.tmp / "data" / "tmp" / "uploads"
        return len(list(folder.glob("*.part"))) if folder.exists() else 0

    def metric(self, name: str, **labels: str) -> float:
        return metric(self.server.metrics(), name, **labels)


def read_answer(sock: socket.socket, timeout: float) -> tuple[int, str, dict[str, object]]:
    """(status, lower-cased head, JSON body) of the HTTP answer on ``sock``."""
    sock.settimeout(timeout * TIME_FACTOR)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed without an answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed in the middle of its answer"
        body += chunk
    return int(head.split()[1]), head.decode("latin-1").lower(), json.loads(body)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Default slots (4, 2 per account); bodies may pause for minutes."""
    site = Site(tmp_path_factory.mktemp("share"), "--upload-rate-window-s", "600")
    yield site
    site.close()


@pytest.fixture(scope="module")
def paced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Bodies must keep up 1 kB/s and may fall at most 1 s behind."""
    args = ("--upload-min-bytes-per-s", "1000", "--upload-rate-window-s", "1")
    site = Site(tmp_path_factory.mktemp("pace"), *args)
    yield site
    site.close()


def test_one_exhibitors_dribbling_uploads_do_not_block_another_exhibitor(shared: Site) -> None:
    duck = DUCK.read_bytes()
    slow = [shared.start_upload(shared.mine, MINE, len(duck), duck[:1000]) for _ in range(4)]
    try:
        deadline = time.monotonic() + 20 * TIME_FACTOR
        answered: list[socket.socket] = []
        while time.monotonic() < deadline:
            answered = select.select(slow, [], [], 0)[0]
            if len(answered) + shared.receiving() >= len(slow):
                break
            time.sleep(0.02)
        assert len(answered) + shared.receiving() >= len(slow), "the slow uploads never settled"
        theirs = shared.expo.upload(shared.theirs, THEIRS, BOX.read_bytes(), "box.glb")
        assert theirs.status_code == 201, theirs.text[:300]
        assert len(answered) == 2, "one account holds at most its share: 2 of the 4 slots"
        for sock in answered:
            status, head, body = read_answer(sock, 10)
            assert status == 429 and "retry-after:" in head
            assert "uploads under way" in str(body["detail"])
        assert shared.metric("metaexpo_uploads_refused_total", reason="account") == 2
    finally:
        for sock in slow:
            sock.close()
    # Hanging up gives the slots back.
    deadline = time.monotonic() + 20 * TIME_FACTOR
    while shared.metric("metaexpo_upload_slots_in_use") and time.monotonic() < deadline:
        time.sleep(0.05)
    mine = shared.expo.upload(shared.mine, MINE, duck, "duck.glb")
    assert mine.status_code == 201, mine.text[:300]


def test_a_body_slower_than_the_minimum_rate_is_cut_with_a_clear_error(paced: Site) -> None:
    duck = DUCK.read_bytes()
    sock = paced.start_upload(paced.mine, MINE, len(duck), duck[:100])
    try:
        status, head, body = read_answer(sock, 30)
    finally:
        sock.close()
    assert status == 408 and "connection: close" in head
    message = str(body["detail"])
    assert "too slowly" in message and "1.0 kB/s" in message, message
    assert paced.metric("metaexpo_uploads_refused_total", reason="too_slow") == 1
    assert paced.metric("metaexpo_upload_slots_in_use") == 0
    assert paced.receiving() == 0
    # A body that keeps up is untouched by the limit.
    fast = paced.expo.upload(paced.mine, MINE, duck, "duck.glb")
    assert fast.status_code == 201, fast.text[:300]
