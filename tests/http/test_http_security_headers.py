"""Security headers on every kind of response, and absolute links that never come from the
request's Host header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from metaexpo.config import Settings
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo, create_staff, expo_app
from tests.browser.support import ensure_web_build
from tests.live import ServerProcess
from tests.models.gltf_factory import png

BOOTH = "culture-01"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    ensure_web_build()
    with expo_app(
        tmp_path_factory.mktemp("headers") / "data", public_url="https://expo.example.org/"
    ) as client:
        yield client


def logo_url(client: TestClient) -> str:
    """A stored asset: an exhibitor's uploaded logo."""
    expo = Expo(client)
    who = expo.exhibitor(expo.staff(), "headers@firm.test", [BOOTH])
    response = client.post(
        f"/api/booths/{BOOTH}/logo",
        content=png(64, 64),
        headers={**who, "Content-Type": "image/png"},
    )
    assert response.status_code == 200, response.text
    url = response.json()["open"]["logo"]
    assert isinstance(url, str) and url.startswith("/assets/"), response.json()
    return url


def client_bundle(client: TestClient) -> str:
    page = client.get("/").text
    found = re.search(r'src="(/app/[^"]+\.js)"', page)
    assert found, page[:500]
    return found.group(1)


def policy(response: httpx.Response) -> dict[str, str]:
    """The response's Content-Security-Policy, directive by directive."""
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    header = response.headers.get("content-security-policy")
    assert header, f"{where}: no Content-Security-Policy"
    return dict(([*d.strip().split(" ", 1), ""])[:2] for d in header.split(";") if d.strip())


def assert_protected(response: httpx.Response, *, inline_style: bool = False) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    directives = policy(response)
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("object-src") == "'none'", where
    script = directives.get("script-src", directives.get("default-src", ""))
    assert script == "'self'", where
    style = directives.get("style-src", directives.get("default-src", ""))
    assert style == ("'self' 'unsafe-inline'" if inline_style else "'self'"), where
    assert "'unsafe-eval'" not in headers["content-security-policy"], where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    answers = {
        "/": client.get("/"),
        "/app/*": client.get(client_bundle(client)),
        "/assets/*": client.get(logo_url(client)),
        "/api/*": client.get("/api/rooms"),
        "/portal/*": client.get("/portal/login"),
        "a redirect": client.get("/portal/", follow_redirects=False),
        "a 404": client.get("/no/such/page"),
        "a 401": client.get("/api/staff/users"),
        "a 413": client.post("/api/auth/login", content=b"x" * 100_000),
        "/metrics": client.get("/metrics"),
    }
    for what, response in answers.items():
        assert response.status_code < 500, what
        assert_protected(response)
    assert answers["/"].status_code == 200 and answers["/app/*"].status_code == 200
    assert answers["/assets/*"].status_code == 200


def test_the_api_docs_get_their_own_policy(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protected(response, inline_style=True)


def test_the_client_policy_allows_what_the_3d_client_needs_and_no_more(
    client: TestClient,
) -> None:
    directives = policy(client.get("/"))
    # three.js's glTF loader turns a GLB's textures into blob: URLs, fetched then decoded.
    assert "blob:" in directives["img-src"] and "blob:" in directives["connect-src"]
    assert directives["style-src"] == "'self'" and directives["base-uri"] == "'none'"


# --- absolute links ------------------------------------------------------------------------


def test_invite_links_start_with_the_public_url_whatever_the_host_header(
    client: TestClient,
) -> None:
    expo = Expo(client)
    staff = expo.staff()
    response = client.post(
        "/api/staff/invites",
        json={"login": "pub@firm.test", "display_name": "Pub", "booths": []},
        headers={**staff, "Host": "evil.example"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["url"].startswith("https://expo.example.org/portal/invite/")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("links")
    create_staff(tmp / "data")
    proc = ServerProcess(tmp).start()
    yield proc
    proc.stop()


@pytest.mark.integration
def test_without_a_public_url_invite_links_use_the_address_the_request_reached(
    server: ServerProcess,
) -> None:
    with httpx.Client(base_url=server.http, timeout=30) as http:
        token = http.post(
            "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
        ).json()["token"]
        response = http.post(
            "/api/staff/invites",
            json={"login": "host@firm.test", "display_name": "Host", "booths": []},
            headers={"Authorization": f"Bearer {token}", "Host": "evil.example"},
        )
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert "evil.example" not in url
    assert url.startswith(f"http://127.0.0.1:{server.port}/portal/invite/"), url


def test_a_public_url_must_be_an_http_address() -> None:
    for bad in ("expo.example.org", "ftp://expo.example.org", "https://expo.example.org/?a=1"):
        with pytest.raises(ValueError, match="public_url"):
            Settings(public_url=bad, data_dir=Path("unused"))
    assert Settings(public_url="https://expo.example.org/", data_dir=Path("x")).public_url == (
        "https://expo.example.org"
    )
