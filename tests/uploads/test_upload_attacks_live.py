"""Hostile uploads against a real server: each is refused with its problems, and the hall goes
on serving (health, connected visitors, new joins) through all of them."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.backoffice import DUCK, Expo, Headers, create_staff
from tests.databases import url_args
from tests.live import Client, ServerProcess
from tests.models.gltf_factory import (
    Entry,
    cube,
    cube_glb,
    glb,
    gltf_zip,
    png,
    zip_bytes,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.integration

BOOTH = "office-01"
CAP = 2 * 1024 * 1024


class Target:
    """A server with a 2 MB upload cap, one upload at a time, and an exhibitor for BOOTH."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.http, timeout=60)
        self.expo = Expo(self.http)
        self.who: Headers = self.expo.exhibitor(self.expo.staff(), "attack@firm.test", [BOOTH])

    def upload(self, data: bytes, filename: str) -> httpx.Response:
        return self.expo.upload(self.who, BOOTH, data, filename)

    def still_serving(self) -> None:
        health = self.http.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"


@pytest.fixture(scope="module")
def target(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp("attacks")
    create_staff(tmp / "data", database_url=module_database_url)
    limits = ("--upload-max-bytes", str(CAP), "--upload-concurrency", "1")
    server = ServerProcess(tmp, *limits, *url_args(module_database_url)).start()
    target = Target(server)
    yield target
    target.http.close()
    server.stop()
    assert not list((tmp / "data" / "tmp" / "uploads").glob("*")), "temporary uploads left"


def _cube_zip(uri: str) -> bytes:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = uri
    return gltf_zip(doc, {"cube.bin": binary})


def _deep_json() -> bytes:
    doc, binary = cube()
    doc["extras"] = json.loads("[" * 500 + "]" * 500)
    return glb(doc, binary)


def _huge_count() -> bytes:
    doc, binary = cube()
    doc["accessors"][0]["count"] = 2_000_000_000
    return glb(doc, binary)


def _zip_bomb() -> bytes:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    return gltf_zip(doc, {"cube.bin": binary, "padding.bin": bytes(60 * 1024 * 1024)})


ATTACKS: list[tuple[str, Any, str, str]] = [
    ("picture renamed .glb", lambda: png(64, 64), "logo.glb", "unknown_format"),
    ("GLB cut short", lambda: cube_glb()[:12] + b"\xff" * 40, "cube.glb", "truncated"),
    ("zip bomb", _zip_bomb, "bomb.zip", "zip_bomb"),
    (
        "zip entry escaping",
        lambda: zip_bytes([Entry("model.gltf", b"{}"), Entry("../../etc/cron.d/evil", b"x")]),
        "evil.zip",
        "path_traversal",
    ),
    (
        "buffer on the web",
        lambda: _cube_zip("http://example.com/cube.bin"),
        "web.zip",
        "external_uri",
    ),
    (
        "buffer from the server's disk",
        lambda: _cube_zip("file:///etc/passwd"),
        "disk.zip",
        "external_uri",
    ),
    ("buffer path traversal", lambda: _cube_zip("../../secret_key"), "up.zip", "path_traversal"),
    ("JSON nested 500 deep", _deep_json, "deep.glb", "json_too_deep"),
    ("two-billion-vertex accessor", _huge_count, "count.glb", ""),
]


@pytest.mark.parametrize(("what", "make", "filename", "code"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_a_hostile_model_is_refused_with_its_problem_and_the_hall_keeps_serving(
    target: Target, what: str, make: Any, filename: str, code: str
) -> None:
    data = make()
    assert len(data) <= CAP, f"{what}: the input itself must pass the size cap"
    response = target.upload(data, filename)
    assert response.status_code == 422, f"{what}: {response.status_code} {response.text[:300]}"
    problems = response.json()["detail"]
    assert problems and all(set(p) == {"code", "message", "where", "limit"} for p in problems)
    if code:
        assert code in {p["code"] for p in problems}, problems
    target.still_serving()


def test_a_declared_huge_body_is_refused_before_any_of_it_is_sent(target: Target) -> None:
    token = target.who["Authorization"]
    request = (
        f"POST /api/booths/{BOOTH}/model?filename=huge.glb HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{target.server.port}\r\nAuthorization: {token}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 10000000000\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", target.server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    target.still_serving()


def test_a_streamed_body_past_the_cap_is_cut_off_early(target: Target) -> None:
    sent = 0
    total = 64 * 1024 * 1024

    def body() -> Iterator[bytes]:
        nonlocal sent
        chunk = b"\0" * 65536
        while sent < total:
            sent += len(chunk)
            yield chunk

    try:
        response = target.http.post(
            f"/api/booths/{BOOTH}/model",
            params={"filename": "stream.glb"},
            content=body(),
            headers=target.who,
        )
        assert response.status_code == 413
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server answered 413 and closed while we were still sending: just as good
    assert sent < total / 2, f"the server read {sent} bytes of a body over its {CAP}-byte cap"
    target.still_serving()


def test_more_uploads_than_allowed_at_once_are_told_to_retry(target: Target) -> None:
    release = threading.Event()
    results: list[int] = []

    def slow_body() -> Iterator[bytes]:
        data = DUCK.read_bytes()
        yield data[:1000]
        release.wait(30)
        yield data[1000:]

    def slow_upload() -> None:
        response = target.http.post(
            f"/api/booths/{BOOTH}/model",
            params={"filename": "duck.glb"},
            content=slow_body(),
            headers=target.who,
        )
        results.append(response.status_code)

    worker = threading.Thread(target=slow_upload)
    worker.start()
    try:
        # The server takes the one upload slot before it writes the body to a temporary file.
        temp = target.server.tmp / "data" / "tmp" / "uploads"
        wait_for(
            lambda: temp.is_dir() and any(temp.iterdir()),
            what="the slow upload holding the upload slot (its body in tmp/uploads)",
        )
        busy = target.upload(DUCK.read_bytes(), "duck.glb")
        assert busy.status_code == 503
        assert int(busy.headers["retry-after"]) > 0
    finally:
        release.set()
        worker.join(60)
    assert results == [201]


async def test_visitors_keep_their_connection_and_new_ones_join_after_the_attacks(
    target: Target,
) -> None:
    visitor = await Client.connect(target.server.ws)
    await visitor.join("bystander")
    response = target.upload(_zip_bomb(), "bomb.zip")
    assert response.status_code == 422
    await visitor.send_json({"type": "ping", "t": 1})
    assert (await visitor.expect("pong"))["t"] == 1
    late = await Client.connect(target.server.ws)
    assert (await late.join("late"))["type"] == "welcome"
    await late.close()
    await visitor.close()
