"""The VR menu under an emulated Quest 3 (IWER): the left grip opens it; the right
controller's ray and trigger switch its tabs, send a quick phrase another page reads in
its chat, play a gesture another page sees, and teleport through the zone list."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import (
    IWER_INSTALL,
    IWER_UMD,
    click_tool,
    expo,
    open_client,
    wait_frames,
    wait_until,
)
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def press(vr: Page, button: str) -> None:
    """Point the right controller straight at the menu's ``button`` and pull the trigger."""
    at = wait_until(
        vr, "id => __expoTest.vrMenuButton(id)", button, what=f"the menu shows {button}"
    )
    vr.evaluate(
        """([x, y, z]) => {
          const c = xrDevice.controllers.right;
          c.position.set(x, y, z + 0.3);
          c.quaternion.set(0, 0, 0, 1);
        }""",
        at,
    )
    wait_frames(vr)  # the controller is there before the trigger is read
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "id => __expo.vrMenu.pressed === id", button, what=f"{button} is pressed")
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    wait_frames(vr)  # the release is read: the next pull is a new one


def squeeze_left(vr: Page) -> None:
    vr.evaluate("xrDevice.controllers.left.updateButtonValue('squeeze', 1)")
    wait_frames(vr)
    vr.evaluate("xrDevice.controllers.left.updateButtonValue('squeeze', 0)")
    wait_frames(vr)


def test_the_vr_menu_sends_a_quick_phrase_a_gesture_and_teleports(
    context: BrowserContext, context2: BrowserContext, server: ServerProcess
) -> None:
    vr = open_client(context, server.http, "Quest", init_scripts=(IWER_UMD, IWER_INSTALL))
    watcher = open_client(context2, server.http, "Watcher")
    vr_id = expo(vr, "__expo.id")
    vr.evaluate("__expoTest.setPose(2, 1.6, 14, 0, 0)")
    watcher.evaluate("__expoTest.setPose(2, 1.6, 18, 0, 0)")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id)", vr_id)
    wait_until(vr, "__expo.xr.supported && __expo.xr.button === 'ready'")
    click_tool(vr, "btn-vr")
    wait_until(vr, "__expo.xr.presenting && __expo.me.vr")
    vr.evaluate("xrDevice.quaternion.set(0, 0, 0, 1)")
    wait_frames(vr)

    assert expo(vr, "__expo.vrMenu.open") is False
    squeeze_left(vr)
    wait_until(vr, "__expo.vrMenu.open", what="the left grip opens the menu")

    press(vr, "tab:chat")
    assert expo(vr, "__expo.vrMenu.tab") == "chat"
    press(vr, "say:0")
    wait_until(
        watcher,
        "[...document.querySelectorAll('#chat-log li')].some((li) =>"
        " li.textContent.includes('Hello everyone!'))",
        what="the quick phrase reaches the other page's chat",
    )

    press(vr, "emote:wave")
    wait_until(
        watcher,
        "id => __expo.avatars.some((a) => a.id === id && a.motion.emote === 'wave')",
        vr_id,
        what="the gesture from the VR menu plays on the other page",
    )

    before = expo(vr, "__expo.me.position")
    press(vr, "tab:directory")
    press(vr, "go:plaza")
    wait_until(
        vr,
        "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) > 3",
        [before[0], before[2]],
        what="the zone list teleports",
    )
    assert expo(vr, "__expo.vrMenu.open") is False, "choosing a place closes the menu"

    squeeze_left(vr)
    wait_until(vr, "__expo.vrMenu.open")
    squeeze_left(vr)
    wait_until(vr, "!__expo.vrMenu.open", what="a second squeeze closes the menu")
    assert not vr.errors and not watcher.errors  # type: ignore[attr-defined]
