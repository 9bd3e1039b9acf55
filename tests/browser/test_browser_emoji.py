"""Emoji draw as glyphs in real Chromium: a 👋 in a chat line puts ink on the screen, even in
a browser that draws the bundled colour font (COLRv1) as nothing, as Debian's Chromium does:
the client then switches to the outline Noto Emoji (web/src/world/fonts.js chooseEmojiFont),
and the VR menu's gesture buttons show their glyphs too."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import expo, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

GLYPH = "\U0001f44b"  # 👋
#: A private-use code point no font here has: the browser draws its missing-glyph box.
MISSING = "\U000f0000"
#: Share of the glyph's box that must be inked. Measured on this machine: the colour 👋
#: drawn as nothing inks 0; the outline 👋 at the chat's size about 0.24.
MIN_INK = 0.1
#: How far the glyph's picture must be from the missing-glyph box's (mean grey difference on a
#: 16x20 grid). Measured: the outline 👋 is 0.17 from the box, ☕ 0.18; a box is 0 from a box.
MIN_FROM_BOX = 0.08


def crop(page: Page, needle: str, char: str) -> np.ndarray:
    """The screen's grey pixels (0..1) in the box of ``char`` in the chat line containing
    ``needle``."""
    box = wait_until(
        page,
        """([needle, char]) => {
          const li = [...document.querySelectorAll('#chat-log li')]
            .find((l) => l.textContent.includes(needle));
          const node = li?.querySelector('.text')?.firstChild;
          if (!node) return null;
          const at = node.textContent.indexOf(char);
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + char.length);
          const r = range.getBoundingClientRect();
          return r.width > 0 ? {x: r.x, y: r.y, width: r.width, height: r.height} : null;
        }""",
        [needle, char],
        what=f"the chat line with {char!r}",
    )
    png = page.screenshot(clip=box, type="png")
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64) / 255


def ink(grey: np.ndarray) -> float:
    """The share of pixels that differ clearly from the background (the box's top and bottom
    rows, above and below any glyph)."""
    background = float(np.median(np.concatenate([grey[0], grey[-1]])))
    return float((np.abs(grey - background) > 32 / 255).mean())


def grid(grey: np.ndarray) -> np.ndarray:
    img = Image.fromarray((grey * 255).astype(np.uint8))
    return np.asarray(img.resize((16, 20), Image.Resampling.BOX), dtype=np.float64) / 255


def test_an_emoji_in_a_chat_line_draws_a_visible_glyph(
    context: BrowserContext, server: ServerProcess
) -> None:
    writer = open_client(context, server.http, "Writer")
    reader = open_client(context, server.http, "Reader")
    wait_until(reader, "document.body.dataset.emoji", what="the client chose its emoji font")
    writer.fill("#chat-input", f"hello {GLYPH} {MISSING} everyone")
    writer.press("#chat-input", "Enter")
    wait_until(
        reader,
        "t => [...document.querySelectorAll('#chat-log li')]"
        ".some((li) => li.textContent.includes(t))",
        "everyone",
        what="the line reaches the other page",
    )
    # The line's font files load when first needed: wait for the glyph's, as drawn.
    reader.evaluate(
        """async (glyph) => {
          const span = [...document.querySelectorAll('#chat-log li .text')]
            .find((s) => s.textContent.includes(glyph));
          const cs = getComputedStyle(span);
          await document.fonts.load(`${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`, glyph);
        }""",
        GLYPH,
    )
    wait_until(reader, "document.fonts.status === 'loaded'", what="the fonts")
    glyph = crop(reader, "everyone", GLYPH)
    box = crop(reader, "everyone", MISSING)
    look = expo(reader, "document.body.dataset.emoji")
    inked = ink(glyph)
    assert inked >= MIN_INK, f"the emoji in the chat line is blank: {inked:.3f} inked ({look})"
    from_box = float(np.abs(grid(glyph) - grid(box)).mean())
    assert from_box >= MIN_FROM_BOX, f"the emoji is a missing-glyph box ({from_box:.3f}, {look})"
    assert expo(reader, "__expo.vrMenu.emoji") is True, "the VR menu's gestures show glyphs"
    assert not reader.errors and not writer.errors  # type: ignore[attr-defined]
