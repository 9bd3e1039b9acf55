"""The VR menu under an emulated Quest 3 (IWER): worn on the left wrist, it opens when the
left palm turns to the face, follows the left controller, and closes when the palm turns
away; the left controller's X button toggles it too (not the grip: that is the talk
button). The right controller's ray and trigger switch its tabs,
send a quick phrase another page reads in its chat, play a gesture another page sees, and
teleport through the zone list."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import (
    IWER_INSTALL,
    IWER_UMD,
    READING_HAND,
    click_tool,
    expo,
    left_palm_to_face,
    open_client,
    set_left_controller,
    wait_frames,
    wait_until,
)
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def press(vr: Page, button: str) -> None:
    """Point the right controller square at the menu's ``button`` and pull the trigger."""
    aim = wait_until(
        vr, "id => __expoTest.vrMenuButton(id)", button, what=f"the menu shows {button}"
    )
    vr.evaluate(
        """({from: p, quaternion: q}) => {
          const c = xrDevice.controllers.right;
          c.position.set(p[0], p[1], p[2]);
          c.quaternion.set(q[0], q[1], q[2], q[3]);
        }""",
        aim,
    )
    wait_frames(vr)  # the controller is there before the trigger is read
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "id => __expo.vrMenu.pressed === id", button, what=f"{button} is pressed")
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    wait_frames(vr)  # the release is read: the next pull is a new one


def press_x(vr: Page) -> None:
    vr.evaluate("xrDevice.controllers.left.updateButtonValue('x-button', 1)")
    wait_frames(vr)
    vr.evaluate("xrDevice.controllers.left.updateButtonValue('x-button', 0)")
    wait_frames(vr)


def squeeze_left(vr: Page, value: float) -> None:
    vr.evaluate(f"xrDevice.controllers.left.updateButtonValue('squeeze', {value})")
    wait_frames(vr)


def palm_down(vr: Page) -> None:
    """Let the left hand hang beside the body, the controller pointing ahead."""
    set_left_controller(vr, [-0.25, 1.0, -0.3], [0, 0, 0, 1])


def test_the_wrist_menu_opens_with_the_palm_follows_the_hand_and_does_its_work(
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
    palm_down(vr)
    assert expo(vr, "__expo.vrMenu.open") is False

    left_palm_to_face(vr)
    wait_until(vr, "__expo.vrMenu.open", what="turning the left palm to the face opens the menu")
    menu = expo(vr, "__expo.vrMenu")
    assert menu["worn"], "the menu is worn on the left controller's grip"
    assert math.dist(menu["position"], menu["wrist"]) < 0.3, menu

    # It follows the hand: the controller moves 15 cm, the menu moves with it.
    dx, dy, dz = 0.1, 0.05, -0.1
    pose = vr.evaluate("o => __expoTest.leftPalmToFace(o)", list(READING_HAND))
    moved = [pose["position"][0] + dx, pose["position"][1] + dy, pose["position"][2] + dz]
    set_left_controller(vr, moved, pose["quaternion"])
    wait_until(
        vr,
        "([start, d]) => { const p = __expo.vrMenu.position;"
        " return Math.abs(Math.hypot(p[0] - start[0], p[1] - start[1], p[2] - start[2]) - d)"
        " < 0.005; }",
        [menu["position"], math.hypot(dx, dy, dz)],
        what="the menu moves as far as the left controller",
    )
    after = expo(vr, "__expo.vrMenu")
    assert after["open"]
    reach = math.dist(menu["position"], menu["wrist"])
    assert abs(math.dist(after["position"], after["wrist"]) - reach) < 1e-3, "fixed on the wrist"

    palm_down(vr)
    wait_until(vr, "!__expo.vrMenu.open", what="turning the palm away closes the menu")
    left_palm_to_face(vr)
    wait_until(vr, "__expo.vrMenu.open", what="turning it back opens it again")

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
    wait_frames(vr)
    assert expo(vr, "__expo.vrMenu.open") is False, "choosing a place closes the menu"

    # The X button toggles it, for headsets where the palm's turn is not seen.
    palm_down(vr)
    assert expo(vr, "__expo.vrMenu.open") is False
    press_x(vr)
    wait_until(vr, "__expo.vrMenu.open", what="the left X button opens the menu")
    assert expo(vr, "__expo.vrMenu.worn")
    press_x(vr)
    wait_until(vr, "!__expo.vrMenu.open", what="a second press closes the menu")
    # Holding the left grip is the talk button: talking never opens or closes the menu.
    squeeze_left(vr, 1)
    squeeze_left(vr, 0)
    wait_frames(vr)
    assert expo(vr, "__expo.vrMenu.open") is False, "the grip (talk) left the menu alone"
    assert not vr.errors and not watcher.errors  # type: ignore[attr-defined]
