"""An exhibitor's approved screen images play on the booth's screen for a visitor near it: image
1, then image 2 (read through window.__expo.booths[id].brand, which reports the slideshow and
the pixel size of the picture on the screen); a visitor far from the booth loads none of them."""

from __future__ import annotations

import io
import math
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page

from tests.backoffice import Expo, create_staff
from tests.browser.support import open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

BOOTH = "city-01"
#: Two screen images of different shapes, so the page's report of the picture's size tells
#: which one is on the screen.
FIRST = (320, 180)
SECOND = (200, 200)


def _picture(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _approve_two_screen_images(server: ServerProcess) -> list[str]:
    """Upload two screen images as the booth's exhibitor, submit, approve; the live URLs."""
    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "slides@firm.test", [BOOTH])
        for size, colour in ((FIRST, (220, 40, 40)), (SECOND, (40, 40, 220))):
            response = http.post(
                f"/api/booths/{BOOTH}/screens", content=_picture(size, colour), headers=who
            )
            assert response.status_code == 200, response.text
        expo.submit(who, BOOTH)
        live = expo.approve(staff, expo.queued(staff, BOOTH))
    screens: list[str] = live["screens"]
    assert len(screens) == 2 and live["poster"] is None
    return screens


def _slide(page: Page, index: int, url: str, size: tuple[int, int], what: str) -> dict[str, Any]:
    brand: dict[str, Any] = wait_until(
        page,
        "([id, i, url, w, h]) => { const b = window.__expo.booths?.[id]?.brand;"
        " return b && b.slideshow === 'playing' && b.slide === i && b.slideUrl === url"
        " && b.sizes.slide && b.sizes.slide[0] === w && b.sizes.slide[1] === h ? b : null; }",
        [BOOTH, index, url, *size],
        timeout=60,
        what=what,
    )
    return brand


def _go_near(page: Page) -> None:
    place = wait_until(page, "id => __expoTest.boothPlace(id)", BOOTH, what="the booth's place")
    fx, fz = place["front"]
    cx, cz = place["centre"]
    yaw = math.atan2(-(cx - fx), -(cz - fz))  # face the booth
    page.evaluate("([x, z, yaw]) => __expoTest.teleport(x, z, yaw)", [fx, fz, yaw])


def test_a_visitor_near_the_booth_sees_image_1_then_image_2(
    server: ServerProcess, context: BrowserContext, context2: BrowserContext
) -> None:
    create_staff(server.tmp / "data")
    visitor = open_client(context, server.http, "Near")
    screens = _approve_two_screen_images(server)

    # The announcement reaches the page already open; the slideshow waits for a viewer nearby.
    _go_near(visitor)
    first = _slide(visitor, 0, screens[0], FIRST, "the booth's screen shows screen image 1")
    assert first["slides"] == 2
    _slide(visitor, 1, screens[1], SECOND, "the booth's screen moves on to screen image 2")
    _slide(visitor, 0, screens[0], FIRST, "the booth's screen comes round to image 1 again")
    assert not visitor.errors  # type: ignore[attr-defined]

    # A page that loads later sees the same slideshow from /api/catalog, and, far from the
    # booth, loads none of its pictures until it comes near.
    later = open_client(context2, server.http, "Far")
    far = wait_until(
        later,
        "id => { const b = window.__expo.booths?.[id]; return b && b.loaded && b.brand"
        " && b.brand.slides === 2 ? b.brand : null; }",
        BOOTH,
        timeout=60,
        what="the later page knows the booth's slideshow",
    )
    place = later.evaluate("id => __expoTest.boothPlace(id)", BOOTH)
    me = later.evaluate("() => __expo.me.position")
    distance = math.dist((me[0], me[2]), place["centre"])
    assert distance > 40, f"the later visitor starts {distance:.0f} m from {BOOTH}, not far"
    assert far["slideshow"] == "asleep" and "slide" not in far["sizes"]
    requested = later.evaluate(
        "urls => performance.getEntriesByType('resource').filter("
        "(e) => urls.some((u) => e.name.endsWith(u))).length",
        screens,
    )
    assert requested == 0, "a far page loaded the booth's screen images"
    _go_near(later)
    _slide(later, 0, screens[0], FIRST, "the later page shows screen image 1 once near")
    assert not later.errors  # type: ignore[attr-defined]
