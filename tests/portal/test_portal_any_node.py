"""A portal session works on any node that shares the secret key and the database.

docker-compose.yml puts nginx in front of three nodes without sticky sessions; this pins
why that is safe: a sign-in through one node is a database row and its CSRF token an HMAC
of the shared key, so another node accepts both. Two apps on one database stand in for two
nodes here (the PostgreSQL suite runs real node processes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from metaexpo.config import Settings
from metaexpo.http.app import create_app
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff

SHARED_KEY = "one-secret-for-every-node-of-this-expo-0123456789"


def _node(data_dir: Path, secret: str) -> TestClient:
    settings = Settings(data_dir=data_dir, secret_key=secret, model_workers=0)
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("any-node")
    create_staff(folder)
    return folder


@pytest.fixture
def nodes(data_dir: Path) -> Iterator[tuple[TestClient, TestClient]]:
    with _node(data_dir, SHARED_KEY) as a, _node(data_dir, SHARED_KEY) as b:
        yield a, b


def _sign_in(client: TestClient) -> str:
    page = client.get("/portal/login").text
    token = re.search(r'name="csrf" value="([^"]*)"', page)
    assert token
    response = client.post(
        "/portal/login",
        data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.cookies["metaexpo_session"]


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]*)"', page)
    assert match
    return match.group(1)


def test_a_session_opened_on_one_node_is_signed_in_on_another(
    nodes: tuple[TestClient, TestClient],
) -> None:
    a, b = nodes
    cookie = _sign_in(a)
    b.cookies.set("metaexpo_session", cookie)
    page = b.get("/staff", follow_redirects=False)
    assert page.status_code == 200, "node B knows node A's session"
    # The CSRF token node A put in its page is accepted by node B's form handler.
    a_page = a.get("/staff").text
    out = b.post("/portal/logout", data={"csrf": _csrf(a_page)}, follow_redirects=False)
    assert out.status_code == 303
    # Signed out through B: A no longer knows the session either.
    again = a.get("/staff", follow_redirects=False)
    assert again.status_code == 303 and "/portal/login" in again.headers["location"]


def test_a_node_with_another_secret_refuses_the_other_nodes_csrf_token(
    data_dir: Path, nodes: tuple[TestClient, TestClient]
) -> None:
    a, _ = nodes
    cookie = _sign_in(a)
    token = _csrf(a.get("/staff").text)
    with _node(data_dir, "a-different-secret-key-for-a-misconfigured-node-xyz") as stray:
        stray.cookies.set("metaexpo_session", cookie)
        assert stray.get("/staff", follow_redirects=False).status_code == 200, "same database"
        refused = stray.post("/portal/logout", data={"csrf": token}, follow_redirects=False)
        assert refused.status_code == 403, "CSRF tokens are signed with the node's key"
