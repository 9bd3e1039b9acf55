"""Two nodes sharing one PostgreSQL database and one Redis, each with a data folder of its own:
an exhibitor signs in and edits on node A, staff approve on node B, and visitors on both nodes
see the booth change.

Only the database URL and the secret key are shared (plus Redis for the
announcement), so everything a person does on one node counts on the other:
accounts, the portal session and its CSRF token, the draft and the approval.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backoffice import EXHIBITOR_PASSWORD, Expo, create_staff
from tests.bus.test_redis_nodes_live import RedisServer
from tests.databases import migrate
from tests.live import Client, ServerProcess
from tests.throwaway_postgres import ThrowawayPostgres

pytestmark = pytest.mark.integration

BOOTH = "culture-01"
LOGIN = "nodes@firm.test"


@pytest.fixture
def two_nodes(
    tmp_path: Path, postgres: ThrowawayPostgres
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    url = postgres.create_database(template=postgres.make_template(migrate))
    redis_server = RedisServer(tmp_path).start()
    started: list[ServerProcess] = []
    try:  # a node that fails to start must not leave Redis (or the other node) running
        create_staff(tmp_path / "a" / "data", database_url=url)
        # "=": a generated key may begin with "-", which argparse would take for an option
        shared = ("--redis-url", redis_server.url, f"--secret-key={secrets.token_urlsafe(32)}")
        # The same database, once as SQLAlchemy writes it and once as hosting providers do.
        same_database = {"a": url, "b": url.replace("postgresql+psycopg://", "postgres://")}
        for name, database in same_database.items():
            (tmp_path / name).mkdir(exist_ok=True)
            args = (*shared, "--database-url", database, "--node-id", name)
            started.append(ServerProcess(tmp_path / name, *args).start())
        yield started[0], started[1]
    finally:
        for node in started:
            node.stop()
        redis_server.stop()
        postgres.drop_database(url)


def portal_sign_in(http: httpx.Client, login: str, password: str) -> tuple[str, str]:
    """Sign in through the portal's form; (the session cookie, its CSRF token)."""
    form = http.get("/portal/login")
    nonce = re.search(r'name="csrf" value="([^"]*)"', form.text)
    assert nonce, form.text
    response = http.post(
        "/portal/login",
        data={"login": login, "password": password, "csrf": nonce.group(1), "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = http.cookies["metaexpo_session"]
    page = http.get("/portal/booths")
    csrf = re.search(r'name="csrf-token" content="([^"]*)"', page.text)
    assert csrf, page.text
    return cookie, csrf.group(1)


def renamed(content: dict[str, Any], name: str) -> dict[str, Any]:
    exhibitor = {**content["exhibitor"], "name": {"zh": name, "en": name}}
    return {**content, "exhibitor": exhibitor}


async def test_an_edit_on_one_node_approved_on_the_other_reaches_visitors_on_both(
    two_nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_nodes
    visitors = [await Client.connect(a.ws), await Client.connect(b.ws)]
    for index, visitor in enumerate(visitors):
        await visitor.join(f"visitor-{index}")
    with (
        httpx.Client(base_url=a.http, timeout=60) as on_a,
        httpx.Client(base_url=b.http, timeout=60) as on_b,
    ):
        staff_b = Expo(on_b)
        staff = staff_b.staff()
        staff_b.exhibitor(staff, LOGIN, [BOOTH])  # invited on B: the account is in the database

        # The exhibitor signs in on A; the session (a row in PostgreSQL) counts on B as well.
        cookie, csrf = portal_sign_in(on_a, LOGIN, EXHIBITOR_PASSWORD)
        signed_in = {"Cookie": f"metaexpo_session={cookie}", "X-CSRF-Token": csrf}
        on_a.cookies.clear()
        me = on_b.get("/api/auth/me", headers=signed_in)
        assert me.status_code == 200 and me.json()["login"] == LOGIN, me.text

        workspace = on_a.get(f"/api/booths/{BOOTH}/workspace", headers=signed_in).json()
        edited = renamed(workspace["content"], "两个节点 Two Nodes")
        saved = on_a.put(f"/api/booths/{BOOTH}/draft", json=edited, headers=signed_in)
        assert saved.status_code == 200, saved.text
        # The next request lands on B: the session and its CSRF token count there too.
        submitted = on_b.post(f"/api/booths/{BOOTH}/submit", headers=signed_in)
        assert submitted.status_code == 200, submitted.text

        approved = await asyncio.to_thread(staff_b.approve, staff, staff_b.queued(staff, BOOTH))
        assert approved["exhibitor"]["name"]["en"] == "两个节点 Two Nodes"

        messages = await asyncio.gather(*(visitor.expect("booth") for visitor in visitors))
        for message in messages:
            assert message == approved
        for node in (on_a, on_b):
            live = node.get(f"/api/booths/{BOOTH}").json()
            assert live["revision"] == 1 and live["exhibitor"]["name"]["en"] == "两个节点 Two Nodes"
    for visitor in visitors:
        await visitor.close()
