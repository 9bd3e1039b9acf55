"""Serving scenes and the catalog over HTTP, through the real app and its lifespan."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from metaexpo.config import Settings
from metaexpo.http.app import create_app
from metaexpo.scenebuild import BUILDER_VERSION

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("data")
    app = create_app(Settings(data_dir=data_dir))
    with TestClient(app) as client:
        yield client


def _scene_url(client: TestClient) -> str:
    url: str = client.get("/api/scenes").json()["halls"]["main"]["url"]
    return url


def test_api_scenes_points_to_servable_urls(client: TestClient) -> None:
    response = client.get("/api/scenes")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    body = response.json()
    assert body["builder_version"] == BUILDER_VERSION
    assert body["catalog_fingerprint"] == client.app.state.catalog.fingerprint  # type: ignore[attr-defined]
    assert set(body["halls"]) == {"main"}
    for scene in body["halls"].values():
        assert set(scene) == {"url", "sha256", "bytes", "draw_calls", "triangles", "navgrid"}
        assert scene["url"] == f"/scenes/{scene['sha256'][:20]}.glb"
        glb = client.get(scene["url"])
        assert glb.status_code == 200
        assert glb.headers["content-type"] == "model/gltf-binary"
        assert len(glb.content) == scene["bytes"]
        assert glb.content[:4] == b"glTF"
        navgrid = scene["navgrid"]
        assert set(navgrid) == {"url", "sha256", "bytes"}
        assert navgrid["url"] == f"/scenes/{navgrid['sha256'][:20]}.json"


def test_navigation_grid_is_served_immutable_beside_the_glb(client: TestClient) -> None:
    navgrid = client.get("/api/scenes").json()["halls"]["main"]["navgrid"]
    first = client.get(navgrid["url"], headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.headers["cache-control"] == IMMUTABLE
    assert first.headers["etag"] == f'"{navgrid["sha256"][:20]}"'
    assert len(first.content) == navgrid["bytes"]
    assert hashlib.sha256(first.content).hexdigest() == navgrid["sha256"]
    document = first.json()
    assert document["version"] == 1 and document["hall"] == "main"
    assert (
        client.get(navgrid["url"], headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )
    with client.stream("GET", navgrid["url"], headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw) == first.content


def test_scene_is_served_immutable_with_etag_and_304(client: TestClient) -> None:
    url = _scene_url(client)
    first = client.get(url, headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200
    assert first.headers["cache-control"] == IMMUTABLE
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_scene_is_gzipped_when_accepted(client: TestClient, tmp_path: Path) -> None:
    url = _scene_url(client)
    plain = client.get(url, headers={"Accept-Encoding": "identity"}).content
    # httpx would undo the encoding itself; read the raw bytes to see what was sent.
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == IMMUTABLE
        raw = b"".join(response.iter_raw())
    assert len(raw) < len(plain)
    assert gzip.decompress(raw) == plain


@pytest.mark.parametrize(
    "name",
    ["0123456789abcdef0123.glb", "0123456789abcdef0123.json", "nothex.glb", "manifest.json"],
)
def test_unknown_scene_hash_is_404_with_detail(client: TestClient, name: str) -> None:
    response = client.get(f"/scenes/{name}")
    assert response.status_code == 404
    assert "no scene file" in response.json()["detail"]


def test_scene_route_does_not_leave_the_scenes_folder(client: TestClient) -> None:
    response = client.get("/scenes/..%2Fscenes%2Fmanifest.json")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_api_catalog_has_all_booths_bilingual(client: TestClient) -> None:
    response = client.get("/api/catalog")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    assert response.headers["etag"] == f'"{catalog.fingerprint}"'
    body = response.json()
    assert {b["id"] for b in body["booths"]} == {b.id for b in catalog.booths}
    for booth in body["booths"]:
        exhibitor = booth["exhibitor"]
        for field in ("name", "tagline", "description"):
            assert set(exhibitor[field]) == {"zh", "en"}
            assert exhibitor[field]["zh"] and exhibitor[field]["en"]
        assert booth["scenarios"] and all(
            set(s["title"]) == {"zh", "en"} for s in booth["scenarios"]
        )
        assert len(booth["position"]) == 2 and len(booth["front"]) == 2
        assert booth["template"] in {"kiosk", "showcase", "island", "lounge", "pavilion"}
        assert all(tag in body["tags"] for tag in exhibitor["tags"])
    assert set(body["expo"]) == {"title", "subtitle", "notice"}
    assert body["halls"][0]["bounds_min"] == [-128.0, 0.0, -128.0]
    wall = body["plaza"]["info_wall"]
    assert wall["targets"][0]["items"][0]["count"] == 10
    assert set(wall["targets"][0]["items"][0]["label"]) == {"zh", "en"}
    assert {z["id"] for z in body["zones"]} == {z.id for z in catalog.zones}
    forum = body["forum_halls"][0]
    assert forum["seat_count"] == len(forum["seats"]) == 384
    assert set(body["tags"][next(iter(body["tags"]))]) == {"zh", "en"}
    revalidated = client.get("/api/catalog", headers={"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 304
