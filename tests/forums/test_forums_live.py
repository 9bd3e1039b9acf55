"""Forums end to end: real servers on loopback, real WebSocket clients with real tokens.

One node: a question asked on one client reaches the moderator's client, is approved,
upvoted and pinned on every client; slides turned by the speaker reach everyone, and a
late joiner gets the current slide right after its welcome. Two nodes joined by a real
Redis and one database: the live state and the questions cross.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.bus.test_redis_nodes_live import RedisServer, redis_server  # noqa: F401 - fixture
from tests.conftest import TIME_FACTOR
from tests.forums.pdfs import deck, encrypted, page_tree_bomb
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration
SESSION = "opening-keynote"
SECRET = "forum-live-test-secret-key-0123456789abcdef"


def api(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=30 * TIME_FACTOR)


def staff_token(http: httpx.Client) -> str:
    signed = http.post("/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD})
    assert signed.status_code == 200, signed.text
    return str(signed.json()["token"])


def guest_token(http: httpx.Client) -> str:
    return str(http.post("/api/auth/guest").json()["token"])


def speaker_token(http: httpx.Client, staff: str) -> str:
    made = http.post(
        f"/api/forums/sessions/{SESSION}/speakers",
        json={"display_name": "Lin Xiaolan"},
        headers={"Authorization": f"Bearer {staff}"},
    )
    assert made.status_code == 201, made.text
    secret = made.json()["url"].rsplit("/", 1)[1]
    return str(http.post(f"/api/forums/speakers/{secret}/accept").json()["token"])


def hostile_uploads_are_refused(http: httpx.Client, token: str) -> None:
    """Not-PDFs and PDF bombs are refused with the problem; the server keeps serving."""
    for name, body, code in (
        ("page.html", b"<html><script>alert(1)</script></html>", "not_slides"),
        ("bomb.pdf", page_tree_bomb(), "pdf_unreadable"),
        ("locked.pdf", encrypted(), "pdf_encrypted"),
    ):
        refused = http.post(
            f"/api/forums/sessions/{SESSION}/slides?filename={name}",
            content=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["code"] == code
    assert http.get("/healthz").json()["status"] == "ok"


def upload_slides(http: httpx.Client, token: str, pages: int) -> None:
    done = http.post(
        f"/api/forums/sessions/{SESSION}/slides?filename=talk.pdf",
        content=deck(pages),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert done.status_code == 201, done.text


async def joined(url: str, name: str, token: str) -> Client:
    client = await Client.connect(url)
    await client.join(name, token=token)
    return client


async def forum(client: Client, kind: str, predicate: Any = None) -> dict[str, Any]:
    """The next ``kind`` message that satisfies ``predicate`` (bounded wait)."""
    while True:
        message = await client.expect(kind, timeout=10)
        if predicate is None or predicate(message):
            return message


async def send(client: Client, message: dict[str, Any]) -> None:
    await client.send_json({"session": SESSION, **message})


@pytest.fixture
def node(tmp_path: Path) -> Iterator[ServerProcess]:
    create_staff(tmp_path / "data")
    server = ServerProcess(tmp_path).start()
    yield server
    server.stop()


async def test_questions_and_slides_reach_every_client_and_late_joiners(
    node: ServerProcess,
) -> None:
    with api(node.http) as http:
        staff = staff_token(http)
        speaker = speaker_token(http, staff)
        hostile_uploads_are_refused(http, speaker)
        upload_slides(http, speaker, 3)
        guests = [guest_token(http) for _ in range(2)]
    moderator = await joined(node.ws, "Moderator", staff)
    lin = await joined(node.ws, "Lin", speaker)
    ana = await joined(node.ws, "Ana", guests[0])
    bo = await joined(node.ws, "Bo", guests[1])
    await send(moderator, {"type": "forum.session", "action": "live"})
    for client in (moderator, lin, ana, bo):
        state = await forum(client, "forum.state", lambda m: m["state"] == "live")
        assert state["slide"]["page"] == 1 and state["slide"]["count"] == 3
    await send(moderator, {"type": "forum.sync"})
    await forum(moderator, "forum.queue")

    await send(ana, {"type": "forum.question", "text": "How many visitors can one node hold?"})
    asked = (await forum(ana, "forum.asked"))["question"]
    queue = await forum(moderator, "forum.queue", lambda m: m["questions"])
    assert queue["questions"][0]["text"] == asked["text"]
    assert queue["questions"][0]["state"] == "pending"
    await send(moderator, {"type": "forum.moderate", "question": asked["id"], "action": "approve"})
    top = await forum(bo, "forum.questions", lambda m: m["top"])
    assert top["top"][0]["id"] == asked["id"] and top["top"][0]["name"] == "Ana"
    await send(bo, {"type": "forum.vote", "question": asked["id"]})
    await forum(ana, "forum.questions", lambda m: m["top"] and m["top"][0]["votes"] == 1)
    await send(moderator, {"type": "forum.moderate", "question": asked["id"], "action": "pin"})
    for client in (ana, bo, lin):
        await forum(client, "forum.questions", lambda m: m["top"] and m["top"][0]["pinned"])
    await send(bo, {"type": "forum.moderate", "question": asked["id"], "action": "hide"})
    refusal = await bo.expect("error", timeout=10)
    assert refusal["code"] == "forum_forbidden"

    await send(lin, {"type": "forum.slide", "to": "next"})
    for client in (moderator, lin, ana, bo):
        await forum(client, "forum.state", lambda m: (m["slide"] or {}).get("page") == 2)
    late = await Client.connect(node.ws)
    await late.join("Late")
    first = await late.next(timeout=10)  # the message right after the welcome
    assert isinstance(first, dict) and first["type"] == "forum.state"
    assert first["slide"]["page"] == 2
    for client in (moderator, lin, ana, bo, late):
        await client.close()


@contextlib.contextmanager
def two_nodes(tmp_path: Path, redis_url: str) -> Iterator[list[ServerProcess]]:
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    shared = ("--redis-url", redis_url, "--database-url", database, "--secret-key", SECRET)
    nodes: list[ServerProcess] = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            if name == "a":
                from tests.live import run_metaexpo  # noqa: PLC0415

                made = run_metaexpo(
                    "create-staff",
                    "--data-dir",
                    str(folder / "data"),
                    "--database-url",
                    database,
                    "--login",
                    STAFF_LOGIN,
                    "--display-name",
                    "Staff",
                    "--password-stdin",
                    stdin=f"{STAFF_PASSWORD}\n",
                )
                made.check_returncode()
            nodes.append(ServerProcess(folder, *shared, "--node-id", name).start())
        yield nodes
    finally:
        for server in nodes:
            if server.proc is not None and server.proc.poll() is None:
                server.stop()


async def test_live_state_and_questions_cross_two_nodes_through_redis(
    tmp_path: Path,
    redis_server: RedisServer,  # noqa: F811 - the fixture
) -> None:
    with two_nodes(tmp_path, redis_server.url) as (a, b):
        with api(a.http) as http:
            staff = staff_token(http)
            speaker = speaker_token(http, staff)
            upload_slides(http, speaker, 2)
        with api(b.http) as http:
            guest = guest_token(http)
        moderator = await joined(a.ws, "Moderator", staff)
        lin = await joined(a.ws, "Lin", speaker)
        ana = await joined(b.ws, "Ana", guest)
        await send(moderator, {"type": "forum.sync"})
        await forum(moderator, "forum.queue")
        await send(moderator, {"type": "forum.session", "action": "live"})
        await forum(ana, "forum.state", lambda m: m["state"] == "live")
        await send(lin, {"type": "forum.slide", "to": 2})
        state = await forum(ana, "forum.state", lambda m: (m["slide"] or {}).get("page") == 2)
        assert state["slide"]["count"] == 2
        await send(ana, {"type": "forum.question", "text": "从另一个节点提问"})
        queue = await forum(moderator, "forum.queue", lambda m: m["questions"])
        question = queue["questions"][0]
        assert question["text"] == "从另一个节点提问" and question["name"] == "Ana"
        await send(
            moderator, {"type": "forum.moderate", "question": question["id"], "action": "approve"}
        )
        await forum(
            ana, "forum.questions", lambda m: m["top"] and m["top"][0]["id"] == question["id"]
        )
        await send(ana, {"type": "forum.hand", "up": True})
        hands = await forum(moderator, "forum.hands", lambda m: m["hands"])
        assert hands["hands"][0]["id"] == ana.welcome["id"]
        await send(moderator, {"type": "forum.stage", "action": "invite", "id": ana.welcome["id"]})
        await forum(ana, "forum.invite")
        late = await Client.connect(b.ws)
        await late.join("Late on b")
        first = await late.next(timeout=10)
        assert isinstance(first, dict) and first["type"] == "forum.state"
        assert first["slide"]["page"] == 2
        for client in (moderator, lin, ana, late):
            await client.close()
