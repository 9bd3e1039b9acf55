"""Clicking a booth opens its bilingual panel; Chinese renders with real glyphs, not tofu."""

from __future__ import annotations

import io
import math
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import click_tool, expo, open_client, wait_frames, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

BOOTH = "retail-01"


def catalog_booth(server: ServerProcess, booth_id: str) -> dict[str, Any]:
    catalog = httpx.get(f"{server.http}/api/catalog", timeout=10).json()
    booth: dict[str, Any] = next(b for b in catalog["booths"] if b["id"] == booth_id)
    return booth


def stand_before(page: Page, booth: dict[str, Any]) -> None:
    """Teleport to the booth's front, looking at it, and wait until the page has drawn
    the view from there (screen points of booths are projected with the drawn camera)."""
    fx, fz = booth["front"]
    bx, bz = booth["position"]
    yaw = math.atan2(-(bx - fx), -(bz - fz))
    page.evaluate(f"__expoTest.teleport({fx}, {fz}, {yaw})")
    wait_until(
        page,
        "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) < 0.01",
        [fx, fz],
    )
    wait_frames(page)


def glyph_variety(png: bytes, chars: int) -> float:
    """How different the rendered characters of a one-line text are from one another.

    The ink is cut into ``chars`` cells and each cell summarised by its row profile
    (ink per pixel row, which a sub-pixel horizontal shift does not change); the result
    is the mean normalised L1 distance between two cells' profiles. Different real glyphs
    differ (about 0.3 for a Chinese name); missing glyphs all draw the same box (tofu,
    about 0.05); an empty rendering has no ink at all (0)."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)
    dark = img < 110
    cols = np.flatnonzero(dark.any(axis=0))
    if cols.size == 0:
        return 0.0
    cells = np.array_split(dark[:, cols[0] : cols[-1] + 1], chars, axis=1)
    profiles = [c.sum(axis=1).astype(float) for c in cells]
    diffs = [
        float(np.abs(a - b).sum() / max(float((a + b).sum()), 1.0))
        for i, a in enumerate(profiles)
        for b in profiles[i + 1 :]
    ]
    return float(np.mean(diffs))


def colours(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return len(np.unique(rgb, axis=0))


def test_clicking_a_booth_opens_its_panel_in_chinese_then_english(
    context: BrowserContext, server: ServerProcess
) -> None:
    booth = catalog_booth(server, BOOTH)
    page = open_client(context, server.http, "展商访客", lang="zh")
    # In this small window the open chat covers the middle of the view: close it, as a
    # visitor would, and click the booth where it is drawn (nothing of the HUD above it).
    click_tool(page, "btn-chat")
    wait_until(page, "document.getElementById('chat').offsetParent === null")
    stand_before(page, booth)
    point = page.evaluate(f"__expoTest.boothScreenPoint('{BOOTH}')")
    assert point and point["inView"], point
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.id", [point["x"], point["y"]]
    )
    assert on_top == "scene", f"{on_top} covers the booth at {point}"
    page.mouse.click(point["x"], point["y"])
    wait_until(page, f"__expo.openPanel === '{BOOTH}'")
    title = page.locator("#panel-title")
    assert title.text_content() == booth["exhibitor"]["name"]["zh"]
    assert page.locator("#panel-tagline").text_content() == booth["exhibitor"]["tagline"]["zh"]
    scenarios = page.locator("#panel-scenarios li strong").all_text_contents()
    assert scenarios == [s["title"]["zh"] for s in booth["scenarios"]]
    assert page.locator("#panel-contact").get_attribute("href") == booth["exhibitor"]["contact"]
    assert page.locator("#booth-panel").get_attribute("role") == "dialog"
    # Focus moved into the dialog, so a keyboard user can read and close it.
    assert page.evaluate("document.activeElement.id") == "panel-close"

    # Switch the language: the open panel follows.
    click_tool(page, "btn-lang")
    wait_until(page, "__expo.lang === 'en'")
    assert title.text_content() == booth["exhibitor"]["name"]["en"]
    assert page.locator("#booth-panel h3").first.text_content() == "Demonstration scenarios"
    page.keyboard.press("Escape")
    wait_until(page, "__expo.openPanel === null")


def test_chinese_text_renders_with_the_bundled_font_not_tofu(
    context: BrowserContext, server: ServerProcess
) -> None:
    booth = catalog_booth(server, BOOTH)
    page = open_client(context, server.http, "字体检查", lang="zh")
    stand_before(page, booth)
    page.evaluate(
        f"__expoTest.pick(...Object.values(__expoTest.boothScreenPoint('{BOOTH}')).slice(0, 2))"
    )
    wait_until(page, f"__expo.openPanel === '{BOOTH}'")
    name = booth["exhibitor"]["name"]["zh"]
    # The bundled Noto Sans SC (not a system font) has the glyphs loaded.
    wait_until(page, "name => document.fonts.check('700 22px \"Noto Sans SC\"', name)", name)
    loaded = page.evaluate(
        "[...document.fonts]"
        ".filter((f) => f.family.includes('Noto Sans SC') && f.status === 'loaded')"
        ".map((f) => f.weight)"
    )
    assert "700" in loaded and "400" in loaded, f"bundled Noto Sans SC faces loaded: {loaded}"
    real_png = page.locator("#panel-title").screenshot()
    # The same element with characters no font has (Private Use Area): tofu boxes.
    page.evaluate(
        "n => { document.getElementById('panel-title').textContent = '\\ue000'.repeat(n); }",
        len(name),
    )
    wait_until(page, "document.fonts.status === 'loaded'")  # any font the boxes asked for
    tofu_png = page.locator("#panel-title").screenshot()
    real, tofu = glyph_variety(real_png, len(name)), glyph_variety(tofu_png, len(name))
    assert colours(real_png) > 60, "anti-aliased glyphs have many shades"
    assert real > 0.15 and real > 2.5 * tofu, f"glyph variety {real:.2f}, tofu {tofu:.2f}"

    # The booth's sign in the hall was painted from the catalog into the sign atlas.
    sign = wait_until(
        page,
        "id => { const s = __expoTest.signInk('booth', id); return s && s.painted ? s : false; }",
        BOOTH,
    )
    assert sign["colours"] > 40, sign
    # And the 3D view is not blank.
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
    assert len(np.unique(shot.reshape(-1, 3), axis=0)) > 500
    assert expo(page, "__expo.hall.source") == "glb"
