"""Walls that hold, in real Chromium on the built hall: walking into a wall or into a
booth stops at its surface, "walk to the booth" arrives along a path on the walkable floor, and
a VR teleport aimed where nobody may stand is refused (the arc turns red, nothing moves).

Where the walls are comes from the hall's own navigation grid (``__expoTest.walkable``), so
the tests follow the scene builder's layout instead of hard-coding coordinates."""

from __future__ import annotations

import itertools
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
from tests.waiting import wait_for

pytestmark = pytest.mark.browser

#: How far along `yaw` from (x, z) the first floor point lies that nobody may stand on
#: (null if none within `far`); the same forward direction as the desktop controls.
BLOCKED_AHEAD = """([x, z, yaw, step, far]) => {
  const dx = -Math.sin(yaw), dz = -Math.cos(yaw);
  for (let d = 0; d <= far; d += step) {
    if (__expoTest.walkable(x + dx * d, z + dz * d) === false) return d;
  }
  return null;
}"""
AXES = (0.0, math.pi / 2, math.pi, -math.pi / 2)


def feet(page: Page) -> tuple[float, float]:
    position = expo(page, "__expo.me.position")
    return float(position[0]), float(position[2])


def cell_size(page: Page) -> float:
    grid = wait_until(page, "() => __expo.hall.navgrid")
    return float(grid["cell"])


def blocked_ahead(page: Page, yaw: float, far: float = 40.0) -> float | None:
    x, z = feet(page)
    found = page.evaluate(BLOCKED_AHEAD, [x, z, yaw, cell_size(page) / 4, far])
    return None if found is None else float(found)


def stand_still(page: Page) -> tuple[float, float]:
    """Where the visitor stands once a few frames no longer move them."""

    def settled() -> tuple[float, float] | None:
        before = feet(page)
        wait_frames(page, 8)
        after = feet(page)
        return after if math.dist(before, after) < 1e-3 else None

    return wait_for(settled, what="the visitor stops moving", timeout=90, interval=0)


def walk_into(page: Page, keys: tuple[str, ...]) -> tuple[float, float]:
    """Hold the keys until the visitor stops against whatever is ahead; where they stop."""
    page.locator("#scene").focus()
    for key in keys:
        page.keyboard.down(key)
    try:
        return stand_still(page)
    finally:
        for key in reversed(keys):
            page.keyboard.up(key)


def assert_stopped_at_surface(
    page: Page, start: tuple[float, float], yaw: float, ahead: float
) -> None:
    """Stopped on walkable floor, within a step of the first refused point, never past it."""
    stop = walk_into(page, ("ShiftLeft", "KeyW"))
    cell = cell_size(page)
    walked = math.dist(start, stop)
    assert page.evaluate("([x, z]) => __expoTest.walkable(x, z)", list(stop)) is True
    assert walked <= ahead + 1e-3, f"walked {walked:.2f} m, through what blocks at {ahead:.2f} m"
    assert ahead - walked <= cell + 0.3, f"stopped {ahead - walked:.2f} m short of the surface"
    # Straight on from where the visitor stopped, the next cell is the obstacle.
    dx, dz = -math.sin(yaw), -math.cos(yaw)
    beyond = [
        stop[0] + dx * (ahead - walked + cell / 2),
        stop[1] + dz * (ahead - walked + cell / 2),
    ]
    assert page.evaluate("([x, z]) => __expoTest.walkable(x, z)", beyond) is False


def test_walking_into_a_wall_stops_at_its_surface(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Walker")
    spawn = wait_until(page, "() => __expoTest.destinations().find((d) => d.id === 'spawn')")
    # Of the four axis directions from the spawn, the one whose obstacle is nearest.
    options = []
    for yaw in AXES:
        page.evaluate(
            "([x, z, yaw]) => __expoTest.teleport(x, z, yaw)", [spawn["x"], spawn["z"], yaw]
        )
        ahead = blocked_ahead(page, yaw, far=120)
        if ahead is not None and ahead > 6:
            options.append((ahead, yaw))
    assert options, "from the spawn, no wall lies ahead along any axis"
    ahead, yaw = min(options)
    # Start five metres short of it, facing it, and run into it.
    dx, dz = -math.sin(yaw), -math.cos(yaw)
    near = [spawn["x"] + dx * (ahead - 5), spawn["z"] + dz * (ahead - 5), yaw]
    page.evaluate("([x, z, yaw]) => __expoTest.teleport(x, z, yaw)", near)
    start = stand_still(page)
    now_ahead = blocked_ahead(page, yaw)
    assert now_ahead is not None and 3 < now_ahead < 7, now_ahead
    assert_stopped_at_surface(page, start, yaw, now_ahead)
    assert not page.errors  # type: ignore[attr-defined]


def test_walking_into_a_booth_stops_at_its_structure(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Walker")
    booth = "retail-01"
    place = wait_until(page, "id => __expoTest.boothPlace(id)", booth)
    page.evaluate("id => __expoTest.goToBooth(id)", booth)
    start = stand_still(page)
    yaw = float(expo(page, "__expo.me.yaw"))
    ahead = blocked_ahead(page, yaw)
    assert ahead is not None, "nothing blocks the way through the booth"
    # What stops the visitor is the booth itself, not something behind it.
    assert ahead < math.dist(start, place["centre"]) + 4
    assert_stopped_at_surface(page, start, yaw, ahead)
    assert not page.errors  # type: ignore[attr-defined]


#: Whether the straight line from (ax, az) to (bx, bz) crosses floor nobody may stand on.
BLOCKED_BETWEEN = """([ax, az, bx, bz, step]) => {
  const n = Math.ceil(Math.hypot(bx - ax, bz - az) / step);
  for (let k = 1; k < n; k++) {
    const t = k / n;
    if (__expoTest.walkable(ax + (bx - ax) * t, az + (bz - az) * t) === false) return true;
  }
  return false;
}"""
#: Walk to booth `id` as the panel's button does, and record where the visitor's feet are on
#: every frame until the walk ends; whether a way was found.
WALK_AND_TRACE = """id => {
  window.__trace = [];
  const found = __expoTest.walkToBooth(id);
  const step = () => {
    const p = __expo.me.position;
    __trace.push([p[0], p[2]]);
    if (__expo.me.walking) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
  return found;
}"""


def test_walk_to_the_booth_arrives_along_walkable_floor(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Walker")
    start_booth = "retail-01"
    page.evaluate("id => __expoTest.goToBooth(id)", start_booth)
    here = stand_still(page)
    # A booth a real walk away whose front cannot be reached in a straight line from here.
    booths: list[str] = sorted(expo(page, "Object.keys(__expo.booths)"))
    target: dict[str, Any] | None = None
    step = cell_size(page) / 2
    for booth in booths:
        place = page.evaluate("id => __expoTest.boothPlace(id)", booth)
        if not place or not 12 < math.dist(here, place["front"]) < 60:
            continue
        if page.evaluate(BLOCKED_BETWEEN, [*here, *place["front"], step]):
            target = {"id": booth, **place}
            break
    assert target, f"no booth 12–60 m from {start_booth} behind an obstacle"
    assert page.evaluate(WALK_AND_TRACE, target["id"]) is True
    wait_until(page, "() => !__expo.me.walking", timeout=90)
    arrived = feet(page)
    assert math.dist(arrived, target["front"]) < 0.6, (arrived, target["front"])
    trace = page.evaluate("() => __trace")
    assert len(trace) > 10, "the visitor jumped instead of walking"
    refused = page.evaluate(
        "points => points.filter(([x, z]) => __expoTest.walkable(x, z) === false)", trace
    )
    assert refused == [], f"the walk crossed floor nobody may stand on: {refused[:5]}"
    # It walked, rather than teleported: no two frames more than a stride apart.
    assert max(math.dist(a, b) for a, b in itertools.pairwise(trace)) < 1.5
    assert not page.errors  # type: ignore[attr-defined]


def test_a_vr_teleport_aimed_where_nobody_may_stand_is_refused(
    context: BrowserContext, server: ServerProcess
) -> None:
    vr = open_client(
        context, server.http, "Quest", avatar="river-lights", init_scripts=(IWER_UMD, IWER_INSTALL)
    )
    wait_until(vr, "__expo.xr.supported && __expo.xr.button === 'ready'")
    click_tool(vr, "btn-vr")
    wait_until(vr, "__expo.xr.presenting && __expo.me.vr")
    # Before a booth, facing it: a few metres on, the arc can fall on floor that the booth's
    # counter stands on (the test sweeps the aim until it does).
    vr.evaluate("id => __expoTest.goToBooth(id)", "retail-01")
    vr.evaluate("() => { xrDevice.position.set(0, 1.6, 0); xrDevice.quaternion.set(0, 0, 0, 1); }")
    wait_frames(vr, 5)
    before = feet(vr)
    aim = """([s, c]) => { const r = xrDevice.controllers.right;
      r.position.set(0.2, 1.2, -0.3); r.quaternion.set(s, 0, 0, c); }"""

    def point(degrees: float) -> None:
        half = math.radians(degrees) / 2
        vr.evaluate(aim, [math.sin(half), math.cos(half)])

    # Pull the trigger pointing up, over the booth (on the booth it would open its panel), then
    # lower the aim step by step until the arc falls where nobody may stand.
    point(80)
    wait_frames(vr, 3)
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "__expo.xr.aiming === 'right'")
    refused = None
    for degrees in range(30, -51, -2):
        point(degrees)
        wait_frames(vr, 3)
        xr = expo(vr, "__expo.xr")
        if xr["refused"]:
            refused = xr["refused"]
            break
    assert refused, "no aim from before the booth lands on its structure"
    assert vr.evaluate("([x, y, z]) => __expoTest.walkable(x, z)", refused) is False
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    wait_frames(vr, 10)
    assert math.dist(before, feet(vr)) < 0.3, "a refused teleport moved the visitor"
    assert not vr.errors  # type: ignore[attr-defined]
