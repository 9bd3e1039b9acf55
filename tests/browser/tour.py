"""The screenshot tour: the expo at fixed viewpoints in real headless Chromium (desktop
1280x800, a phone at 390x844 with touch, an emulated Quest 3), written to docs/tour/ and
shown in docs/tour.md.

``scripts/tour`` writes the pictures (``python -m tests.browser.tour``);
``tests/browser/test_browser_tour.py`` takes them again and compares each with the committed
one by a perceptual distance, so a black screen, a missing hall or a lost HUD fails, while
the small noise of software rendering does not. A change that is meant to look different is
committed with new pictures from ``scripts/tour``.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IWER_INSTALL,
    IWER_UMD,
    click_tool,
    ensure_web_build,
    left_palm_to_face,
    open_client,
    wait_frames,
    wait_until,
)
from tests.conftest import ROOT
from tests.live import ServerProcess

#: Where the pictures live (docs/tour.md shows them).
TOUR_DIR = ROOT / "docs" / "tour"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: Pictures are stored small: the document shows them at about this width.
STORED_WIDTH = 960


@dataclass(frozen=True)
class Shot:
    """One picture of the tour: its file name and how to get there."""

    name: str
    lang: str
    device: str  # desktop | phone | vr
    place: str  # a directory destination id, 'booth:<id>', or '' for the spawn


def shots(destinations: list[str]) -> list[Shot]:
    """The tour: the entrance, the plaza, each zone, a booth, the forum hall, and the
    HUD on each device (those in both languages)."""
    out = [Shot("entrance", "zh", "desktop", "spawn")]
    out += [
        Shot(d.replace(":", "-"), "zh", "desktop", d)
        for d in destinations
        if d != "spawn" and not d.startswith("forum:")
    ]
    out += [
        Shot(d.replace(":", "-"), "zh", "desktop", d)
        for d in destinations
        if d.startswith("forum:")
    ]
    out.append(Shot("booth-closeup", "zh", "desktop", "booth:retail-01"))
    for lang in ("zh", "en"):
        out.append(Shot(f"directory-search-{lang}", lang, "desktop", "search"))
        out.append(Shot(f"phone-{lang}", lang, "phone", "spawn"))
        out.append(Shot(f"vr-menu-{lang}", lang, "vr", "spawn"))
    return out


def ready(page: Page) -> None:
    """Wait until what the picture shows has settled: signs painted, fonts in, frames drawn."""
    wait_until(page, "__expo.hall.ready && __expo.hall.signs > 0", what="the hall's signs")
    wait_until(page, "document.fonts.status === 'loaded'", what="the fonts")
    wait_frames(page, 12)


def go(page: Page, place: str) -> None:
    """Stand at ``place`` and look the way the directory (or the booth) faces."""
    if place.startswith("booth:"):
        page.evaluate("id => __expoTest.goToBooth(id)", place.split(":", 1)[1])
    else:
        page.evaluate(
            """id => { const d = __expoTest.destinations().find((x) => x.id === id);
              __expoTest.teleport(d.x, d.z, d.yaw); }""",
            place,
        )
    page.evaluate("() => { __expoTest.setPitch(-0.08); }")


def picture(page: Page) -> Image.Image:
    png = page.screenshot(type="png")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    h = round(img.height * STORED_WIDTH / img.width) if img.width > STORED_WIDTH else img.height
    return img.resize((min(STORED_WIDTH, img.width), h), Image.Resampling.LANCZOS)


def take(browser: Browser, base: str, shot: Shot) -> Image.Image:
    """One picture of the tour, from a fresh context."""
    if shot.device == "phone":
        ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)  # type: ignore[arg-type]
    else:
        ctx = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    try:
        scripts: tuple[str | Path, ...] = (IWER_UMD, IWER_INSTALL) if shot.device == "vr" else ()
        page = open_client(ctx, base, "Guide", lang=shot.lang, init_scripts=scripts)
        ready(page)
        if shot.place == "search":
            go(page, "zone:retail")
            click_tool(page, "btn-directory")
            page.fill("#dir-search", "数字" if shot.lang == "zh" else "digital")
        else:
            go(page, shot.place)
        if shot.device == "vr":
            wait_until(page, "__expo.xr.supported && __expo.xr.button === 'ready'")
            click_tool(page, "btn-vr")
            wait_until(page, "__expo.xr.presenting && __expo.me.vr")
            page.evaluate("() => { xrDevice.quaternion.set(0, 0, 0, 1); }")
            wait_frames(page)
            left_palm_to_face(page)
            wait_until(page, "__expo.vrMenu.open", what="the wrist menu opens")
            # Look down at the wrist, as a visitor reading it does (14 degrees).
            page.evaluate("() => { xrDevice.quaternion.set(-0.1219, 0, 0, 0.9925); }")
        wait_frames(page, 12)
        wait_until(page, "document.fonts.status === 'loaded'", what="the fonts")
        errors = getattr(page, "errors", [])
        if errors:
            raise AssertionError(f"{shot.name}: page errors {errors}")
        return picture(page)
    finally:
        ctx.close()


def destinations(browser: Browser, base: str) -> list[str]:
    ctx = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    try:
        page = open_client(ctx, base, "Guide", enter=False)
        ids: list[str] = page.evaluate("__expoTest.destinations().map((d) => d.id)")
        return ids
    finally:
        ctx.close()


def tour(
    browser: Browser, base: str, only: frozenset[str] = frozenset()
) -> Iterator[tuple[Shot, Image.Image]]:
    """Every picture of the tour in order (or those named in ``only``)."""
    for shot in shots(destinations(browser, base)):
        if not only or shot.name in only:
            yield shot, take(browser, base, shot)


def path_of(shot: Shot) -> Path:
    return TOUR_DIR / f"{shot.name}.jpg"


def distance(a: Image.Image, b: Image.Image) -> float:
    """A perceptual distance in [0, 1]: the mean difference of the two pictures' lightness
    and colour on a coarse 48x30 grid (blurred by the downscale, so the jitter of software
    rendering and of a text's antialiasing counts little; a black or missing hall, a panel
    that is gone, a changed layout count a lot)."""
    size = (48, 30)
    x = np.asarray(a.convert("RGB").resize(size, Image.Resampling.BOX), dtype=np.float64) / 255
    y = np.asarray(b.convert("RGB").resize(size, Image.Resampling.BOX), dtype=np.float64) / 255
    return float(np.abs(x - y).mean())


def blank(img: Image.Image) -> bool:
    """Whether a picture is (nearly) one colour: a black or white screen, a dead canvas."""
    small = np.asarray(img.convert("L").resize((64, 40)), dtype=np.float64)
    return float(small.std()) < 6.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", help="take only these pictures again (e.g. vr-menu-en); default: all"
    )
    args = parser.parse_args(argv)
    ensure_web_build()
    TOUR_DIR.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(Path(tempfile.mkdtemp(prefix="metaexpo-tour-"))).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for shot, img in tour(browser, server.http, frozenset(args.names)):
                    if blank(img):
                        print(f"{shot.name}: the picture is blank", file=sys.stderr)
                        return 1
                    img.save(path_of(shot), "JPEG", quality=72, optimize=True, progressive=True)
                    print(f"{path_of(shot).relative_to(ROOT)}  {img.width}x{img.height}")
            finally:
                browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
