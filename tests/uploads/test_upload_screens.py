"""Screen images through the API: uploaded through the same safe path as the poster, kept in
order in the draft, removed and reordered there, approved with the revision and announced in
the booth's payload, ``/api/booths`` and ``/api/catalog`` (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from metaexpo.booths.screens import MAX_SCREEN_IMAGES
from metaexpo.config import Settings
from metaexpo.store import open_database
from metaexpo.store.schema import StoredFile
from tests.backoffice import Expo, expo_app
from tests.models.gltf_factory import png_header_only
from tests.uploads.test_upload_images import photo_with_gps

BOOTH = "office-01"


def picture(colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


class Screens:
    """The app, its data folder, staff, and an exhibitor of BOOTH."""

    def __init__(self, client: TestClient, data_dir: Path, database_url: str | None) -> None:
        self.http = client
        self.data_dir = data_dir
        self.database_url = database_url
        self.expo = Expo(client)
        self.staff = self.expo.staff()
        self.who = self.expo.exhibitor(self.staff, "screens@firm.test", [BOOTH])

    def add(self, data: bytes) -> Any:
        return self.http.post(f"/api/booths/{BOOTH}/screens", content=data, headers=self.who)

    def open_screens(self) -> list[dict[str, str]]:
        ws = self.http.get(f"/api/booths/{BOOTH}/workspace", headers=self.who).json()
        return [] if ws["open"] is None else list(ws["open"]["screens"])

    def clear(self) -> None:
        """Withdraw a submission, then take every screen image off the draft."""
        ws = self.http.get(f"/api/booths/{BOOTH}/workspace", headers=self.who).json()
        if ws["open"] is not None and ws["open"]["state"] == "submitted":
            self.http.post(f"/api/booths/{BOOTH}/withdraw", headers=self.who).raise_for_status()
        for shot in self.open_screens():
            response = self.http.delete(
                f"/api/booths/{BOOTH}/screens/{shot['id']}", headers=self.who
            )
            assert response.status_code == 200, response.text

    def stored_files(self) -> set[str]:
        objects = self.data_dir / "assets" / "objects"
        return {p.parent.name + p.name for p in objects.glob("*/*")} if objects.is_dir() else set()


@pytest.fixture(scope="module")
def screens(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Screens]:
    data_dir = tmp_path_factory.mktemp("screens")
    with expo_app(data_dir, image_max_bytes=300_000, database_url=module_database_url) as client:
        yield Screens(client, data_dir, module_database_url)


@pytest.fixture
def fresh(screens: Screens) -> Iterator[Screens]:
    """``screens`` with an empty slideshow in the draft, and again after the test."""
    screens.clear()
    yield screens
    screens.clear()


def test_screen_images_are_kept_in_order_and_served_clean(fresh: Screens) -> None:
    first = fresh.add(photo_with_gps())
    assert first.status_code == 200, first.text
    second = fresh.add(picture((20, 200, 20)))
    assert second.status_code == 200, second.text
    shots = second.json()["open"]["screens"]
    assert len(shots) == 2
    for shot in shots:
        assert shot["url"] == f"/assets/{shot['id']}.jpg"
    served = fresh.http.get(shots[0]["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert b"SpyCam" not in served.content and b"secret comment" not in served.content
    image = Image.open(io.BytesIO(fresh.http.get(shots[1]["url"]).content))
    assert image.format == "JPEG" and image.size == (320, 180)


def test_screen_images_are_reordered_and_removed_in_the_draft(fresh: Screens) -> None:
    for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        assert fresh.add(picture(colour)).status_code == 200
    a, b, c = (shot["id"] for shot in fresh.open_screens())
    reordered = fresh.http.put(
        f"/api/booths/{BOOTH}/screens/order", json={"order": [c, a, b]}, headers=fresh.who
    )
    assert reordered.status_code == 200, reordered.text
    assert [s["id"] for s in reordered.json()["open"]["screens"]] == [c, a, b]
    refused = fresh.http.put(
        f"/api/booths/{BOOTH}/screens/order", json={"order": [c, a]}, headers=fresh.who
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["code"] == "bad_screen_order"
    removed = fresh.http.delete(f"/api/booths/{BOOTH}/screens/{a}", headers=fresh.who)
    assert [s["id"] for s in removed.json()["open"]["screens"]] == [c, b]
    missing = fresh.http.delete(f"/api/booths/{BOOTH}/screens/{a}", headers=fresh.who)
    assert missing.status_code == 404


def test_the_same_picture_twice_is_refused(fresh: Screens) -> None:
    assert fresh.add(picture((90, 90, 0))).status_code == 200
    again = fresh.add(picture((90, 90, 0)))
    assert again.status_code == 422
    assert again.json()["detail"][0]["code"] == "duplicate_screen_image"
    assert len(fresh.open_screens()) == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<svg onload='alert(1)'/>", "bad_image"),
        (png_header_only(7070, 7070), "image_too_large"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "bad_image"),
    ],
)
def test_a_hostile_file_is_refused_and_nothing_is_kept(
    fresh: Screens, data: bytes, code: str
) -> None:
    before = fresh.stored_files()
    response = fresh.add(data)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["code"] == code
    if code == "image_too_large":
        assert "the screen image is 7070 × 7070 pixels" in problem["message"]
    assert fresh.open_screens() == []
    assert fresh.stored_files() == before


def test_a_full_screen_refuses_the_next_picture_before_reading_it(fresh: Screens) -> None:
    for i in range(MAX_SCREEN_IMAGES):
        assert fresh.add(picture((i * 30, 10, 10))).status_code == 200
    before = fresh.stored_files()
    # Not even a picture: refused for the count, before the body is decoded.
    response = fresh.add(b"not a picture at all")
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "too_many_screen_images"
    assert len(fresh.open_screens()) == MAX_SCREEN_IMAGES
    assert fresh.stored_files() == before


def test_a_submitted_revision_takes_no_screen_images(fresh: Screens) -> None:
    assert fresh.add(picture((1, 2, 3))).status_code == 200
    fresh.expo.submit(fresh.who, BOOTH)
    response = fresh.add(picture((4, 5, 6)))
    assert response.status_code == 409
    order = fresh.http.put(
        f"/api/booths/{BOOTH}/screens/order",
        json={"order": [s["id"] for s in fresh.open_screens()]},
        headers=fresh.who,
    )
    assert order.status_code == 409


def _catalog_entry(http: TestClient) -> dict[str, Any]:
    catalog = http.get("/api/catalog").json()
    return next(b for b in catalog["booths"] if b["id"] == BOOTH)


def test_approved_screen_images_reach_the_payload_the_booths_and_the_catalog(
    fresh: Screens,
) -> None:
    assert _catalog_entry(fresh.http)["screens"] == []
    for colour in ((250, 0, 0), (0, 0, 250)):
        assert fresh.add(picture(colour)).status_code == 200
    a, b = (shot["id"] for shot in fresh.open_screens())
    fresh.http.put(
        f"/api/booths/{BOOTH}/screens/order", json={"order": [b, a]}, headers=fresh.who
    ).raise_for_status()
    fresh.expo.submit(fresh.who, BOOTH)
    live = fresh.expo.approve(fresh.staff, fresh.expo.queued(fresh.staff, BOOTH))
    expected = [f"/assets/{b}.jpg", f"/assets/{a}.jpg"]
    assert live["type"] == "booth" and live["screens"] == expected
    assert fresh.expo.live(BOOTH)["screens"] == expected
    everyone = fresh.http.get("/api/booths").json()["booths"]
    assert next(x for x in everyone if x["id"] == BOOTH)["screens"] == expected
    assert _catalog_entry(fresh.http)["screens"] == expected
    # The next draft starts from the live slideshow; the live one stays until approved again.
    removed = fresh.http.delete(f"/api/booths/{BOOTH}/screens/{a}", headers=fresh.who)
    assert [s["id"] for s in removed.json()["open"]["screens"]] == [b]
    assert fresh.expo.live(BOOTH)["screens"] == expected
    db = open_database(
        Settings(data_dir=fresh.data_dir, database_url=fresh.database_url), migrate=False
    )
    try:
        with db.reading() as session:
            kinds = {sha: session.get(StoredFile, sha) for sha in (a, b)}
            assert {row.kind for row in kinds.values() if row is not None} == {"screen"}
    finally:
        db.close()
