"""The five booth templates in real Chromium: the portal's editor shows a picture of each
template the slot fits, and an approved revision that picks one of the new templates redraws
the booth in it, in a visitor's hall, live: its body borrowed from a booth of that template in
the same zone, its poster on the new screen, and the floor its furniture stands on blocked."""

from __future__ import annotations

import io
import math
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo, create_staff
from tests.browser.support import ms, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: A kiosk in the retail zone, and the zone's catalog showcase (scenes/zones/01-retail.yaml).
KIOSK, SHOWCASE = "retail-04", "retail-05"
#: An island slot: kiosk, showcase, island and lounge fit it, a pavilion does not.
ISLAND = "retail-02"
#: The showcase's plinth (scenebuild/templates.py), in the booth's own frame: open in a kiosk.
PLINTH = (-1.45, 0.2)
#: _ROLE codes of foliage and lamps (docs/scenes.md "Booths").
PLANT, LIGHT = 7, 8


@pytest.fixture(scope="module", autouse=True)
def staff_account(server: ServerProcess) -> None:
    """The staff account both tests sign in with (the server lives for the module)."""
    create_staff(server.tmp / "data")


def _poster() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 450), (40, 160, 60)).save(out, format="PNG")
    return out.getvalue()


def _world(booth: dict[str, Any], local: tuple[float, float]) -> tuple[float, float]:
    """A point of ``booth``'s own frame on the hall floor (the builder's quarter turns)."""
    angle = math.radians(booth["rotation_deg"])
    c, s = round(math.cos(angle)), round(math.sin(angle))
    x, z = local
    return (booth["position"][0] + c * x + s * z, booth["position"][1] - s * x + c * z)


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/portal/login?lang=en")
    page.fill("input[name=login]", STAFF_LOGIN)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("form[action='/portal/login'] button[type=submit]")
    page.wait_for_url("**/staff", timeout=ms(10))


def test_the_editor_shows_a_loaded_picture_of_every_template_the_slot_fits(
    server: ServerProcess, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(page, server.http)
    page.goto(f"{server.http}/portal/booths/{ISLAND}?lang=en")
    pictures = wait_until(
        page,
        "() => { const imgs = [...document.querySelectorAll('img.template-preview')];"
        " return imgs.length && imgs.every((i) => i.complete && i.naturalWidth > 0)"
        " ? imgs.map((i) => [i.dataset.template, i.naturalWidth, i.naturalHeight]) : null; }",
        None,
        timeout=30,
        what="every template picture loaded",
    )
    assert pictures == [[name, 480, 360] for name in ("kiosk", "showcase", "island", "lounge")]
    radios = page.eval_on_selector_all("input[name=template]", "els => els.map((e) => e.value)")
    assert radios == ["kiosk", "showcase", "island", "lounge"]
    # Picking another accent redraws every picture in it, before anything is saved.
    page.fill("input[name=accent]", "#d01010")
    page.dispatch_event("input[name=accent]", "change")
    wait_until(
        page,
        "() => [...document.querySelectorAll('img.template-preview')].every((i) =>"
        " i.src.includes('accent=%23d01010') && i.complete && i.naturalWidth > 0)",
        None,
        timeout=30,
        what="every template picture redrawn in the picked accent",
    )


def test_an_approved_switch_to_a_new_template_redraws_the_booth_in_it(
    server: ServerProcess, context: BrowserContext, context2: BrowserContext
) -> None:
    visitor = open_client(context, server.http, "Visitor")
    catalog = httpx.get(f"{server.http}/api/catalog", timeout=30).json()
    booth = next(b for b in catalog["booths"] if b["id"] == KIOSK)
    assert booth["template"] == "kiosk"
    plinth = _world(booth, PLINTH)
    assert visitor.evaluate("([x, z]) => __expoTest.walkable(x, z)", list(plinth)) is True
    showcase = visitor.evaluate("id => __expoTest.boothBody(id)", SHOWCASE)
    assert {PLANT, LIGHT} <= set(showcase["roles"])
    assert visitor.evaluate("id => __expoTest.boothBody(id)", KIOSK) != showcase

    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        staff = expo.staff()
        who = expo.exhibitor(staff, "showcase@firm.test", [KIOSK])
        content = http.get(f"/api/booths/{KIOSK}/workspace", headers=who).json()["content"]
        content["template"] = "showcase"
        saved = http.put(f"/api/booths/{KIOSK}/draft", json=content, headers=who)
        assert saved.status_code == 200, saved.text
        posted = http.post(f"/api/booths/{KIOSK}/poster", content=_poster(), headers=who)
        assert posted.status_code == 200, posted.text
        expo.submit(who, KIOSK)
        live = expo.approve(staff, expo.queued(staff, KIOSK))
    assert live["template"] == "showcase"

    for page in (visitor, open_client(context2, server.http, "Later")):
        state = wait_until(
            page,
            "(id) => { const b = window.__expo.booths?.[id];"
            " return b && b.template === 'showcase' && b.loaded && b.brand?.poster ? b : null; }",
            KIOSK,
            timeout=60,
            what="the booth redrawn as a showcase with its poster",
        )
        assert state["brand"]["poster"] == "shown"
        # The body is the zone's showcase (repainted in the exhibitor's colours, same shape).
        assert page.evaluate("id => __expoTest.boothBody(id)", KIOSK) == showcase
        # Its plinth now stands where a kiosk had open floor, and its inside stays walkable.
        assert page.evaluate("([x, z]) => __expoTest.walkable(x, z)", list(plinth)) is False
        inside = _world(booth, (-0.3, -0.7))
        assert page.evaluate("([x, z]) => __expoTest.walkable(x, z)", list(inside)) is True
        assert not page.errors  # type: ignore[attr-defined]
