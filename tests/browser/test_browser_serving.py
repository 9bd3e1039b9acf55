"""How the service serves the built client: the page revalidated, hashed bundles cached forever
(gzip when asked), and a clear 503 when the client was never built."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_page_is_revalidated_and_bundles_are_immutable(
    server: ServerProcess, web_dist: Path
) -> None:
    page = httpx.get(f"{server.http}/", timeout=5)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-type"].startswith("text/html")
    manifest = json.loads((web_dist / "manifest.json").read_text())
    assert f'src="/app/{manifest["js"]}"' in page.text
    assert f'href="/app/{manifest["css"]}"' in page.text
    assert "cdn" not in page.text.lower()

    js = httpx.get(
        f"{server.http}/app/{manifest['js']}", headers={"Accept-Encoding": "gzip"}, timeout=5
    )
    assert js.status_code == 200
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert js.headers["content-encoding"] == "gzip"
    assert js.headers["content-type"].startswith("text/javascript")
    again = httpx.get(
        f"{server.http}/app/{manifest['js']}",
        headers={"If-None-Match": js.headers["etag"]},
        timeout=5,
    )
    assert again.status_code == 304

    css = httpx.get(f"{server.http}/app/{manifest['css']}", timeout=5).text
    fonts = re.findall(r'url\("\./([^"]+\.woff2)"\)', css)
    assert len(fonts) > 100, "Noto Sans SC comes from the bundle, split by unicode-range"
    font = httpx.get(f"{server.http}/app/{fonts[0]}", timeout=5)
    assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"

    for bad in ("main.js", "..%2Fpackage.json", "main-AAAAAAAA.exe"):
        assert httpx.get(f"{server.http}/app/{bad}", timeout=5).status_code == 404
    assert httpx.head(f"{server.http}/", timeout=5).status_code == 200


@pytest.fixture
def unbuilt_server(tmp_path: Path) -> Iterator[ServerProcess]:
    web = tmp_path / "web"
    web.mkdir()
    proc = ServerProcess(tmp_path, "--web-dir", str(web)).start()
    yield proc
    proc.stop()


def test_without_a_build_the_page_says_how_to_make_one(unbuilt_server: ServerProcess) -> None:
    html = httpx.get(f"{unbuilt_server.http}/", headers={"Accept": "text/html"}, timeout=5)
    assert html.status_code == 503
    assert "npm run build" in html.text and "scripts/run" in html.text
    api = httpx.get(f"{unbuilt_server.http}/", timeout=5)
    assert api.status_code == 503
    assert "npm run build in web/" in api.json()["detail"]
    # The rest of the service works regardless.
    assert httpx.get(f"{unbuilt_server.http}/healthz", timeout=5).status_code == 200
