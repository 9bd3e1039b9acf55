"""Moderation in real Chromium on two nodes sharing a real Redis: staff enter with a badge,
ban a visitor from the chat line's menu, and the visitor's pages on both nodes close and say
why; the same browser is refused when it comes back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.browser.support import VIEWPORT, expo, ms, open_client, wait_for, wait_until
from tests.bus.test_redis_nodes_live import RedisServer
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nodes(
    tmp_path_factory: pytest.TempPathFactory, web_dist: Path
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    tmp = tmp_path_factory.mktemp("browser-moderation")
    redis = RedisServer(tmp).start()
    a_dir, b_dir = tmp / "a", tmp / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    create_staff(a_dir / "data")
    (b_dir / "data").symlink_to(a_dir / "data")  # one database and one secret for both
    started: list[ServerProcess] = []
    try:
        for name, folder in (("a", a_dir), ("b", b_dir)):
            started.append(
                ServerProcess(folder, "--redis-url", redis.url, "--node-id", name).start()
            )
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()
        redis.stop()


@pytest.fixture
def staff_context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    yield ctx
    ctx.close()


def sign_in_to_portal(context: BrowserContext, base: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/portal/login")
    page.fill("input[name=login]", STAFF_LOGIN)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff", timeout=ms(30))
    page.close()


def guest_token(page: Page) -> str:
    stored = page.evaluate("localStorage.getItem('metaexpo.guest')")
    assert stored, "the client keeps a guest token"
    token: str = json.loads(stored)["token"]
    return token


def wait_banned(page: Page) -> dict[str, str]:
    banner: dict[str, str] = wait_until(
        page,
        "() => __expo.connection === 'closed' && __expo.banner && __expo.banner",
        timeout=10,
    )
    return banner


def test_a_banned_visitor_is_closed_on_both_nodes_and_told_why(
    nodes: tuple[ServerProcess, ServerProcess],
    staff_context: BrowserContext,
    context: BrowserContext,
    context2: BrowserContext,
) -> None:
    a, b = nodes
    sign_in_to_portal(staff_context, a.http)
    staff = open_client(staff_context, a.http, "whatever")
    assert expo(staff, "__expo.you") == {"name": "Test Staff", "badge": "staff", "moderator": True}

    # The same visitor (one guest token) has a page on each node.
    on_b = open_client(context, b.http, "Spammer")
    token = guest_token(on_b)
    stored = json.dumps({"token": token, "expires_at": 4_000_000_000})
    context2.add_init_script(f"localStorage.setItem('metaexpo.guest', {json.dumps(stored)})")
    on_a = open_client(context2, a.http, "Spammer")
    assert guest_token(on_a) == token
    # Others see the staff badge on the staff member's tag.
    staff_id = expo(staff, "__expo.id")
    seen = wait_until(on_b, "id => __expo.avatars.find((v) => v.id === id)", staff_id)
    assert (seen["name"], seen["badge"]) == ("Test Staff", "staff")

    # The visitor on node B chats; the staff member on node A opens the line's menu and bans.
    on_b.fill("#chat-input", "buy cheap watches")
    on_b.press("#chat-input", "Enter")
    line = staff.locator("#chat-log li[data-id]", has_text="buy cheap watches")
    line.wait_for(timeout=ms(10))
    line.focus()
    staff.keyboard.press("Enter")  # the menu opens from the keyboard too
    menu = staff.locator("#mod-menu")
    menu.wait_for(state="visible", timeout=ms(5))
    assert menu.get_attribute("role") == "menu"
    staff.fill("#mod-reason", "spam links")
    menu.locator("[data-action='mod.ban']").click()

    for page in (on_b, on_a):
        banner = wait_banned(page)
        assert banner["status"] == "status.banned", banner
        assert "spam links" in banner["text"], banner
    wait_until(staff, "() => __expo.chat.some((l) => l.system && /banned/.test(l.text))")

    # The same browser comes back: refused, and told so.
    on_b.reload()
    wait_for(on_b, "() => window.__expo && window.__expo.hall.ready", timeout=30)
    banner = wait_banned(on_b)
    assert banner["status"] == "status.bannedRefused", banner
    assert "spam links" in banner["text"]
    for page in (staff, on_a, on_b):
        assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_a_reserved_name_sends_the_visitor_back_to_the_lobby_with_a_reason(
    nodes: tuple[ServerProcess, ServerProcess], context: BrowserContext
) -> None:
    page = open_client(context, nodes[0].http, "展会工作人员", lang="zh", enter=False)
    page.fill("#lobby-name", "展会工作人员")
    page.click("#lobby-enter")
    wait_for(
        page,
        "() => !document.getElementById('lobby').hidden"
        " && document.getElementById('lobby-name-error').textContent.includes('保留')",
        timeout=20,
    )
    assert page.get_attribute("#lobby-name", "aria-invalid") == "true"
