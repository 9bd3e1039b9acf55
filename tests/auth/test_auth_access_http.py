"""Every role tries the others' actions through HTTP and is refused; forged, expired and
revoked credentials are worthless; cookie requests need their CSRF token.

The real app runs in-process (TestClient) on a fresh data folder (and database, SQLite
or PostgreSQL): staff made by
``metaexpo create-staff``, exhibitor A owning retail-01 and B owning retail-02.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from metaexpo.gateway.identity import Identity
from metaexpo.tokens import TokenSigner
from tests.backoffice import DUCK, EXHIBITOR_PASSWORD, Expo, Headers, bearer, expo_app

A_BOOTH, B_BOOTH = "retail-01", "retail-02"


class World:
    """The app and the people in it."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.expo = Expo(client)
        self.staff = self.expo.staff()
        self.a = self.expo.exhibitor(self.staff, "a@firm.test", [A_BOOTH])
        self.b = self.expo.exhibitor(self.staff, "b@firm.test", [B_BOOTH])
        # B has a submission waiting, so staff-only moderation routes have a real target.
        assert self.expo.upload(self.b, B_BOOTH, DUCK.read_bytes()).status_code == 201
        self.expo.submit(self.b, B_BOOTH)
        self.b_revision = self.expo.queued(self.staff, B_BOOTH)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[World]:
    with expo_app(
        tmp_path_factory.mktemp("access"),
        sync_transport="asgi",
        database_url=module_database_url,
    ) as client:
        yield World(client)


def content(name: str = "Firm A") -> dict[str, Any]:
    return {
        "exhibitor": {
            "name": {"zh": "甲公司", "en": name},
            "tagline": {"zh": "标语", "en": "Tagline"},
            "description": {"zh": "简介", "en": "Description"},
            "tags": ["digital-twin"],
            "contact": "https://example.org/a",
        },
        "links": [],
        "template": "kiosk",
        "colours": {"accent": "#112233", "panel": "#ffffff"},
    }


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format="PNG")
    return out.getvalue()


def call(client: TestClient, method: str, path: str, headers: Headers, body: Any = None) -> int:
    if isinstance(body, bytes):
        response = client.request(method, path, content=body, headers=headers)
    elif body is not None:
        response = client.request(method, path, json=body, headers=headers)
    else:
        response = client.request(method, path, headers=headers)
    return response.status_code


STAFF_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/api/staff/users", None),
    ("POST", "/api/staff/users/a@firm.test/disable", None),
    ("POST", "/api/staff/users/a@firm.test/enable", None),
    ("GET", "/api/staff/invites", None),
    ("POST", "/api/staff/invites", {"login": "x@y.test", "display_name": "X", "booths": []}),
    ("GET", "/api/staff/booths", None),
    ("PUT", f"/api/staff/booths/{B_BOOTH}/owners/a@firm.test", None),
    ("DELETE", f"/api/staff/booths/{A_BOOTH}/owners/a@firm.test", None),
    ("GET", "/api/staff/queue", None),
    ("GET", "/api/staff/revisions/{rev}", None),
    ("POST", "/api/staff/revisions/{rev}/approve", None),
    ("POST", "/api/staff/revisions/{rev}/refuse", {"reason": "no"}),
    ("GET", "/api/staff/audit", None),
]

OTHERS_BOOTH_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", f"/api/booths/{B_BOOTH}/workspace", None),
    ("PUT", f"/api/booths/{B_BOOTH}/draft", content()),
    ("POST", f"/api/booths/{B_BOOTH}/submit", None),
    ("POST", f"/api/booths/{B_BOOTH}/withdraw", None),
    ("GET", f"/api/booths/{B_BOOTH}/revisions", None),
    ("DELETE", f"/api/booths/{B_BOOTH}/model", None),
    ("POST", f"/api/booths/{B_BOOTH}/model?filename=duck.glb", DUCK.read_bytes()),
    ("POST", f"/api/booths/{B_BOOTH}/logo", png()),
    ("POST", f"/api/booths/{B_BOOTH}/poster", png()),
    ("DELETE", f"/api/booths/{B_BOOTH}/logo", None),
]


def _path(world: World, path: str) -> str:
    return path.replace("{rev}", str(world.b_revision))


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_an_exhibitor_is_refused_every_staff_route(
    world: World, method: str, path: str, body: Any
) -> None:
    assert call(world.client, method, _path(world, path), world.a, body) == 403


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES + OTHERS_BOOTH_ROUTES)
def test_a_visitor_without_credentials_is_refused_with_401(
    world: World, method: str, path: str, body: Any
) -> None:
    assert call(world.client, method, _path(world, path), {}, body) == 401


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES + OTHERS_BOOTH_ROUTES)
def test_a_guest_token_is_not_a_key_to_the_api(
    world: World, method: str, path: str, body: Any
) -> None:
    guest = world.client.post("/api/auth/guest").json()["token"]
    assert call(world.client, method, _path(world, path), bearer(guest), body) == 401


@pytest.mark.parametrize(("method", "path", "body"), OTHERS_BOOTH_ROUTES)
def test_exhibitor_a_cannot_touch_exhibitor_bs_booth(
    world: World, method: str, path: str, body: Any
) -> None:
    assert call(world.client, method, path, world.a, body) == 403


def test_refusals_leave_bs_submission_untouched(world: World) -> None:
    queue = world.client.get("/api/staff/queue", headers=world.staff).json()
    mine = [r for r in queue if r["booth"] == B_BOOTH]
    assert len(mine) == 1 and mine[0]["state"] == "submitted"
    assert world.expo.live(B_BOOTH)["revision"] == 0


def test_an_exhibitor_cannot_approve_even_their_own_submission(world: World) -> None:
    response = world.client.post(
        f"/api/staff/revisions/{world.b_revision}/approve", headers=world.b
    )
    assert response.status_code == 403
    assert "staff" in response.json()["detail"]


def test_the_owner_and_staff_may_work_on_a_booth(world: World) -> None:
    assert call(world.client, "PUT", f"/api/booths/{A_BOOTH}/draft", world.a, content()) == 200
    assert call(world.client, "GET", f"/api/booths/{A_BOOTH}/workspace", world.staff) == 200


def _staff_id(world: World) -> str:
    return str(world.client.get("/api/auth/me", headers=world.staff).json()["id"])


def test_an_expired_bearer_token_is_refused(world: World) -> None:
    keys = world.client.app.state.office.keys  # type: ignore[attr-defined]
    past = TokenSigner(keys.tokens, clock=lambda: time.time() - 3600)
    token = past.issue("bearer", _staff_id(world), "staff", 60).token
    response = world.client.get("/api/staff/users", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_forged_with_another_key_is_refused(world: World) -> None:
    token = TokenSigner(b"guessed-key-" * 3).issue("bearer", _staff_id(world), "staff", 600).token
    assert world.client.get("/api/staff/users", headers=bearer(token)).status_code == 401


def test_a_genuine_token_claiming_a_role_the_account_lacks_is_refused(world: World) -> None:
    keys = world.client.app.state.office.keys  # type: ignore[attr-defined]
    me = world.client.get("/api/auth/me", headers=world.a).json()
    token = TokenSigner(keys.tokens).issue("bearer", me["id"], "staff", 600).token
    assert world.client.get("/api/staff/users", headers=bearer(token)).status_code == 401


def test_disabling_an_account_revokes_its_tokens_at_once(world: World) -> None:
    c = world.expo.exhibitor(world.staff, "c@firm.test", ["retail-03"])
    assert world.client.get("/api/auth/me", headers=c).status_code == 200
    assert call(world.client, "POST", "/api/staff/users/c@firm.test/disable", world.staff) == 204
    assert world.client.get("/api/auth/me", headers=c).status_code == 401
    response = world.client.post(
        "/api/auth/login", json={"login": "c@firm.test", "password": EXHIBITOR_PASSWORD}
    )
    assert response.status_code == 401


def test_changing_the_password_revokes_older_tokens(world: World) -> None:
    d = world.expo.exhibitor(world.staff, "d@firm.test", [])
    other = world.expo.login("d@firm.test", EXHIBITOR_PASSWORD)
    body = {"current": EXHIBITOR_PASSWORD, "new": "another-password-2"}
    assert world.client.post("/api/auth/password", json=body, headers=d).status_code == 204
    assert world.client.get("/api/auth/me", headers=other).status_code == 401
    assert world.expo.login("d@firm.test", "another-password-2")


def test_an_invite_link_works_once(world: World) -> None:
    secret = world.expo.invite(world.staff, "e@firm.test", [])
    first = world.client.post(
        f"/api/auth/invites/{secret}/accept", json={"password": "pass-word-e1"}
    )
    second = world.client.post(
        f"/api/auth/invites/{secret}/accept", json={"password": "pass-word-e2"}
    )
    assert (first.status_code, second.status_code) == (200, 404)
    assert world.client.get(f"/api/auth/invites/{secret}").status_code == 404


def test_the_longest_sign_in_name_is_invited_signed_in_and_audited(world: World) -> None:
    login = "ex@" + "x" * 243 + ".example"
    assert len(login) == 254
    world.expo.exhibitor(world.staff, login, [])
    world.expo.login(login, EXHIBITOR_PASSWORD)
    audit = world.client.get("/api/staff/audit", headers=world.staff).json()
    actions = [e["action"] for e in audit if e["target"] == login]
    assert actions[:3] == ["signed_in", "invite_accepted", "invite_created"]


# --- cookies and CSRF -----------------------------------------------------------------------


def portal_login(client: TestClient, login: str, password: str) -> str:
    """Sign in through the portal form; the session's CSRF token from the next page."""
    client.cookies.clear()
    page = client.get("/portal/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/portal/login",
        data={"login": login, "password": password, "csrf": token, "next": "/portal/booths"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    booths = client.get("/portal/booths")
    return booths.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


@pytest.fixture
def cookie_client(world: World) -> Iterator[tuple[TestClient, str]]:
    csrf = portal_login(world.client, "a@firm.test", EXHIBITOR_PASSWORD)
    yield world.client, csrf
    world.client.cookies.clear()


def test_a_cookie_request_without_its_csrf_token_is_refused(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, _ = cookie_client
    response = client.put(f"/api/booths/{A_BOOTH}/draft", json=content())
    assert response.status_code == 403
    assert "security token" in response.json()["detail"]


def test_a_cookie_request_with_a_wrong_csrf_token_is_refused(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, csrf = cookie_client
    response = client.put(
        f"/api/booths/{A_BOOTH}/draft", json=content(), headers={"X-CSRF-Token": csrf[::-1]}
    )
    assert response.status_code == 403


def test_a_cookie_request_from_another_site_is_refused_even_with_the_token(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, csrf = cookie_client
    headers = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    assert (
        client.put(f"/api/booths/{A_BOOTH}/draft", json=content(), headers=headers).status_code
        == 403
    )


def test_a_cookie_request_with_its_token_from_the_portal_works(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, csrf = cookie_client
    headers = {"X-CSRF-Token": csrf, "Origin": "http://testserver"}
    response = client.put(
        f"/api/booths/{A_BOOTH}/draft", json=content("Via cookie"), headers=headers
    )
    assert response.status_code == 200
    assert response.json()["content"]["exhibitor"]["name"]["en"] == "Via cookie"


def test_a_portal_form_without_its_csrf_field_is_refused(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, _ = cookie_client
    response = client.post(f"/portal/booths/{A_BOOTH}/submit", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text


def test_the_sign_in_form_without_its_form_token_is_refused(world: World) -> None:
    world.client.cookies.clear()
    response = world.client.post(
        "/portal/login", data={"login": "a@firm.test", "password": EXHIBITOR_PASSWORD}
    )
    assert response.status_code == 403
    assert "metaexpo_session" not in response.cookies


def test_an_exhibitor_gets_403_pages_for_others_booths_and_the_console(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, csrf = cookie_client
    assert client.get(f"/portal/booths/{B_BOOTH}").status_code == 403
    form = {"csrf": csrf, "name_en": "Hijack"}
    assert client.post(f"/portal/booths/{B_BOOTH}", data=form).status_code == 403
    for page in ("/staff", "/staff/booths", "/staff/people", "/staff/audit"):
        assert client.get(page).status_code == 403, page
    staff_form = client.post("/staff/revisions/1/approve", data={"csrf": csrf})
    assert staff_form.status_code == 403


def test_pages_send_strangers_to_the_sign_in_page(world: World) -> None:
    world.client.cookies.clear()
    for page in ("/portal/booths", f"/portal/booths/{A_BOOTH}", "/staff", "/staff/audit"):
        response = world.client.get(page, follow_redirects=False)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/portal/login")


# --- the WebSocket join ----------------------------------------------------------------------


def test_join_tokens_give_roles_and_forged_ones_nothing(world: World) -> None:
    identify = world.client.app.state.hub.identify  # type: ignore[attr-defined]
    token = world.client.get("/api/auth/token", headers=world.staff).json()["token"]
    staff = identify(token)
    assert isinstance(staff, Identity) and staff.role == "staff" and staff.badge == "staff"
    assert staff.name == "Test Staff", "the hall shows the account's display name"
    guest = world.client.post("/api/auth/guest").json()
    visitor = identify(guest["token"])
    assert isinstance(visitor, Identity)
    assert (visitor.role, visitor.user_id, visitor.badge) == ("visitor", guest["id"], None)
    assert identify(token[:-4] + "AAAA") is None


def _join(world: World, token: str) -> list[dict[str, Any]]:
    """Join with ``token``; the messages up to the welcome, or up to the close (last item)."""
    seen: list[dict[str, Any]] = []
    with world.client.websocket_connect("/ws") as ws:
        ws.send_text(
            json.dumps(
                {
                    "type": "join",
                    "v": 2,
                    "room": "main",
                    "name": "t",
                    "avatar": "celadon",
                    "kind": "desktop",
                    "token": token,
                }
            )
        )
        while True:
            message = ws.receive()
            if message["type"] == "websocket.close":
                seen.append({"type": "closed", "code": message.get("code")})
                return seen
            if message.get("text"):
                seen.append(json.loads(message["text"]))
                if seen[-1]["type"] == "welcome":
                    return seen


def test_the_hall_pass_is_an_accounts_token_by_cookie_and_204_for_a_stranger(
    cookie_client: tuple[TestClient, str],
) -> None:
    client, _ = cookie_client
    signed_in = client.get("/api/auth/pass")
    assert signed_in.status_code == 200 and signed_in.headers["cache-control"] == "no-store"
    body = signed_in.json()
    assert body["kind"] == "account" and body["expires_at"] > time.time()
    identify = client.app.state.hub.identify  # type: ignore[attr-defined]
    who = identify(body["token"])
    assert isinstance(who, Identity) and who.role == "exhibitor", who
    assert client.get("/api/auth/pass?as=speaker").json()["kind"] == "account"
    assert client.get("/api/auth/pass?as=admin").status_code == 422
    client.cookies.clear()
    stranger = client.get("/api/auth/pass")
    assert stranger.status_code == 204 and stranger.content == b""


def test_a_websocket_join_with_an_exhibitor_token_is_welcomed(world: World) -> None:
    token = world.client.get("/api/auth/token", headers=world.a).json()["token"]
    assert _join(world, token)[-1]["type"] == "welcome"


def test_a_websocket_join_with_a_forged_token_is_closed_with_4003(world: World) -> None:
    forged = TokenSigner(b"guessed-key-" * 3).issue("bearer", "x", "staff", 600).token
    seen = _join(world, forged)
    assert seen[0]["type"] == "error" and seen[0]["code"] == "bad_token"
    assert seen[-1] == {"type": "closed", "code": 4003}
