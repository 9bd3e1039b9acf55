"""Moderation on every node at once: two real nodes sharing a real Redis (and one database).
A ban made on node A closes the visitor's sessions on both nodes and both nodes refuse the
token; a mute and a deleted line made on A hold on B. (How soon: bench/, not a test.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from metaexpo.protocol.frames import PROTOCOL_VERSION
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, bearer, create_staff
from tests.bus.test_redis_nodes_live import RedisServer
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ...]]:
    tmp = tmp_path_factory.mktemp("mod-nodes")
    redis = RedisServer(tmp).start()
    a_dir, b_dir = tmp / "a", tmp / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    create_staff(a_dir / "data")
    (b_dir / "data").symlink_to(a_dir / "data")  # one database and one secret for both
    started: list[ServerProcess] = []
    try:
        for name, folder in (("a", a_dir), ("b", b_dir)):
            started.append(
                ServerProcess(folder, "--redis-url", redis.url, "--node-id", name).start()
            )
        yield tuple(started)
    finally:
        for server in started:
            server.stop()
        redis.stop()


def staff_of(node: ServerProcess) -> dict[str, str]:
    answer = httpx.post(
        f"{node.http}/api/auth/login",
        json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD},
        timeout=60 * TIME_FACTOR,
    )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["token"])


def guest_of(node: ServerProcess) -> str:
    token: str = httpx.post(f"{node.http}/api/auth/guest", timeout=30).json()["token"]
    return token


async def joined(node: ServerProcess, name: str, token: str | None = None) -> Client:
    client = await Client.connect(node.ws)
    await client.join(name, **({"token": token} if token else {}))
    return client


async def known_on(client: Client, wire: int) -> None:
    """Wait until ``client``'s node knows the avatar ``wire`` by name (it crossed the bus)."""
    deadline = time.monotonic() + 10 * TIME_FACTOR
    while True:
        await client.send_json({"type": "who", "ids": [wire]})
        roster = await client.expect("roster")
        if roster["join"]:
            return
        assert time.monotonic() < deadline, "the other node's visitor never became known"


async def refused_join(node: ServerProcess, token: str) -> tuple[int | None, str]:
    client = await Client.connect(node.ws)
    await client.send_json(
        {"type": "join", "v": PROTOCOL_VERSION, "room": "main",
             "name": "again", "avatar": "celadon",
         "kind": "desktop", "token": token}
    )  # fmt: skip
    return await client.closed()


async def test_a_ban_on_node_a_closes_the_visitor_on_both_nodes_and_both_refuse_the_token(
    nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = nodes
    token = guest_of(b)
    # One visitor (one guest token) with a page open on each node.
    spammer_b = await joined(b, "Spammer", token)
    spammer_a = await joined(a, "Spammer", token)
    watcher = await joined(a, "Watcher")
    await known_on(watcher, spammer_b.welcome["id"])
    # Staff on node A ban the avatar they see (node A does not hold its token: node B, which
    # does, closes it and bans the token's subject, which closes the page on node A too).
    answer = httpx.post(
        f"{a.http}/api/staff/moderation/actions",
        json={"action": "ban", "target": spammer_b.welcome["id"], "hours": 1, "reason": "spam"},
        headers=staff_of(a),
        timeout=30 * TIME_FACTOR,
    )
    assert answer.status_code == 200, answer.text
    # A bounded wait for each close (a poll, not a speed limit).
    for page in await asyncio.gather(spammer_b.closed(), spammer_a.closed()):
        code, reason = page
        assert code == 4011 and "spam" in reason, reason
    for node in nodes:
        code, reason = await refused_join(node, token)
        assert code == 4011 and "banned" in reason, (node.http, code, reason)
    await watcher.close()


async def test_a_mute_and_a_deletion_on_node_a_hold_on_node_b(
    nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = nodes
    staff = await joined(a, "me", httpx.get(
        f"{a.http}/api/auth/token", headers=staff_of(a), timeout=30
    ).json()["token"])  # fmt: skip
    loud = await joined(b, "Loud", guest_of(b))
    reader = await joined(b, "Reader")
    await known_on(staff, loud.welcome["id"])
    await loud.send_json({"type": "chat", "text": "rude words"})
    line = (await staff.expect("chat"))["messages"][0]
    await staff.send_json({"type": "mod.delete", "ids": [line["id"]]})
    assert (await reader.expect("chat_delete"))["ids"] == [line["id"]]
    await staff.send_json(
        {"type": "mod.mute", "target": loud.welcome["id"], "minutes": 5, "reason": "calm down"}
    )
    assert (await loud.expect("mod.notice"))["action"] == "mute"
    await loud.send_json({"type": "chat", "text": "more rude words"})
    assert (await loud.expect("error"))["code"] == "muted"
    for client in (staff, loud, reader):
        await client.close()
