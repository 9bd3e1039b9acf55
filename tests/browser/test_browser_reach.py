"""Reach in real Chromium: a visitor leaves a business card at a booth after reading the consent
text, the exhibitor's dashboard shows the visit and the card (zh and en, charts drawn), the
visitor withdraws the card and it leaves the dashboard; the staff console shows the hall live.

Screenshots of the dashboards go to ``METAEXPO_SCREENSHOTS`` if set (docs/images/ is made so).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.analytics.tour import FAST_REACH
from tests.backoffice import (
    EXHIBITOR_PASSWORD,
    STAFF_LOGIN,
    STAFF_PASSWORD,
    Expo,
    create_staff,
)
from tests.browser.support import VIEWPORT, ms, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

BOOTH = "retail-01"
EXHIBITOR = "reach@firm.test"
PHONE = {"width": 390, "height": 844}

#: Records every CSP violation a page reports, from before its first script runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

#: Coloured (not background-white, not transparent) pixels of a dashboard chart's canvas.
INKED = """(id) => {
  const canvas = document.querySelector(`#chart-${id} canvas`);
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 0 && !(r > 240 && g > 240 && b > 240)) n += 1;
  }
  return n;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[ServerProcess]:
    """A real server counting reach four times a second and writing it every second."""
    proc = ServerProcess(tmp_path_factory.mktemp("reach-browser"), *FAST_REACH).start()
    create_staff(proc.tmp / "data")
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.stop()


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot for the docs, when asked for (``METAEXPO_SCREENSHOTS``)."""
    folder = os.environ.get("METAEXPO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in(context: BrowserContext, base: str, login: str, password: str) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    page.add_init_script(WATCH_CSP)
    page.goto(f"{base}/portal/login?lang=en")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form[action='/portal/login'] button[type=submit]")
    page.wait_for_load_state()
    return page


def kpi(page: Page, key: str) -> str | None:
    """The value of the dashboard figure ``key`` (None until the dashboard shows it)."""
    value: str | None = page.evaluate(
        "(key) => document.querySelector(`[data-kpi='${key}'] dd`)?.textContent ?? null", key
    )
    return value


def open_booth_panel(page: Page, booth: str) -> None:
    """Stand before the booth, looking at it, and click it until its panel is open."""
    catalog = page.evaluate("() => fetch('/api/catalog').then((r) => r.json())")
    b: dict[str, Any] = next(x for x in catalog["booths"] if x["id"] == booth)
    (fx, fz), (bx, bz) = b["front"], b["position"]
    page.evaluate(
        "([x, z, bx, bz]) => __expoTest.teleport(x, z, Math.atan2(-(bx - x), -(bz - z)))",
        [fx, fz, bx, bz],
    )
    wait_until(
        page,
        """(id) => {
          const p = __expoTest.boothScreenPoint(id);
          if (p && p.inView && __expo.openPanel !== id) __expoTest.pick(p.x, p.y);
          return __expo.openPanel === id;
        }""",
        booth,
        timeout=20,
    )


def test_a_card_left_at_a_booth_shows_on_the_exhibitors_dashboard_and_goes_when_withdrawn(
    server: ServerProcess, context: BrowserContext, browser: Browser
) -> None:
    with httpx.Client(base_url=server.http, timeout=60) as http:
        api = Expo(http)
        api.exhibitor(api.staff(), EXHIBITOR, [BOOTH])
        names = http.get("/api/catalog").json()
    name_zh = next(b for b in names["booths"] if b["id"] == BOOTH)["exhibitor"]["name"]["zh"]

    visitor = open_client(context, server.http, "访客", lang="zh")
    open_booth_panel(visitor, BOOTH)
    visitor.click("#card-open")
    wait_until(visitor, "() => !document.getElementById('card-send').disabled")
    consent = visitor.locator("#card-consent-text").text_content() or ""
    assert name_zh in consent and "联系" in consent, consent
    visitor.fill("#card-name", "王小明")
    visitor.fill("#card-organisation", "杭州示例科技")
    visitor.fill("#card-email", "wang@example.org")
    visitor.fill("#card-message", '=HYPERLINK("http://evil.example") 想了解产品')
    visitor.click("#card-send")  # not agreed yet: nothing is sent
    assert visitor.locator(".card-status").text_content() == "请先勾选同意，名片才会交给展商。"
    visitor.check("#card-agree")
    visitor.click("#card-send")
    visitor.wait_for_selector("#card-withdraw", timeout=ms(15))
    assert visitor.locator(".card-status").text_content() == "名片已交给展商。"

    exhibitor_ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        owner = sign_in(exhibitor_ctx, server.http, EXHIBITOR, EXHIBITOR_PASSWORD)
        owner.goto(f"{server.http}/portal/booths/{BOOTH}/reach?lang=zh")
        # The visitor is still at the booth: the visit counts after a few seconds, the
        # dashboard picks it up on a refresh, without a reload.
        wait_until(
            owner,
            """() => {
              const v = (k) => document.querySelector(`[data-kpi='${k}'] dd`)?.textContent;
              return v('visits') === '1' && v('leads') === '1' && v('here_now') === '1';
            }""",
            timeout=60,
        )
        assert kpi(owner, "unique_visitors") == "1"
        assert kpi(owner, "panel_opens") == "1"
        assert owner.locator("[data-kpi='visits'] dt").text_content() == "来访"
        cells = owner.locator("#reach-cards td").all_text_contents()
        assert "王小明" in cells and "杭州示例科技" in cells, cells
        for chart in ("visits", "dwell", "heat"):
            assert owner.evaluate(INKED, chart) > 500, f"the {chart} chart is blank"
        shoot(owner, "reach-booth-zh.png")

        owner.goto(f"{server.http}/portal/booths/{BOOTH}/reach?lang=en")
        wait_until(owner, "() => document.querySelector(`[data-kpi='visits'] dd`)?.textContent")
        assert owner.locator("[data-kpi='visits'] dt").text_content() == "Visits"
        assert kpi(owner, "visits") == "1" and kpi(owner, "leads") == "1"
        csv_link = owner.locator("#reach-cards a[href$='format=csv']")
        with owner.expect_download() as download:
            csv_link.click()
        body = Path(download.value.path()).read_bytes()
        assert body.startswith(b"\xef\xbb\xbf") and "王小明".encode() in body
        assert b'"=HYPERLINK' not in body and b",=HYPERLINK" not in body
        shoot(owner, "reach-booth-en.png")

        visitor.click("#card-withdraw")
        visitor.wait_for_selector("#card-open", timeout=ms(15))
        assert visitor.locator(".card-status").text_content() == "名片已撤回并删除。"
        wait_until(
            owner,
            "() => document.querySelector(`[data-kpi='leads'] dd`)?.textContent === '0'",
            timeout=30,
        )
        assert "王小明" not in owner.locator("#reach-dashboard").text_content()
        assert owner.evaluate("window.__csp") == [], owner.evaluate("window.__csp")
        assert not owner.errors  # type: ignore[attr-defined]
    finally:
        exhibitor_ctx.close()
    assert not visitor.errors  # type: ignore[attr-defined]


def test_the_staff_console_shows_the_hall_live_on_a_phone(
    server: ServerProcess, context: BrowserContext, browser: Browser
) -> None:
    visitor = open_client(context, server.http, "Visitor")
    open_booth_panel(visitor, BOOTH)
    staff_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    try:
        staff = sign_in(staff_ctx, server.http, STAFF_LOGIN, STAFF_PASSWORD)
        staff.goto(f"{server.http}/staff/reach?lang=en")
        wait_until(
            staff,
            "() => Number(document.querySelector(`[data-kpi='here_now'] dd`)?.textContent) >= 1",
            timeout=30,
        )
        wait_until(
            staff, "() => Number(document.getElementById('reach-dashboard').dataset.updated) >= 1"
        )
        updates = int(staff.evaluate("document.getElementById('reach-dashboard').dataset.updated"))
        # Live: the page refreshes itself (no reload) and the hall's heatmap shows the visitor.
        wait_until(
            staff,
            "(n) => Number(document.getElementById('reach-dashboard').dataset.updated) > n",
            updates,
            timeout=30,
        )
        assert staff.evaluate("performance.getEntriesByType('navigation').length") == 1
        hall_charts = staff.evaluate(
            "[...document.querySelectorAll('[id^=chart-hall-]')].map((e) => e.id.slice(6))"
        )
        assert hall_charts, "no hall heatmap"
        for chart in ("zones", *hall_charts):
            assert staff.evaluate(INKED, chart) > 500, f"the {chart} chart is blank"
        width = staff.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the console scrolls sideways on a phone: {width}"
        shoot(staff, "reach-console-phone.png")
        assert staff.evaluate("window.__csp") == [], staff.evaluate("window.__csp")
        assert not staff.errors  # type: ignore[attr-defined]
    finally:
        staff_ctx.close()
