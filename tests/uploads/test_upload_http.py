"""Model uploads through HTTP, in-process: the size cap while streaming, refusals that list
every problem, and files served by hash (originals never)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backoffice import DUCK, Expo, Headers, expo_app

BOOTH = "retail-01"
LIMIT = 256 * 1024


class Desk:
    """The app with a tight upload cap and an exhibitor for BOOTH."""

    def __init__(self, client: TestClient, data_dir: Path) -> None:
        self.client = client
        self.data_dir = data_dir
        self.expo = Expo(client)
        self.staff = self.expo.staff()
        self.who: Headers = self.expo.exhibitor(self.staff, "up@firm.test", [BOOTH])

    def temp_files(self) -> list[Path]:
        folder = self.data_dir / "tmp" / "uploads"
        return list(folder.iterdir()) if folder.exists() else []


@pytest.fixture(scope="module")
def desk(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("uploads")
    with expo_app(data_dir, upload_max_bytes=LIMIT, database_url=module_database_url) as client:
        yield Desk(client, data_dir)


def test_an_accepted_model_answers_201_with_its_report_and_files(desk: Desk) -> None:
    response = desk.expo.upload(desk.who, BOOTH, DUCK.read_bytes(), "Duck.glb")
    assert response.status_code == 201, response.text
    upload = response.json()["upload"]
    assert upload["state"] == "normalised" and upload["filename"] == "Duck.glb"
    assert upload["report"]["accepted"] is True
    assert upload["report"]["fit"]["slot"]["width"] == 12.0, "fitted into this booth's slot"
    model = desk.client.get(upload["model"])
    assert model.status_code == 200 and model.headers["content-type"] == "model/gltf-binary"
    assert model.headers["cache-control"] == "public, max-age=31536000, immutable"
    preview = desk.client.get(upload["preview"])
    assert preview.status_code == 200 and preview.content[:8] == b"\x89PNG\r\n\x1a\n"
    workspace = response.json()["workspace"]
    assert workspace["open"]["model"] == upload["model"]
    assert desk.temp_files() == []


def test_the_original_upload_is_never_served(desk: Desk) -> None:
    original = hashlib.sha256(DUCK.read_bytes()).hexdigest()
    for ext in ("glb", "png", "jpg"):
        assert desk.client.get(f"/assets/{original}.{ext}").status_code == 404


def test_a_refused_model_answers_422_listing_every_problem(desk: Desk) -> None:
    response = desk.expo.upload(desk.who, BOOTH, b"PK\x03\x04 not really a zip", "model.zip")
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith("the model was refused")
    assert body["detail"] and all(
        set(p) == {"code", "message", "where", "limit"} for p in body["detail"]
    )
    assert body["detail"][0]["code"] == "bad_zip"


def test_a_declared_length_over_the_cap_is_refused_before_reading(desk: Desk) -> None:
    response = desk.client.post(
        f"/api/booths/{BOOTH}/model?filename=big.glb",
        content=b"x" * (LIMIT + 1),
        headers=desk.who,
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert desk.temp_files() == []


def test_a_body_growing_past_the_cap_without_a_length_is_cut_off(desk: Desk) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 16 * 1024
            yield b"g" * 16 * 1024

    response = desk.client.post(
        f"/api/booths/{BOOTH}/model?filename=big.glb", content=chunks(), headers=desk.who
    )
    assert response.status_code == 413
    assert desk.temp_files() == []


@pytest.mark.parametrize("filename", ["", "booth.exe", "booth", "x" * 300 + ".glb"])
def test_a_file_name_that_cannot_name_a_model_is_refused_first(desk: Desk, filename: str) -> None:
    response = desk.expo.upload(desk.who, BOOTH, DUCK.read_bytes(), filename)
    assert response.status_code == 422
    if len(filename) <= 255:
        assert response.json()["detail"][0]["code"] == "bad_file_name"


def test_an_empty_body_is_refused(desk: Desk) -> None:
    response = desk.expo.upload(desk.who, BOOTH, b"", "empty.glb")
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "empty_file"


def test_unknown_asset_names_are_404(desk: Desk) -> None:
    for name in ("0" * 64 + ".glb", "../secret_key", "abc.glb", "0" * 64 + ".exe"):
        assert desk.client.get(f"/assets/{name}").status_code == 404


def test_the_upload_history_is_in_the_audit_log(desk: Desk) -> None:
    entries = desk.client.get("/api/staff/audit", params={"target": BOOTH}, headers=desk.staff)
    actions = [e["action"] for e in entries.json()]
    assert "model_accepted" in actions and "model_refused" in actions
