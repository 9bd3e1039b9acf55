"""Usable by everyone: axe-core (from npm, web/node_modules) finds no serious or critical
violation in the lobby, the hall with its panels open (desktop and phone), the portal and
the console."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo, create_staff
from tests.browser.support import WEB, click_tool, ms, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: axe's own bundle, injected before any page script (like IWER: the CSP allows no inline script).
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


def violations(page: Page, where: str) -> list[str]:
    """The serious and critical axe violations on ``page`` now, one line each."""
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} {v['nodes']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def new_page(browser: Browser, width: int = 1280, height: int = 800, **kw: Any) -> Page:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/bootstrap test (npm ci in web/)")
    ctx = browser.new_context(viewport={"width": width, "height": height}, **kw)
    ctx.add_init_script(path=str(AXE))
    page = ctx.new_page()
    page.on("close", lambda _p: ctx.close())
    return page


def test_the_lobby_and_the_hall_with_its_panels_have_no_serious_violation(
    browser: Browser, server: ServerProcess
) -> None:
    found: list[str] = []
    for lang in ("zh", "en"):
        page = new_page(browser)
        client = open_client(page.context, server.http, "A11y", lang=lang, enter=False)
        found += violations(client, f"lobby {lang}")
        client.click("#lobby-settings")
        found += violations(client, f"lobby settings {lang}")
        client.keyboard.press("Escape")
        client.close()

    page = new_page(browser)
    hall = open_client(page.context, server.http, "A11y", lang="en")
    wait_until(hall, "document.querySelector('#chat-log li') !== null")
    found += violations(hall, "hall")
    hall.evaluate("__expoTest.openBooth('retail-01')")
    wait_until(hall, "__expo.openPanel === 'retail-01'")
    found += violations(hall, "hall, booth panel")
    click_tool(hall, "btn-directory")
    found += violations(hall, "hall, directory")
    hall.fill("#dir-search", "mall")
    found += violations(hall, "hall, directory search")
    click_tool(hall, "btn-settings")
    found += violations(hall, "hall, settings")
    hall.close()

    phone = new_page(browser, 360, 740, has_touch=True, is_mobile=True)
    mobile = open_client(phone.context, server.http, "A11y", lang="zh")
    found += violations(mobile, "phone hall")
    mobile.click("#btn-more")
    found += violations(mobile, "phone hall, More menu")
    mobile.close()
    assert not found, "\n".join(found)


def test_the_portal_and_the_console_have_no_serious_violation(
    browser: Browser, server: ServerProcess
) -> None:
    create_staff(server.tmp / "data")
    with httpx.Client(base_url=server.http, timeout=60) as http:
        secret = Expo(http).invite(Expo(http).staff(), "a11y@firm.test", ["retail-02"])
    found: list[str] = []
    page = new_page(browser)
    for lang in ("en", "zh"):
        page.goto(f"{server.http}/portal/login?lang={lang}")
        found += violations(page, f"portal login {lang}")
    page.goto(f"{server.http}/portal/invite/{secret}?lang=en")
    found += violations(page, "portal invite")
    page.fill("input[name=password]", "a11y-password-2026")
    page.fill("input[name=password2]", "a11y-password-2026")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/booths", timeout=ms(10))
    found += violations(page, "portal booths")
    page.click("a[href='/portal/booths/retail-02']")
    page.wait_for_load_state()
    found += violations(page, "portal booth editor")
    page.close()

    staff = new_page(browser)
    staff.goto(f"{server.http}/portal/login?lang=en")
    staff.fill("input[name=login]", STAFF_LOGIN)
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.click("form[action='/portal/login'] button[type=submit]")
    staff.wait_for_url("**/staff", timeout=ms(10))
    found += violations(staff, "console queue")
    for link in staff.eval_on_selector_all(
        "nav a[href^='/staff']", "els => [...new Set(els.map((a) => a.getAttribute('href')))]"
    ):
        staff.goto(f"{server.http}{link}")
        found += violations(staff, f"console {link}")
    staff.close()
    assert not found, "\n".join(found)
