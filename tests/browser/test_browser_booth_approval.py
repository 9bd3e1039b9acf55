"""An exhibitor uploads a sample model through the portal, staff approve it in the console, and
a visitor already in the hall sees the new booth appear, without reloading. (How soon is a
speed figure, not a test's business: no time limit here beyond a bound on waiting.)

Needs the web client to apply ``booth`` announcements and to expose them as
``window.__expo.booths[id] = {revision, model, template, loaded}`` (docs/accounts.md).
"""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket

from tests.backoffice import (
    DUCK,
    EXHIBITOR_PASSWORD,
    STAFF_LOGIN,
    STAFF_PASSWORD,
    Expo,
    create_staff,
)
from tests.browser.support import VIEWPORT, ms, open_client, wait_until
from tests.conftest import TIME_FACTOR
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

BOOTH = "retail-01"


def _keep_booth(frame: str | bytes, into: list[str]) -> None:
    if isinstance(frame, str) and '"booth"' in frame:
        into.append(frame)


def portal_sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/portal/login?lang=en")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form[action='/portal/login'] button[type=submit]")


def test_an_approved_upload_appears_in_a_visitors_hall_without_reloading(
    server: ServerProcess, context: BrowserContext, context2: BrowserContext, browser: Browser
) -> None:
    create_staff(server.tmp / "data")
    with httpx.Client(base_url=server.http, timeout=60) as http:
        secret = Expo(http).invite(Expo(http).staff(), "browser@firm.test", [BOOTH])

    announcements: list[str] = []

    def watch(page: Page) -> None:
        def on_socket(ws: WebSocket) -> None:
            ws.on("framereceived", lambda frame: _keep_booth(frame, announcements))

        page.on("websocket", on_socket)

    context2.on("page", watch)
    visitor = open_client(context2, server.http, "Visitor")
    assert visitor.evaluate(f"__expo.booths?.['{BOOTH}']?.revision ?? 0") == 0

    exhibitor = context.new_page()
    exhibitor.goto(f"{server.http}/portal/invite/{secret}?lang=en")
    exhibitor.fill("input[name=password]", EXHIBITOR_PASSWORD)
    exhibitor.fill("input[name=password2]", EXHIBITOR_PASSWORD)
    exhibitor.click("button[type=submit].primary")
    exhibitor.wait_for_url("**/portal/booths", timeout=ms(10))
    exhibitor.click(f"a[href='/portal/booths/{BOOTH}']")
    upload = exhibitor.locator("form.js-upload[data-url$='/model']")
    upload.locator("input[type=file]").set_input_files(str(DUCK))
    upload.locator("button[type=submit]").click()
    # "Accepted" shows for 600 ms before the page reloads with the preview: too short a
    # moment for a poll on a loaded machine, so the outcome is what is waited for.
    exhibitor.wait_for_selector("img.preview, .upload-status.bad", timeout=ms(40))
    refused = exhibitor.locator(".upload-status.bad")
    assert not refused.count(), f"the portal refused the upload: {refused.inner_text()}"
    exhibitor.wait_for_selector("img.preview", timeout=ms(10))
    exhibitor.click(f"form[action='/portal/booths/{BOOTH}/submit'] button")
    exhibitor.wait_for_selector("text=waiting for staff", timeout=ms(10))

    staff_context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        staff = staff_context.new_page()
        portal_sign_in(staff, server.http, STAFF_LOGIN, STAFF_PASSWORD)
        staff.wait_for_url("**/staff", timeout=ms(10))
        staff.click("a.button:has-text('Review')")
        staff.wait_for_selector("img.preview", timeout=ms(10))
        staff.click("form[action$='/approve'] button")
        staff.wait_for_selector("text=the booth is live", timeout=ms(10))
    finally:
        staff_context.close()

    live = httpx.get(f"{server.http}/api/booths/{BOOTH}", timeout=10).json()
    assert live["revision"] == 1 and live["model"]
    # Polled: Playwright reports socket frames while it waits, and wait_for_timeout is how
    # the sync API lets it; each turn is one poll, the bound is the deadline.
    deadline = time.monotonic() + 20 * TIME_FACTOR
    while not announcements and time.monotonic() < deadline:
        visitor.wait_for_timeout(50)
    assert announcements, "the visitor's socket got no booth announcement"
    assert f'"id":"{BOOTH}"' in announcements[0].replace(" ", "")
    state = wait_until(
        visitor,
        "([id, model]) => { const b = window.__expo.booths?.[id];"
        " return b && b.revision === 1 && b.model === model && b.loaded ? b : null; }",
        [BOOTH, live["model"]],
        timeout=30,
        what="the visitor's hall shows the approved booth, its model loaded",
    )
    assert state["template"] == live["template"]
    assert not visitor.errors  # type: ignore[attr-defined]
