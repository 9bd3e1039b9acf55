"""Reconnecting: a dropped socket resumes the same avatar; a restarted server is rejoined;
the visitor is told when the server is unreachable or the hall is full."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.support import expo, open_client, wait_joined, wait_until
from tests.live import ServerProcess, metric
from tests.waiting import wait_for

pytestmark = pytest.mark.browser


def test_a_dropped_socket_resumes_the_same_avatar(
    context: BrowserContext, context2: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Dropper")
    watcher = open_client(context2, server.http, "Watcher")
    first = expo(page, "__expo.id")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && !a.away)", first)

    # Drop without a goodbye and stay away until the watcher has seen the avatar faded
    # (AWAY), then come back: the page holds off its reconnect until told, so how soon the
    # watcher looks does not matter.
    page.evaluate("__expoTest.dropSocket(600000)")
    wait_until(page, "__expo.connection === 'waiting'")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && a.away)", first)
    page.evaluate("__expoTest.reconnectNow()")

    state = wait_joined(page)
    assert state == {"id": first, "resumed": True}
    assert expo(page, "__expo.status") == "status.resumed"
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id && !a.away)", first)

    # Twice in a row works too (the token is renewed by each welcome), this time with the
    # page's own backoff. The page is away only for a moment, too short to catch from
    # here, so the server's count of resumes says that it came back.
    resumes = metric(server.metrics(), "metaexpo_resumes_total")
    page.evaluate("__expoTest.dropSocket()")
    wait_for(
        lambda: metric(server.metrics(), "metaexpo_resumes_total") > resumes,
        what="the dropped page resumes on its own",
    )
    assert wait_joined(page) == {"id": first, "resumed": True}


#: The longest a page waits between two attempts: net/closepolicy.js caps its backoff at
#: 15 s and adds up to 20 % jitter. However long a server took to come back, the page
#: tries again within this, so a rejoin is awaited for this plus a join on a slow machine.
LONGEST_RETRY_S = 15 * 1.2
REJOIN_S = LONGEST_RETRY_S + 30


@pytest.fixture
def own_server(tmp_path: Path, web_dist: Path) -> Iterator[ServerProcess]:
    """A server this test may stop and start again on the same port (a spare one, which
    no other program's connections can take while it is down: tests/live.py)."""
    proc = ServerProcess(tmp_path).start()
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.stop()


def test_a_restarted_server_is_rejoined_and_an_unreachable_one_is_reported(
    context: BrowserContext, own_server: ServerProcess
) -> None:
    page = open_client(context, own_server.http, "Patient")
    port = own_server.port

    # A graceful restart: the server says so (1012), the page retries and rejoins.
    # While it is down (starting it again may take a while on a loaded machine) the
    # page keeps trying with backoff and says the server cannot be reached.
    own_server.stop()
    wait_until(page, "__expo.connection === 'waiting'")
    # Between attempts (not during one, when the page says it is connecting) the page
    # says so in its banner; read both in one go, the next attempt may start any time.
    wait_until(
        page,
        "() => { const b = document.getElementById('banner');"
        " return __expo.status === 'status.unreachable' && !b.hidden"
        " && b.textContent.includes('cannot be reached'); }",
        timeout=30,
        what="the page says the server cannot be reached",
    )
    banner = page.locator("#banner")
    own_server.start()
    assert own_server.port == port
    state = wait_joined(page, timeout=REJOIN_S)
    assert state["resumed"] is False, "a new process has no memory of the old avatar"
    assert expo(page, "__expo.status") == "status.connected"
    assert not banner.is_visible()

    # A crash (no close frame at all): same story.
    own_server.kill()
    wait_until(page, "__expo.connection === 'waiting'")
    own_server.start()
    assert own_server.port == port
    wait_joined(page, timeout=REJOIN_S)
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
    # Read in one go: the page tries again (and says it is connecting) every 10 s or so.
    wait_until(
        second,
        "() => { const b = document.getElementById('banner');"
        " return __expo.status === 'status.full' && __expo.connection === 'waiting'"
        " && !b.hidden && b.textContent.includes('full'); }",
        what="the page says the hall is full and waits to retry",
    )
