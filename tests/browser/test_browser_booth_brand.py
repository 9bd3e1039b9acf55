"""An exhibitor's approved logo, poster and colours appear on the 3D booth: live for a visitor
already in the hall, and for one who arrives later (read through window.__expo.booths, whose
``brand`` reports what branding.js put on the booth and the pixel size of each picture); the
booth sign's words make room for the logo plate."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page

from tests.backoffice import Expo, create_staff
from tests.browser.support import open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

BOOTH = "retail-01"
ACCENT = "#1e88e5"


def _picture(size: tuple[int, int], colour: tuple[int, int, int], kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


def _brand(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = wait_until(
        page,
        "(id) => { const b = window.__expo.booths?.[id];"
        " return b && b.loaded && b.brand && b.brand.logo && b.brand.poster ? b : null; }",
        BOOTH,
        timeout=60,
        what="the booth shows its approved brand",
    )
    return state


def _check(state: dict[str, Any]) -> None:
    """The brand is on the booth: recoloured, and the exhibitor's own pictures as textures."""
    brand = state["brand"]
    assert (brand["colours"], brand["logo"], brand["poster"]) == (True, "shown", "shown")
    assert brand["sizes"]["logo"] == [256, 256]
    width, height = brand["sizes"]["poster"]
    assert width * 4 == height * 3  # the portrait poster, whatever size it was stored at


def test_an_approved_logo_poster_and_colours_show_on_the_booth(
    server: ServerProcess, context: BrowserContext, context2: BrowserContext
) -> None:
    create_staff(server.tmp / "data")
    visitor = open_client(context, server.http, "Visitor")
    assert "brand" not in (visitor.evaluate(f"__expo.booths['{BOOTH}']") or {})
    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "brand@firm.test", [BOOTH])
        content = http.get(f"/api/booths/{BOOTH}/workspace", headers=who).json()["content"]
        content["colours"]["accent"] = ACCENT
        saved = http.put(f"/api/booths/{BOOTH}/draft", json=content, headers=who)
        assert saved.status_code == 200, saved.text
        for kind, body in (
            ("logo", _picture((256, 256), (230, 40, 40), "PNG")),
            ("poster", _picture((600, 800), (40, 160, 60), "JPEG")),
        ):
            response = http.post(f"/api/booths/{BOOTH}/{kind}", content=body, headers=who)
            assert response.status_code == 200, response.text
        expo.submit(who, BOOTH)
        live = expo.approve(staff, expo.queued(staff, BOOTH))
    assert live["logo"] and live["poster"] and live["colours"]["accent"] == ACCENT

    _check(_brand(visitor))
    # The sign's words move off the logo plate at its left end: only the plate's background
    # (and the zone's stripe) is painted under it, and the words are drawn beside it.
    plate = visitor.evaluate("id => __expoTest.signInk('booth', id)", BOOTH)["plate"]
    wait_until(
        visitor,
        "([id, p]) => __expoTest.signInk('booth', id, 0.02, p * 0.95).colours <= 6",
        [BOOTH, plate],
        what="the booth sign's words leave the logo plate free",
    )
    words = visitor.evaluate("([id, p]) => __expoTest.signInk('booth', id, p, 1)", [BOOTH, plate])
    assert words["colours"] > 10, words
    assert not visitor.errors  # type: ignore[attr-defined]

    later = open_client(context2, server.http, "Later")
    _check(_brand(later))
    assert not later.errors  # type: ignore[attr-defined]
