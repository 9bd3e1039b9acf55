"""The HUD on every screen: a phone's toolbar fits with a More menu and shows the people
count; the client's own chat lines follow the language; leaving throws no page error."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import click_tool, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: Every toolbar control a visitor can see (in the bar or in the open More menu) and its box.
TOOLS = ("btn-directory", "btn-chat", "btn-lang", "btn-settings", "btn-vr", "btn-leave")
CONTROLS = """() => [...document.querySelectorAll('#toolbar button')]
  .filter((b) => b.offsetParent !== null)
  .map((b) => { const r = b.getBoundingClientRect();
    return {id: b.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""


def phone(browser: Browser, width: int, height: int) -> BrowserContext:
    return browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=1,
    )


def inside(page: Page, box: dict[str, float]) -> bool:
    vw, vh = page.evaluate("[innerWidth, innerHeight]")
    return box["left"] >= 0 and box["top"] >= 0 and box["right"] <= vw and box["bottom"] <= vh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_toolbar_control_is_reachable_inside_a_360_px_phone(
    browser: Browser, server: ServerProcess, lang: str
) -> None:
    ctx = phone(browser, 360, 740)
    try:
        page = open_client(ctx, server.http, "Phone", lang=lang)
        wait_until(page, "document.getElementById('people').textContent.length > 0")
        assert page.locator("#people").is_visible(), "the people count shows on a phone"
        assert inside(
            page,
            page.evaluate(
                "(() => { const r = document.getElementById('people').getBoundingClientRect();"
                " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })()"
            ),
        )
        shown = page.evaluate(CONTROLS)
        ids = {c["id"] for c in shown}
        assert "btn-more" in ids, f"a 360 px bar needs the More menu: {ids}"
        for control in shown:
            assert inside(page, control), f"off-screen in the bar: {control}"
        page.click("#btn-more")
        assert page.get_attribute("#btn-more", "aria-expanded") == "true"
        opened = page.evaluate(CONTROLS)
        every = {c["id"] for c in opened}
        for wanted in TOOLS:
            assert wanted in every, f"{wanted} is neither in the bar nor in the menu: {every}"
        for control in opened:
            assert inside(page, control), f"off-screen with the menu open: {control}"
        # A choice made in the menu acts and closes it.
        page.click("#btn-settings")
        assert page.locator("#settings").is_visible()
        assert page.locator("#toolbar-menu").is_hidden()
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()


def test_a_desktop_toolbar_shows_every_control_without_a_menu(
    browser: Browser, server: ServerProcess
) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = open_client(ctx, server.http, "Desk")
        shown = {c["id"]: c for c in page.evaluate(CONTROLS)}
        assert "btn-more" not in shown
        for wanted in TOOLS:
            assert wanted in shown and inside(page, shown[wanted])
        # The 3D view starts below the opaque bar, so the bar covers nothing of the hall.
        bar_bottom = page.evaluate(
            "document.getElementById('topbar').getBoundingClientRect().bottom"
        )
        view_top = page.evaluate("document.getElementById('viewport').getBoundingClientRect().top")
        assert view_top >= bar_bottom - 0.5
    finally:
        ctx.close()


def test_the_you_entered_line_is_in_the_chosen_language_and_follows_a_switch(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_client(context, server.http, "Lang", lang="en")
    line = wait_until(page, "document.querySelector('#chat-log li.system')?.textContent || false")
    assert line.startswith("You are in"), line
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in line.replace(line.split(" the ")[-1], ""))
    page.click("#btn-lang")
    zh = wait_until(
        page,
        "(() => { const t = document.querySelector('#chat-log li.system').textContent;"
        " return t.startsWith('你已进入') ? t : false; })()",
    )
    assert "You are" not in zh


def test_leaving_while_frames_arrive_throws_no_page_error(
    browser: Browser, context: BrowserContext, server: ServerProcess
) -> None:
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        leaver = open_client(desk, server.http, "Leaver")
        leave_often(leaver, open_client(context, server.http, "Mover"))
    finally:
        desk.close()


def leave_often(page: Page, other: Page) -> None:
    other.evaluate("__expoTest.setPose(1, 1.6, 12, 0, 0)")
    page.evaluate("__expoTest.setPose(1, 1.6, 15, 0, 0)")
    wait_until(page, "__expo.avatars.length > 0")
    for round_trip in range(3):
        other.evaluate(f"__expoTest.setPose({1 + round_trip}, 1.6, 12, 0, 0)")
        page.click("#btn-leave")
        wait_until(page, "!document.getElementById('lobby').hidden")
        page.click("#lobby-enter")
        wait_until(page, "__expo.connection === 'joined'")
    page.click("#btn-leave")
    wait_until(page, "!document.getElementById('lobby').hidden")
    # Frames of the old socket still in flight arrive now; give them a few rendered frames.
    frames = page.evaluate("__expo.frames")
    wait_until(page, "n => __expo.frames > n + 30", frames)
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_the_gesture_buttons_never_show_empty(browser: Browser, server: ServerProcess) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = open_client(ctx, server.http, "Emoji")
        emoji = wait_until(page, "document.body.dataset.emoji || false", what="the emoji check")
        for button in page.locator("#emotes button").all():
            name = button.get_attribute("aria-label") or ""
            shown = button.inner_text().strip()
            if emoji in ("colour", "mono"):  # the colour font, or the outline one where it fails
                assert shown in ("👋", "👏", "👍"), shown
            else:  # this browser draws no emoji at all: the buttons say what they do
                assert shown == name, f"{shown!r} shown, {name!r} named"
            box = button.bounding_box()
            assert box is not None and box["width"] > 20
    finally:
        ctx.close()


#: The boxes of what a visitor sees on top of the hall: the bar, the chat, the minimap, the
#: joystick, and each group in the bottom dock (voice bar, emotes).
HUD_BOXES = """() => ['topbar', 'chat', 'voice-bar', 'emotes', 'joystick']
  .map((id) => document.getElementById(id))
  .concat([document.querySelector('.minimap')])
  .filter((el) => el && el.offsetParent !== null)
  .map((el) => { const r = el.getBoundingClientRect();
    return {id: el.id || el.className,
      left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""


#: The ids of the buttons matching a selector that something else covers at their centre.
COVERED = """sel => [...document.querySelectorAll(sel)].filter((b) => {
  const r = b.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !(top && (top === b || b.contains(top)));
}).map((b) => b.id)"""


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of boxes that cover each other (touching edges do not count)."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["left"] < b["right"] - 1
                and b["left"] < a["right"] - 1
                and a["top"] < b["bottom"] - 1
                and b["top"] < a["bottom"] - 1
            ):
                pairs.append((a["id"], b["id"]))
    return pairs


@pytest.mark.parametrize(
    ("width", "height", "touch"),
    [
        (1280, 800, False),
        (640, 480, False),
        (390, 844, True),
        (844, 390, True),
        (1024, 768, True),
    ],
    ids=["desktop", "small-window", "phone", "phone-landscape", "tablet"],
)
def test_no_hud_control_covers_another_and_every_dock_button_takes_a_click(
    browser: Browser, server: ServerProcess, width: int, height: int, touch: bool
) -> None:
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
    )
    try:
        page = open_client(ctx, server.http, "Layout")
        if touch:
            click_tool(page, "btn-chat")  # a phone starts with the chat closed: open it too
            wait_until(page, "document.getElementById('chat').offsetParent !== null")
        boxes = page.evaluate(HUD_BOXES)
        assert {"voice-bar", "emotes", "minimap card"} <= {b["id"] for b in boxes}, boxes
        assert overlapping(boxes) == [], boxes
        for box in boxes:
            assert inside(page, box), f"off-screen: {box}"
        # Each dock button is the topmost thing where it is drawn: a click lands on it.
        covered = page.evaluate(COVERED, "#dock button")
        assert covered == []
        if not touch:
            # The open chat keeps to the left half: the middle of the view stays the hall's.
            chat = page.evaluate(
                "() => { const r = document.getElementById('chat').getBoundingClientRect();"
                " return r.width > 0 ? r.right : null; }"
            )
            assert chat is not None and chat < width / 2, f"the chat reaches x={chat} of {width}"
        # With a panel open, the More menu still opens above it (a small screen's panel is a
        # bottom sheet as tall as most of the view).
        click_tool(page, "btn-forums")  # the forums' panels stack above the others
        wait_until(page, "!!document.getElementById('forum-agenda')?.checkVisibility()")
        if page.locator("#btn-more").is_visible():
            page.click("#btn-more")
            hidden_items = page.evaluate(COVERED, "#toolbar-menu button")
            assert hidden_items == [], "a panel covers the More menu"
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()
