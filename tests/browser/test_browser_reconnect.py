"""Reconnecting: a dropped socket resumes the same avatar; a restarted server is rejoined;
the visitor is told when the server is unreachable or the hall is full."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.support import expo, open_client, wait_joined, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_a_dropped_socket_resumes_the_same_avatar(
    context: BrowserContext, context2: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Dropper")
    watcher = open_client(context2, server.http, "Watcher")
    first = expo(page, "__expo.id")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && !a.away)", first)

    # Drop without a goodbye and stay away a moment: others see the avatar faded (AWAY).
    page.evaluate("__expoTest.dropSocket(1500)")
    wait_until(page, "__expo.connection === 'waiting'")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && a.away)", first)

    state = wait_joined(page)
    assert state == {"id": first, "resumed": True}
    assert expo(page, "__expo.status") == "status.resumed"
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && !a.away)", first)

    # Twice in a row works too (the token is renewed by each welcome).
    page.evaluate("__expoTest.dropSocket()")
    wait_until(page, "__expo.connection !== 'joined'", timeout=5)
    assert wait_joined(page) == {"id": first, "resumed": True}


@pytest.fixture
def own_server(tmp_path: Path, web_dist: Path) -> Iterator[ServerProcess]:
    """A server this test may stop and start again on the same port."""
    proc = ServerProcess(tmp_path).start()
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.stop()


def test_a_restarted_server_is_rejoined_and_an_unreachable_one_is_reported(
    context: BrowserContext, own_server: ServerProcess
) -> None:
    page = open_client(context, own_server.http, "Patient")
    wait_until(page, "__expo.connection === 'joined'")
    port = own_server.port

    # A graceful restart: the server says so (1012), the page retries and rejoins.
    own_server.stop()
    wait_until(page, "__expo.connection === 'waiting'")
    wait_until(page, "__expo.status === 'status.unreachable'", timeout=20)
    banner = page.locator("#banner")
    assert banner.is_visible()
    assert "cannot be reached" in (banner.text_content() or "")
    own_server.start()
    assert own_server.port == port
    state = wait_joined(page, timeout=30)
    assert state["resumed"] is False, "a new process has no memory of the old avatar"
    assert expo(page, "__expo.status") == "status.connected"
    assert not banner.is_visible()

    # A crash (no close frame at all): same story.
    own_server.kill()
    wait_until(page, "__expo.connection === 'waiting'")
    own_server.start()
    wait_joined(page, timeout=30)
    assert not page.errors  # type: ignore[attr-defined]


@pytest.fixture
def tiny_server(tmp_path: Path, web_dist: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path, "--max-clients", "1").start()
    yield proc
    proc.stop()


def test_a_full_hall_says_so_and_retries(
    context: BrowserContext, context2: BrowserContext, tiny_server: ServerProcess
) -> None:
    open_client(context, tiny_server.http, "First")
    second = open_client(context2, tiny_server.http, "Second", enter=False)
    second.evaluate("document.getElementById('lobby-name').value = 'Second'")
    second.click("#lobby-enter")
    wait_until(second, "__expo.status === 'status.full'")
    banner = second.locator("#banner")
    assert banner.is_visible()
    assert "full" in (banner.text_content() or "")
    assert expo(second, "__expo.connection") == "waiting"
