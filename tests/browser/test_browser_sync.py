"""Two pages in one hall: what one does, the other sees, within 2 cm once interpolation settles."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import click_tool, expo, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

SEEN = """([id, x, y, z, tol]) => {
  const a = __expo.avatars.find((v) => v.id === id);
  if (!a) return false;
  const [ax, ay, az] = a.position;
  return Math.hypot(ax - x, ay - y, az - z) <= tol ? a : false;
}"""
#: Like SEEN, and the watcher holds that pose: past its newest sample, not extrapolating
#: (SampleState.HELD in net/interp.js).
HELD_AT = """([id, x, y, z, tol]) => {
  const a = __expo.avatars.find((v) => v.id === id);
  if (!a || a.state !== 3) return false;
  const [ax, ay, az] = a.position;
  return Math.hypot(ax - x, ay - y, az - z) <= tol ? a : false;
}"""


def seen_at(page: Page, avatar_id: int, pos: list[float], tol: float = 0.02) -> dict[str, object]:
    result: dict[str, object] = wait_until(page, SEEN, [avatar_id, *pos, tol], timeout=10)
    return result


def test_second_page_sees_the_first_move_to_the_right_place(
    context: BrowserContext, server: ServerProcess
) -> None:
    alice = open_client(context, server.http, "Alice", avatar="celadon")
    bob = open_client(context, server.http, "Bob", avatar="osmanthus")
    alice_id = expo(alice, "__expo.id")
    assert alice_id != expo(bob, "__expo.id")
    seen = wait_until(
        bob, "id => __expo.avatars.find((a) => a.id === id && a.name === 'Alice')", alice_id
    )
    assert seen["avatar"] == "celadon"

    # A jump of a few metres (sent as a teleport), then a small step (a pose frame).
    alice.evaluate("__expoTest.setPose(3.25, 1.6, 16.5, 0.8, 0)")
    seen_at(bob, alice_id, [3.25, 1.6, 16.5])
    alice.evaluate("__expoTest.setPose(3.6, 1.6, 16.2, -0.4, 0.2)")
    seen_at(bob, alice_id, [3.6, 1.6, 16.2])
    avatar = wait_until(
        bob,
        "([id, yaw]) => { const a = __expo.avatars.find((v) => v.id === id);"
        " return a && Math.abs(Math.atan2(Math.sin(a.yaw - yaw), Math.cos(a.yaw - yaw))) < 0.03"
        " ? a : false; }",
        [alice_id, -0.4],
        what="bob shows alice turned to yaw -0.4",
    )
    avatar = seen_at(bob, alice_id, [3.6, 1.6, 16.2])
    assert abs(math.remainder(float(avatar["yaw"]) + 0.4, math.tau)) < 0.03  # type: ignore[arg-type]
    assert avatar["vr"] is False
    assert not alice.errors and not bob.errors  # type: ignore[attr-defined]


def test_walking_with_the_keyboard_is_seen_where_the_walker_is(
    context: BrowserContext, server: ServerProcess
) -> None:
    walker = open_client(context, server.http, "Walker")
    watcher = open_client(context, server.http, "Watcher")
    walker_id = expo(walker, "__expo.id")
    wait_until(watcher, "id => __expo.avatars.some((a) => a.id === id)", walker_id)
    start = expo(walker, "__expo.me.position")
    walker.bring_to_front()
    walker.locator("#scene").focus()
    walker.keyboard.down("KeyW")
    try:  # hold W until the walker has walked a metre (not for a span of time)
        wait_until(
            walker,
            "start => Math.hypot(...__expo.me.position.map((v, i) => v - start[i])) > 1.0",
            start,
            what="holding W walks the visitor a metre",
        )
    finally:
        walker.keyboard.up("KeyW")
    end = expo(walker, "__expo.me.position")
    assert end[2] < start[2], "at yaw 0, forward is -z"
    watcher.bring_to_front()  # a page in the background draws no frames
    seen_at(watcher, walker_id, end)
    # A standing walker is shown standing still, not extrapolated past the stop: the
    # watcher's view of it comes to hold its last pose (past the newest sample, not
    # MOVING: net/interp.js HELD), and that pose is where the walker stopped.
    wait_until(
        watcher,
        HELD_AT,
        [walker_id, *end, 0.02],
        what=f"the watcher holds the stopped walker at {end}",
    )


def test_chat_is_shown_as_text_never_as_html(
    context: BrowserContext, server: ServerProcess
) -> None:
    alice = open_client(context, server.http, "<b>Alice</b>")
    bob = open_client(context, server.http, "Bob")
    hostile = '<img src=x onerror="window.__pwned = 1">hi & <b>bold</b>'
    alice.fill("#chat-input", hostile)
    alice.press("#chat-input", "Enter")
    line = wait_until(
        bob,
        "t => [...document.querySelectorAll('#chat-log li')]"
        ".find((li) => li.textContent.includes(t))?.textContent",
        "hi & ",
    )
    assert line == f"<b>Alice</b>:{hostile}"
    assert bob.evaluate("document.querySelector('#chat-log img, #chat-log b') === null")
    assert bob.evaluate("window.__pwned === undefined")
    assert alice.input_value("#chat-input") == ""


def test_the_zone_directory_teleports_and_others_see_it(
    context: BrowserContext, server: ServerProcess
) -> None:
    traveller = open_client(context, server.http, "Traveller")
    watcher = open_client(context, server.http, "Watcher")
    traveller_id = expo(traveller, "__expo.id")
    click_tool(traveller, "btn-directory")
    dialog = traveller.locator("#directory")
    assert dialog.is_visible()
    assert traveller.get_attribute("#btn-directory", "aria-expanded") == "true"
    # Keyboard: focus is on the first destination; pick "Meta-Retail" by its button.
    assert traveller.evaluate("document.activeElement.closest('#directory') !== null")
    traveller.locator('[data-dest="zone:retail"]').focus()
    traveller.keyboard.press("Enter")
    assert dialog.is_hidden()
    # The retail zone spans x -60…-4, z -124…-44: arrive at its aisle's south end.
    me = wait_until(traveller, "Math.abs(__expo.me.position[2] + 47) < 0.01 && __expo.me.position")
    assert abs(me[0] + 32) < 0.01
    # 70 m from the entrance the traveller is only a crowd-layer dot for the watcher;
    # the watcher walks over (teleports) to see the avatar itself.
    watcher.evaluate("__expoTest.teleport(-30, -52, 0)")
    seen_at(watcher, traveller_id, me)
