"""Uploads through HTTP against the Khronos glTF-Validator gate: a model only the validator
rejects is refused with its messages and nothing is kept, its warnings are kept and shown in
the portal (zh and en), and while the validator cannot run no model is accepted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from metaexpo.booths.files import assets_root
from metaexpo.models import check_model, normalise_model
from metaexpo.store.audit import recent
from metaexpo.store.schema import StoredFile, Upload
from tests.backoffice import (
    EXHIBITOR_PASSWORD,
    STAFF_LOGIN,
    STAFF_PASSWORD,
    Expo,
    Headers,
    expo_app,
)
from tests.models.gltf_factory import write
from tests.models.khronos_cases import (
    clearcoat_normal_map_without_tangents,
    normal_map_and_a_camera,
    normal_map_without_tangents,
)

BOOTH = "retail-01"
LOGIN = "gate@firm.test"


class Desk:
    """The real app on its own data folder, staff, and an exhibitor owning BOOTH."""

    def __init__(self, client: TestClient, data_dir: Path) -> None:
        self.client = client
        self.data_dir = data_dir
        self.expo = Expo(client)
        self.staff = self.expo.staff()
        self.who: Headers = self.expo.exhibitor(self.staff, LOGIN, [BOOTH])

    def stored_objects(self) -> list[Path]:
        objects = assets_root(self.data_dir) / "objects"
        return [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []

    def temp_files(self) -> list[Path]:
        folder = self.data_dir / "tmp" / "uploads"
        return list(folder.iterdir()) if folder.exists() else []

    def rows(self, table: Any) -> list[Any]:
        with self.client.app.state.office.db.reading() as session:  # type: ignore[attr-defined]
            return list(session.scalars(select(table)))

    def audit(self) -> list[tuple[str, dict[str, Any]]]:
        with self.client.app.state.office.db.reading() as session:  # type: ignore[attr-defined]
            return [(entry.action, dict(entry.details)) for entry in recent(session, target=BOOTH)]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    # One worker process, as in production: the validator runs there, not in the server.
    with expo_app(tmp_path / "data", model_workers=1) as client:
        yield Desk(client, tmp_path / "data")


@pytest.fixture
def threaded_desk(tmp_path: Path) -> Iterator[Desk]:
    # Checks in a thread of this process, so a changed PATH reaches them.
    with expo_app(tmp_path / "data", model_workers=0) as client:
        yield Desk(client, tmp_path / "data")


def test_a_model_only_the_khronos_validator_rejects_is_refused_with_its_message(
    desk: Desk, tmp_path: Path
) -> None:
    data = clearcoat_normal_map_without_tangents()
    upload = write(tmp_path / "clearcoat.glb", data)
    assert check_model(upload).accepted, "our own checks accept it"
    assert normalise_model(upload).glb is not None, "and fit it"

    response = desk.expo.upload(desk.who, BOOTH, data, "clearcoat.glb")

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"].startswith("the model was refused")
    assert body["detail"] == [
        {
            "code": "MESH_PRIMITIVE_NO_TANGENT_SPACE",
            "message": "Material requires a tangent space but the mesh primitive does not "
            "provide it and the material does not contain a normal map to generate it.",
            "where": "/meshes/0/primitives/0/material",
            "limit": None,
            "source": "khronos",
        }
    ]
    # Nothing is kept: no file (neither the original nor the fitted GLB), no row naming one.
    assert desk.stored_objects() == []
    assert desk.rows(StoredFile) == []
    assert desk.temp_files() == []
    (row,) = desk.rows(Upload)
    assert row.state == "refused"
    assert (row.original_sha, row.model_sha, row.preview_sha) == (None, None, None)
    assert row.report["khronos"]["errors"] == 1
    refusals = [details for action, details in desk.audit() if action == "model_refused"]
    assert [details["problems"] for details in refusals] == [["MESH_PRIMITIVE_NO_TANGENT_SPACE"]]


def _portal_sign_in(client: TestClient, login: str, password: str) -> None:
    client.cookies.clear()
    page = client.get("/portal/login").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', page)
    assert csrf is not None
    response = client.post(
        "/portal/login",
        data={"login": login, "password": password, "csrf": csrf[1], "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_validator_warnings_are_kept_with_the_upload_and_shown_in_both_languages(
    desk: Desk,
) -> None:
    response = desk.expo.upload(desk.who, BOOTH, normal_map_and_a_camera(), "normal.glb")

    assert response.status_code == 201, response.text
    report = response.json()["upload"]["report"]
    assert report["accepted"] is True
    assert [(w["code"], w.get("source")) for w in report["warnings"]] == [
        ("cameras_removed", None),
        ("MESH_PRIMITIVE_GENERATED_TANGENT_SPACE", "khronos"),
    ]
    assert report["khronos"]["warnings"] == 1
    (row,) = desk.rows(Upload)
    assert row.model_sha is not None and row.report["warnings"] == report["warnings"]
    desk.expo.submit(desk.who, BOOTH)
    revision = desk.expo.queued(desk.staff, BOOTH)

    # The exhibitor's booth editor, then the staff review page: both warnings, ours plain,
    # the validator's labelled, in the page's language.
    pages = ((LOGIN, EXHIBITOR_PASSWORD, f"/portal/booths/{BOOTH}"),)
    pages += ((STAFF_LOGIN, STAFF_PASSWORD, f"/staff/revisions/{revision}"),)
    for login, password, url in pages:
        _portal_sign_in(desk.client, login, password)
        for lang, label in (("zh", "Khronos glTF 验证器"), ("en", "Khronos glTF-Validator")):
            page = desk.client.get(url, params={"lang": lang})
            assert page.status_code == 200, page.text[-2000:]
            assert "Cameras were removed" in page.text
            assert "MESH_PRIMITIVE_GENERATED_TANGENT_SPACE" in page.text
            assert f"{label} · " in page.text
            assert "/meshes/0/primitives/0/material" in page.text


def test_without_the_validator_uploads_are_answered_503_and_nothing_is_kept(
    threaded_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = threaded_desk
    monkeypatch.setenv("PATH", str(tmp_path / "no-node-here"))

    response = desk.expo.upload(desk.who, BOOTH, normal_map_without_tangents(), "normal.glb")

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "600"
    assert "glTF validator is not working" in response.json()["detail"]
    assert desk.stored_objects() == []
    assert desk.rows(Upload) == []
    assert desk.temp_files() == []
