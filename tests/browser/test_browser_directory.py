"""Find anything: the directory lists each zone's booths and searches them in zh and en;
the minimap names the zones in the visitor's language and has a legend."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import expo, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def catalog(page: Page) -> dict[str, Any]:
    cat: dict[str, Any] = page.evaluate("fetch('/api/catalog').then((r) => r.json())")
    return cat


def desktop(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 800})


def test_the_directory_lists_every_booth_under_its_zone(
    browser: Browser, server: ServerProcess
) -> None:
    ctx = desktop(browser)
    try:
        page = open_client(ctx, server.http, "Finder")
        cat = catalog(page)
        hall = expo(page, "__expo.room")
        page.click("#btn-directory")
        assert page.evaluate("document.activeElement.id") == "dir-search"
        for zone in (z for z in cat["zones"] if z["hall"] == hall):
            listed = page.evaluate(
                "id => [...document.querySelectorAll(`[data-dest='zone:${id}'] ~ ul button`)]"
                ".map((b) => b.dataset.booth)",
                zone["id"],
            )
            expected = [b["id"] for b in cat["booths"] if b["zone"] == zone["id"]]
            assert listed == expected, f"the booths of {zone['id']}"
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()


def test_a_search_in_chinese_or_english_finds_the_booth_and_goes_there(
    browser: Browser, server: ServerProcess
) -> None:
    ctx = desktop(browser)
    try:
        page = open_client(ctx, server.http, "Seeker")
        booth = catalog(page)["booths"][0]
        name = booth["exhibitor"]["name"]
        page.click("#btn-directory")
        page.fill("#dir-search", name["zh"][1:4])  # a Chinese substring
        found = page.evaluate(
            "[...document.querySelectorAll('#dir-list button')].map((b) => b.dataset.booth)"
        )
        assert booth["id"] in found
        # English words, in another order and case.
        words = name["en"].split()
        page.fill("#dir-search", f"{words[-1].upper()} {words[0].lower()}")
        found = page.evaluate(
            "[...document.querySelectorAll('#dir-list button')].map((b) => b.dataset.booth)"
        )
        assert booth["id"] in found
        assert page.text_content("#dir-found") == f"{len(found)} booths found"
        page.fill("#dir-search", "no such booth anywhere")
        assert page.locator("#dir-list button").count() == 0
        assert page.text_content("#dir-found") == "No booth matches: try another word."

        page.fill("#dir-search", name["en"])
        page.click(f"#dir-list button[data-booth='{booth['id']}']")
        assert page.locator("#directory").is_hidden()
        fx, fz = booth["front"]
        wait_until(
            page,
            "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) < 0.5",
            [fx, fz],
            what="the visitor arrives at the booth's front",
        )
    finally:
        ctx.close()


def test_the_minimap_labels_zones_in_the_visitors_language_and_has_a_legend(
    browser: Browser, server: ServerProcess
) -> None:
    ctx = desktop(browser)
    try:
        page = open_client(ctx, server.http, "Mapper", lang="en")
        cat = catalog(page)
        hall = expo(page, "__expo.room")
        zones = [z for z in cat["zones"] if z["hall"] == hall]
        labels = wait_until(page, "__expo.minimap.labels.length > 0 && __expo.minimap.labels")
        assert sorted(label["text"] for label in labels) == sorted(z["title"]["en"] for z in zones)
        legend = page.locator(".map-legend")
        assert legend.is_visible()
        assert "You are here" in (legend.text_content() or "")
        page.click("#btn-lang")
        wait_until(
            page,
            "want => JSON.stringify(__expo.minimap.labels.map((l) => l.text).sort())"
            " === JSON.stringify(want)",
            sorted(z["title"]["zh"] for z in zones),
            what="the minimap's labels switch to Chinese",
        )
        assert "你在这里" in (legend.text_content() or "")
    finally:
        ctx.close()


def test_a_directory_opened_on_a_phone_searches_too(
    browser: Browser, context: BrowserContext, server: ServerProcess
) -> None:
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    try:
        page = open_client(ctx, server.http, "PhoneSeeker", lang="zh")
        booth = catalog(page)["booths"][-1]
        page.click("#btn-directory")
        page.fill("#dir-search", booth["exhibitor"]["name"]["zh"])
        button = page.locator(f"#dir-list button[data-booth='{booth['id']}']")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        button.tap()
        assert page.locator("#directory").is_hidden()
    finally:
        ctx.close()
