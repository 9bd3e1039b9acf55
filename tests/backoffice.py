"""Helpers for the back-office tests: accounts, invites, uploads and approvals through HTTP.

:class:`Expo` drives the JSON API through any httpx-compatible client: the
in-process ``TestClient`` or an ``httpx.Client`` against a real server
(tests/live.py). Staff accounts are made by the real ``metaexpo
create-staff`` command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from metaexpo.config import Settings
from metaexpo.http.app import create_app
from tests.databases import url_args
from tests.fixtures import shared_fixture
from tests.live import run_metaexpo

STAFF_LOGIN = "staff@expo.test"
STAFF_PASSWORD = "staff-password-1"
EXHIBITOR_PASSWORD = "exhibitor-pass-1"
FIXTURES = shared_fixture("gltf-samples")
DUCK = shared_fixture("gltf-samples/Duck/glTF-Binary/Duck.glb")
BOX = shared_fixture("gltf-samples/Box/glTF-Binary/Box.glb")

Headers = dict[str, str]


def create_staff(
    data_dir: Path,
    login: str = STAFF_LOGIN,
    password: str = STAFF_PASSWORD,
    database_url: str | None = None,
) -> None:
    """Run ``metaexpo create-staff`` for ``data_dir`` and its database (the password on stdin)."""
    run_metaexpo(
        "create-staff",
        "--data-dir",
        str(data_dir),
        *url_args(database_url),
        "--login",
        login,
        "--display-name",
        "Test Staff",
        "--password-stdin",
        stdin=f"{password}\n",
    ).check_returncode()


def bearer(token: str) -> Headers:
    """Authorization header for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


class Expo:
    """The back office's JSON API, step by step, asserting that each step works."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def login(self, login: str, password: str) -> Headers:
        """Sign in; the bearer header."""
        response = self.client.post("/api/auth/login", json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        return bearer(response.json()["token"])

    def staff(self) -> Headers:
        """Signed in as the test staff account."""
        return self.login(STAFF_LOGIN, STAFF_PASSWORD)

    def invite(self, staff: Headers, login: str, booths: list[str], role: str = "exhibitor") -> str:
        """A new invite's secret."""
        response = self.client.post(
            "/api/staff/invites",
            json={
                "login": login,
                "display_name": login.split("@", maxsplit=1)[0],
                "booths": booths,
                "role": role,
            },
            headers=staff,
        )
        assert response.status_code == 201, response.text
        url: str = response.json()["url"]
        return url.rsplit("/", 1)[1]

    def exhibitor(self, staff: Headers, login: str, booths: list[str]) -> Headers:
        """Invite an exhibitor for ``booths``, accept the invite, return their bearer header."""
        secret = self.invite(staff, login, booths)
        response = self.client.post(
            f"/api/auth/invites/{secret}/accept", json={"password": EXHIBITOR_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return bearer(response.json()["token"])

    def upload(
        self, who: Headers, booth: str, data: bytes, filename: str = "booth.glb"
    ) -> httpx.Response:
        """POST a model (not asserted)."""
        return self.client.post(
            f"/api/booths/{booth}/model",
            params={"filename": filename},
            content=data,
            headers={**who, "Content-Type": "application/octet-stream"},
        )

    def submit(self, who: Headers, booth: str) -> dict[str, Any]:
        """Submit the booth's draft; the workspace."""
        response = self.client.post(f"/api/booths/{booth}/submit", headers=who)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def queued(self, staff: Headers, booth: str) -> int:
        """The id of the booth's submission waiting in the staff queue."""
        response = self.client.get("/api/staff/queue", headers=staff)
        assert response.status_code == 200, response.text
        ids = [r["id"] for r in response.json() if r["booth"] == booth]
        assert len(ids) == 1, response.json()
        return int(ids[0])

    def approve(self, staff: Headers, revision_id: int) -> dict[str, Any]:
        """Approve; the announced payload."""
        response = self.client.post(f"/api/staff/revisions/{revision_id}/approve", headers=staff)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def live(self, booth: str) -> dict[str, Any]:
        """The booth's live state from GET /api/booths/{id}."""
        response = self.client.get(f"/api/booths/{booth}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def publish_model(
        self, staff: Headers, who: Headers, booth: str, data: bytes
    ) -> dict[str, Any]:
        """Upload, submit and approve a model for ``booth``; the announced payload."""
        response = self.upload(who, booth, data)
        assert response.status_code == 201, response.text
        self.submit(who, booth)
        return self.approve(staff, self.queued(staff, booth))


@contextmanager
def expo_app(data_dir: Path, **settings: Any) -> Iterator[TestClient]:
    """The real app in-process (lifespan and all) on ``data_dir``, with the test staff account.

    Models are checked in a thread (``model_workers=0``) unless ``settings`` say otherwise;
    ``database_url=…`` puts the database elsewhere than SQLite in ``data_dir``.
    """
    create_staff(data_dir, database_url=settings.get("database_url"))
    options: dict[str, Any] = {"model_workers": 0, **settings}
    app = create_app(Settings(data_dir=data_dir, **options))
    with TestClient(app) as client:
        yield client
