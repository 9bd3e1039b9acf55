"""The API reference pages and the built-in files: served from the expo itself, with a clear
answer when the web build is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from metaexpo.config import Settings
from metaexpo.http.app import create_app
from tests.browser.support import ensure_web_build
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the module's apps (the scenes are built once)."""
    return tmp_path_factory.mktemp("apidocs")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    ensure_web_build()
    with TestClient(create_app(Settings(data_dir=data_dir, model_workers=0))) as c:
        yield c


def _scripts_and_styles(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/app/[^"]+)"', page)


@pytest.mark.parametrize(
    ("path", "bundle"), [("/docs", "swagger-ui-bundle-"), ("/redoc", "redoc-")]
)
def test_the_reference_pages_load_only_the_expos_own_files(
    client: TestClient, path: str, bundle: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert "/openapi.json" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    files = _scripts_and_styles(page.text)
    assert any(bundle in f for f in files), files
    assert "<script>" not in page.text, "no inline script: the policy would refuse it"
    for name in files:
        served = client.get(name)
        assert served.status_code == 200, name
        assert served.headers["cache-control"].endswith("immutable")


def test_the_openapi_document_is_still_served(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"].startswith("元宇宙浙江")


def test_without_a_web_build_the_reference_pages_say_what_to_run(
    data_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=data_dir, model_workers=0, web_dir=tmp_path)
    with TestClient(create_app(settings)) as c:
        for path in ("/docs", "/redoc"):
            page = c.get(path)
            assert page.status_code == 503
            assert "npm run build" in page.text and "/openapi.json" in page.text
        assert c.get("/openapi.json").status_code == 200
        assert "npm run build" in c.get("/licenses").json()["detail"]


def test_the_icon_comes_from_the_assets_folder(client: TestClient) -> None:
    for path in ("/favicon.svg", "/favicon.ico"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.content == (ROOT / "assets" / "icons" / "favicon.svg").read_bytes()
    page = client.get("/").text
    assert 'rel="icon" href="/favicon.svg"' in page


def test_another_assets_folder_is_used_and_a_missing_icon_says_where_it_was_looked_for(
    data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with TestClient(create_app(Settings(data_dir=data_dir, assets_dir=tmp_path))) as c:
        assert c.get("/favicon.svg").text.startswith("<svg")
    empty = tmp_path / "empty"
    empty.mkdir()
    with TestClient(create_app(Settings(data_dir=data_dir, assets_dir=empty))) as c:
        missing = c.get("/favicon.ico")
        assert missing.status_code == 404
        assert str(empty) in missing.json()["detail"] and "--assets-dir" in missing.json()["detail"]


def test_the_font_licence_is_the_npm_packages_own_text(client: TestClient) -> None:
    index = client.get("/licenses").text
    assert "/licenses/noto-sans-sc.txt" in index and "/licenses/three.txt" in index
    notice = client.get("/licenses/noto-sans-sc.txt")
    assert notice.headers["content-type"].startswith("text/plain")
    original = ROOT / "web" / "node_modules" / "@fontsource" / "noto-sans-sc" / "LICENSE"
    assert original.read_text() in notice.text
    assert "SIL Open Font License" in notice.text
    for bad in ("..%2Fmanifest.json", "NOTO.txt", "none.txt"):
        assert client.get(f"/licenses/{bad}").status_code == 404
