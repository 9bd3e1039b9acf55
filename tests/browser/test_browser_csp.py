"""The 3D client and the portal work under the expo's Content-Security-Policy: the hall GLB,
the avatars, the fonts and the sync WebSocket load, and the browser reports no violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import client_url, expo, wait_for, wait_joined, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: Records every CSP violation the page reports, from before its first script runs.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched_page(context: BrowserContext) -> tuple[Page, list[str]]:
    """A new page that records CSP violations and console errors."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(WATCH)
    return page, errors


def enter_hall(context: BrowserContext, base: str, name: str) -> tuple[Page, list[str], Any]:
    page, errors = watched_page(context)
    response = page.goto(client_url(base, name=name, lang="en", autoenter="1"))
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=30)
    wait_joined(page)
    return page, errors, response


def test_the_3d_client_enters_the_hall_without_a_policy_violation(
    context: BrowserContext, server: ServerProcess
) -> None:
    alice, alice_errors, response = enter_hall(context, server.http, "Alice")
    assert response is not None
    assert "frame-ancestors 'none'" in (response.headers.get("content-security-policy") or "")
    bob, bob_errors, _ = enter_hall(context, server.http, "Bob")
    bob_id = expo(bob, "__expo.id")
    wait_until(alice, "id => __expo.avatars.some((a) => a.id === id)", bob_id)
    assert expo(alice, "__expo.hall.source") == "glb", "the hall GLB did not load"
    wait_until(alice, "() => __expo.hall.signs > 0")  # signs are painted with the bundled font
    alice.evaluate("__expoTest.setPose(3.25, 1.6, 16.5, 0.8, 0)")
    alice_id = expo(alice, "__expo.id")
    wait_until(bob, "id => __expo.avatars.some((a) => a.id === id && a.position[0] > 3)", alice_id)
    for page, errors in ((alice, alice_errors), (bob, bob_errors)):
        assert page.evaluate("window.__csp") == [], page.evaluate("window.__csp")
        assert errors == [], errors


def test_the_watch_sees_a_violation_when_there_is_one(
    context: BrowserContext, server: ServerProcess
) -> None:
    # The check above can fail: an inline script in the client's page is refused and reported.
    page, _ = watched_page(context)
    page.goto(f"{server.http}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    reported = wait_until(page, "() => window.__csp.length > 0 && window.__csp")
    assert any(v.startswith("script-src") for v in reported), reported
    assert page.evaluate("window.__ran") is None


def test_the_portal_sign_in_page_works_under_the_policy(
    context: BrowserContext, server: ServerProcess
) -> None:
    page, errors = watched_page(context)
    page.goto(f"{server.http}/portal/login")
    page.fill("input[name=login]", "nobody@expo.test")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("window.__csp") == []
    # The refused sign-in answers 401, and the browser asks for /favicon.ico (404): not errors.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
