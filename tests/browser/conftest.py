"""Fixtures for the browser tests: one headless Chromium per session, a real server, fresh contexts.

Sync Playwright only (scripts/test runs these with ``-p no:asyncio``). Chromium
comes from Debian (/usr/bin/chromium, see shared/recipes/browser-testing.md);
if it is missing the tests fail with a message saying how to install it, they
never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, ensure_web_build
from tests.live import ServerProcess


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """web/dist, built if missing or stale (the server serves it)."""
    return ensure_web_build().parent


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(scripts/bootstrap test does: apt-get install chromium); "
            "the browser tests never download a browser"
        )
    b = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield b
    b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[ServerProcess]:
    """A real expo server for the tests of one module."""
    proc = ServerProcess(tmp_path_factory.mktemp("browser-server")).start()
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (own storage) at the small test viewport."""
    ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    yield ctx
    ctx.close()


@pytest.fixture
def context2(browser: Browser) -> Iterator[BrowserContext]:
    """A second, separate context (its own window): a page in another window of the same
    context is throttled while an emulated XR session runs (measured: 1 fps instead of 8)."""
    ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    yield ctx
    ctx.close()
