"""Offline first, in a real browser: the API reference pages (and the client's and portal's first
pages) render in headless Chromium with every host but the expo's own blocked, and none of
them even tries to reach another host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.browser.support import ms
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


class Offline:
    """A page whose context may reach only loopback; every other request is aborted and kept."""

    def __init__(self, context: BrowserContext) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page: Page = context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in (h.strip("[]") for h in _LOOPBACK):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def offline(context: BrowserContext) -> Iterator[Offline]:
    yield Offline(context)


def test_swagger_ui_renders_the_api_with_the_outside_world_blocked(
    server: ServerProcess, offline: Offline
) -> None:
    page = offline.page
    page.goto(f"{server.http}/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path", timeout=ms(30))
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/healthz" in paths and "/api/rooms" in paths, paths
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("元宇宙浙江")
    assert offline.outside == []
    assert offline.errors == []


def test_redoc_renders_the_api_with_the_outside_world_blocked(
    server: ServerProcess, offline: Offline
) -> None:
    page = offline.page
    page.goto(f"{server.http}/redoc")
    page.wait_for_selector("h1", timeout=ms(30))
    assert page.locator("h1").first.inner_text().startswith("元宇宙浙江")
    # At the test viewport (640 px) the sidebar is folded away, but it is there.
    menu = page.locator(".menu-content").get_by_text("halls").first
    menu.wait_for(state="attached", timeout=ms(30))
    page.get_by_text("/api/rooms/{room_id}").first.wait_for(state="attached", timeout=ms(30))
    # Redoc's sidebar logo is an <img> from its CDN: the page's policy refuses it unsent.
    assert offline.outside == []
    assert offline.errors == []


@pytest.mark.parametrize("path", ["/", "/portal/login"])
def test_the_first_pages_reach_no_other_host(
    server: ServerProcess, offline: Offline, path: str
) -> None:
    page = offline.page
    page.goto(f"{server.http}{path}", wait_until="networkidle")
    assert page.title()
    assert offline.outside == []
