"""Going live without a restart: approval reaches every connected client within 2 s, and
whoever loads the hall later gets the approved booth from /api/catalog and /api/booths.

Real server processes on loopback; with Redis, two nodes sharing one database
and data folder: approved on one node, announced to visitors on both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backoffice import DUCK, Expo, create_staff
from tests.bus.test_redis_nodes_live import RedisServer
from tests.conftest import TIME_FACTOR
from tests.databases import url_args
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration

BOOTH = "retail-02"
PAYLOAD_FIELDS = {
    "type",
    "id",
    "hall",
    "revision",
    "model",
    "template",
    "colours",
    "exhibitor",
    "links",
    "logo",
    "poster",
    "screens",
}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("swap")
    create_staff(tmp / "data", database_url=module_database_url)
    proc = ServerProcess(tmp, *url_args(module_database_url)).start()
    yield proc
    proc.stop()


async def approve_in_thread(expo: Expo, staff: dict[str, str], revision: int) -> float:
    """Approve without blocking the event loop; the time the answer came back."""
    await asyncio.to_thread(expo.approve, staff, revision)
    return time.monotonic()


async def test_connected_visitors_get_the_booth_within_two_seconds(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "swap@firm.test", [BOOTH])
        assert expo.upload(who, BOOTH, DUCK.read_bytes()).status_code == 201
        expo.submit(who, BOOTH)
        revision = expo.queued(staff, BOOTH)
        visitors = [await Client.connect(server.ws) for _ in range(3)]
        for n, visitor in enumerate(visitors):
            await visitor.join(f"visitor{n}")
        started = time.monotonic()
        approve = asyncio.create_task(approve_in_thread(expo, staff, revision))
        messages = [await v.expect("booth", timeout=2.0) for v in visitors]
        received = time.monotonic()
        await approve
        assert received - started < 2.0 * TIME_FACTOR
        for message in messages:
            assert set(message) == PAYLOAD_FIELDS
            assert message["id"] == BOOTH and message["revision"] == 1
            assert message["model"].startswith("/assets/") and message["model"].endswith(".glb")
        for visitor in visitors:
            await visitor.close()
        model = http.get(messages[0]["model"])
        assert model.status_code == 200 and model.content[:4] == b"glTF"
        assert "immutable" in model.headers["cache-control"]


def booth_in_catalog(base: str, booth_id: str) -> dict[str, Any]:
    catalog = httpx.get(f"{base}/api/catalog", timeout=10)
    assert catalog.status_code == 200
    entry: dict[str, Any] = next(b for b in catalog.json()["booths"] if b["id"] == booth_id)
    return entry


async def test_a_visitor_loading_later_sees_the_approved_booth(server: ServerProcess) -> None:
    live = httpx.get(f"{server.http}/api/booths", timeout=10).json()
    booth = next(b for b in live["booths"] if b["id"] == BOOTH)
    assert booth["revision"] == 1 and booth["model"]
    entry = booth_in_catalog(server.http, BOOTH)
    for key in (
        "revision",
        "model",
        "template",
        "colours",
        "exhibitor",
        "logo",
        "poster",
        "screens",
        "links",
    ):
        assert entry[key] == booth[key], key
    assert entry["position"] and entry["footprint"], "the slot's geometry stays"
    untouched = next(b for b in live["booths"] if b["id"] == "retail-01")
    assert untouched["revision"] == 0 and untouched["model"] is None


async def test_the_catalog_etag_changes_when_a_booth_goes_live(server: ServerProcess) -> None:
    before = httpx.get(f"{server.http}/api/catalog", timeout=10)
    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "etag@firm.test", ["retail-03"])
        expo.publish_model(staff, who, "retail-03", DUCK.read_bytes())
    after = httpx.get(
        f"{server.http}/api/catalog", headers={"If-None-Match": before.headers["etag"]}, timeout=10
    )
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]


async def test_a_restart_serves_every_approved_booth(server: ServerProcess) -> None:
    before = httpx.get(f"{server.http}/api/booths", timeout=10).json()
    server.stop()
    server.start()
    after = httpx.get(f"{server.http}/api/booths", timeout=10).json()
    assert after == before
    for booth in after["booths"]:
        if booth["model"]:
            assert httpx.get(f"{server.http}{booth['model']}", timeout=10).status_code == 200


@pytest.fixture
def two_nodes(
    tmp_path: Path, database_url: str | None
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    redis_server = RedisServer(tmp_path).start()
    started: list[ServerProcess] = []
    try:  # a node that fails to start must not leave Redis (or the other node) running
        create_staff(tmp_path / "data", database_url=database_url)
        shared = ("--redis-url", redis_server.url, *url_args(database_url))
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            node = ServerProcess(tmp_path / name, "--data-dir", str(tmp_path / "data"), *shared)
            started.append(node.start())
        yield started[0], started[1]
    finally:
        for node in started:
            node.stop()
        redis_server.stop()


async def test_an_approval_on_one_node_reaches_visitors_on_another(
    two_nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_nodes
    visitor = await Client.connect(second.ws)
    await visitor.join("on-node-b")
    with httpx.Client(base_url=first.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "nodes@firm.test", [BOOTH])
        assert expo.upload(who, BOOTH, DUCK.read_bytes()).status_code == 201
        expo.submit(who, BOOTH)
        revision = expo.queued(staff, BOOTH)
        started = time.monotonic()
        approve = asyncio.create_task(approve_in_thread(expo, staff, revision))
        message = await visitor.expect("booth", timeout=2.0)
        assert time.monotonic() - started < 2.0 * TIME_FACTOR
        await approve
    assert message["id"] == BOOTH and message["revision"] == 1
    assert booth_in_catalog(second.http, BOOTH)["model"] == message["model"]
    token = httpx.post(
        f"{first.http}/api/auth/login",
        json={"login": "nodes@firm.test", "password": "exhibitor-pass-1"},
        timeout=30,
    ).json()["token"]
    other = await Client.connect(second.ws)
    welcome = await other.join("signed-in", token=token)
    assert welcome["type"] == "welcome", "a token from one node is good on the other"
    await other.close()
    await visitor.close()
