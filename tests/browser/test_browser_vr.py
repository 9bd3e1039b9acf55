"""A page with an emulated Quest 3 (IWER) enters immersive VR; another page sees its head and
hands move, and a trigger-and-release teleport lands it on the floor for both."""

from __future__ import annotations

import math
from typing import Any

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
from tests.waiting import NeverHappened, wait_for

pytestmark = pytest.mark.browser

OBSERVED = """([id, head, left, right, tol]) => {
  const a = __expo.avatars.find((v) => v.id === id);
  if (!a || !a.vr) return false;
  const near = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= tol;
  return near(a.head.position, head) && near(a.hands.left.position, left)
    && near(a.hands.right.position, right) ? a : false;
}"""


def open_vr_page(context: BrowserContext, base: str) -> Page:
    page = open_client(
        context, base, "Quest", avatar="river-lights", init_scripts=(IWER_UMD, IWER_INSTALL)
    )
    wait_until(page, "__expo.xr.supported && __expo.xr.button === 'ready'")
    return page


def me(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = expo(page, "__expo.me")
    return result


def observed(watcher: Page, vr_id: int, vr: Page, tol: float = 0.025) -> dict[str, Any]:
    """Wait until the watcher draws the VR avatar where the VR page says it is."""
    pose = me(vr)

    def shown() -> dict[str, Any] | None:
        nonlocal pose
        pose = me(vr)  # read again each time: the emulated headset drifts a little
        arg = [
            vr_id,
            pose["head"]["position"],
            pose["hands"]["left"]["position"],
            pose["hands"]["right"]["position"],
            tol,
        ]
        found: dict[str, Any] | None = watcher.evaluate(OBSERVED, arg) or None
        return found

    try:
        return wait_for(shown, what="the watcher shows the VR pose", interval=0.1)
    except NeverHappened:
        seen = watcher.evaluate("id => __expo.avatars.find((v) => v.id === id)", vr_id)
        raise AssertionError(f"watcher never showed the VR pose {pose}; it shows {seen}") from None


def test_vr_head_and_hands_are_seen_and_teleport_moves_both_views(
    context: BrowserContext, context2: BrowserContext, server: ServerProcess
) -> None:
    vr = open_vr_page(context, server.http)
    watcher = open_client(context2, server.http, "Watcher")
    vr_id = expo(vr, "__expo.id")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id)", vr_id)

    click_tool(vr, "btn-vr")
    wait_until(vr, "__expo.xr.presenting && __expo.me.vr")
    assert expo(vr, "document.querySelector('#btn-vr').dataset.state") == "presenting"

    # Move the headset and both controllers (reference-space coordinates).
    vr.evaluate(
        """() => {
          xrDevice.position.set(0.4, 1.75, -0.6);
          xrDevice.quaternion.set(0, Math.sin(0.3), 0, Math.cos(0.3));
          xrDevice.controllers.left.position.set(0.1, 1.3, -0.9);
          xrDevice.controllers.right.position.set(0.8, 1.1, -0.7);
        }"""
    )
    wait_until(vr, "Math.abs(__expo.me.head.position[1] - 1.75) < 0.005")
    first = observed(watcher, vr_id, vr)
    assert first["vr"] is True
    # The head follows the headset: 1.75 m up, and turned by 0.6 rad.
    assert abs(first["head"]["position"][1] - 1.75) < 0.02
    assert abs(math.remainder(first["yaw"] - me(vr)["yaw"] - 0.6, math.tau)) < 0.05

    # Move them again: the watcher follows.
    vr.evaluate(
        """() => {
          xrDevice.position.set(-0.3, 1.6, 0.2);
          xrDevice.controllers.left.position.set(-0.6, 1.0, 0.0);
          xrDevice.controllers.right.position.set(0.2, 1.5, -0.2);
        }"""
    )
    wait_until(vr, "Math.abs(__expo.me.head.position[1] - 1.6) < 0.005")
    second = observed(watcher, vr_id, vr)
    assert (
        math.dist(first["hands"]["right"]["position"], second["hands"]["right"]["position"]) > 0.3
    )

    # Teleport: aim the right controller 30° up ahead (the arc falls a few metres away),
    # hold the trigger, release.
    before = me(vr)["head"]["position"]
    vr.evaluate(
        """() => {
          xrDevice.quaternion.set(0, 0, 0, 1);
          const c = xrDevice.controllers.right;
          c.position.set(0.2, 1.2, -0.3);
          c.quaternion.set(Math.sin(Math.PI / 12), 0, 0, Math.cos(Math.PI / 12));
          c.updateButtonValue('trigger', 1);
        }"""
    )
    landing = wait_until(vr, "__expo.xr.aiming === 'right' && __expo.xr.landing")
    assert abs(landing[1]) < 0.05, f"the arc lands on the floor, not {landing}"
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    wait_until(
        vr,
        "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) > 2",
        [before[0], before[2]],
    )
    after = me(vr)["head"]["position"]
    jumped = math.dist([before[0], before[2]], [after[0], after[2]])
    assert 3 < jumped < 12, f"an arc thrown 30° up lands a few metres ahead ({jumped:.1f} m)"
    assert abs(after[1] - before[1]) < 0.05, "landed on the same floor"
    observed(watcher, vr_id, vr)
    assert not vr.errors and not watcher.errors  # type: ignore[attr-defined]


def test_vr_snap_turn_and_the_3d_booth_panel(
    context: BrowserContext, server: ServerProcess
) -> None:
    vr = open_vr_page(context, server.http)
    click_tool(vr, "btn-vr")
    wait_until(vr, "__expo.xr.presenting && __expo.me.vr")
    head = me(vr)["head"]["position"]
    yaw = me(vr)["yaw"]

    # Flick the right stick right: one snap turn (45° by default) to the right, about the head.
    vr.evaluate("xrDevice.controllers.right.updateAxes('thumbstick', 0.95, 0)")
    wait_until(vr, "y => Math.abs(__expo.me.yaw - y) > 0.1", yaw)
    vr.evaluate("xrDevice.controllers.right.updateAxes('thumbstick', 0, 0)")
    wait_frames(vr)  # the frame loop has read the released stick: no second turn follows
    turned = me(vr)
    assert abs(math.remainder(turned["yaw"] - yaw + math.pi / 4, math.tau)) < 1e-3
    assert math.dist(turned["head"]["position"], head) < 0.01, "turning does not move the head"

    # Stand before a booth (the directory's teleport works in VR too), point, pull the trigger.
    vr.evaluate("__expoTest.teleport(-38, -110, Math.PI / 2)")  # retail-01's front, facing west
    vr.evaluate(
        """() => {
          xrDevice.quaternion.set(0, 0, 0, 1);
          const c = xrDevice.controllers.right;
          c.position.set(0.2, 1.4, -0.3);
          c.quaternion.set(0, 0, 0, 1);
        }"""
    )
    wait_until(  # the teleport has happened, and the frame loop has drawn from there
        vr, "Math.hypot(__expo.me.position[0] + 38, __expo.me.position[2] + 110) < 0.5"
    )
    wait_frames(vr)
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "__expo.openPanel === 'retail-01'")
    panel3d = wait_until(vr, "__expo.panel3d.open === 'retail-01' && __expo.panel3d")
    assert panel3d["opaque"], "the 3D booth panel is opaque"
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    assert vr.locator("#booth-panel").is_hidden(), "in VR the panel is 3D, not HTML"
    wait_frames(vr)  # the frame loop has read the released trigger: the next pull is new
    # A second pull anywhere closes it.
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "__expo.openPanel === null")
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    assert not vr.errors  # type: ignore[attr-defined]
