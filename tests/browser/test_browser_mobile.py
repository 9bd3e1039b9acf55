"""A phone: touch layout with the joystick, which walks the visitor; others see a mobile visitor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.support import expo, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_the_joystick_walks_a_phone_visitor(
    browser: Browser, context: BrowserContext, server: ServerProcess
) -> None:
    phone_ctx = browser.new_context(
        viewport={"width": 390, "height": 700},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=1,
    )
    try:
        phone = open_client(phone_ctx, server.http, "Phone")
        watcher = open_client(context, server.http, "Watcher")
        phone_id = expo(phone, "__expo.id")
        seen = wait_until(watcher, "id => __expo.avatars.find((a) => a.id === id)", phone_id)
        assert seen["kind"] == "mobile"
        assert phone.evaluate("document.body.classList.contains('touch')")
        stick = phone.locator("#joystick")
        assert stick.is_visible()
        assert phone.locator("#btn-mouselook").is_hidden()

        start = expo(phone, "__expo.me.position")
        box = stick.bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        phone.mouse.move(cx, cy)
        phone.mouse.down()
        phone.mouse.move(cx, cy - box["height"] / 2, steps=4)  # knob pushed fully forward
        try:  # held until the visitor has walked forward a metre (not for a span of time)
            wait_until(
                phone,
                "z => z - __expo.me.position[2] > 1.0",
                start[2],
                what=f"the joystick walks the visitor forward (-z) from {start}",
            )
        finally:
            phone.mouse.up()
        end = expo(phone, "__expo.me.position")
        assert abs(end[0] - start[0]) < 0.2
    finally:
        phone_ctx.close()
