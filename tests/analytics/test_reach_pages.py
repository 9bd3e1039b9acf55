"""The reach dashboards' pages: an exhibitor opens their own booth's, not another's; only staff
open the hall's; visitors are sent to sign in; the words and the bundle come with the page."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from metaexpo.analytics.uniques import HLL_ERROR_BOUND
from tests.backoffice import EXHIBITOR_PASSWORD, STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app
from tests.portal.test_portal_pages import sign_in

MINE, THEIRS = "retail-01", "retail-02"


@pytest.fixture(scope="module")
def expo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with expo_app(tmp_path_factory.mktemp("reach-pages") / "data") as client:
        api = Expo(client)
        api.exhibitor(api.staff(), "mine@firm.test", [MINE])
        client.cookies.clear()
        yield client


@pytest.fixture
def browser(expo: TestClient) -> Iterator[TestClient]:
    """The app with a fresh cookie jar, like a new browser."""
    expo.cookies.clear()
    yield expo
    expo.cookies.clear()


def dashboard(page: str) -> dict[str, str]:
    match = re.search(r'<div id="reach-dashboard"([^>]*)>', page)
    assert match, "no dashboard on the page"
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1))}


def test_a_visitor_is_sent_to_sign_in(browser: TestClient) -> None:
    for path in (f"/portal/booths/{MINE}/reach", "/staff/reach"):
        response = browser.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/portal/login" in response.headers["location"]


def test_an_exhibitor_opens_their_own_booths_dashboard_only(browser: TestClient) -> None:
    sign_in(browser, "mine@firm.test", EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{MINE}/reach?lang=zh")
    assert page.status_code == 200
    frame = dashboard(page.text)
    assert frame["kind"] == "booth" and frame["booth"] == MINE and frame["lang"] == "zh"
    words = json.loads(frame["strings"])
    assert words["visits"] == "来访" and words["leads"] == "名片"
    assert re.search(r'<script type="module" src="/app/reach-[A-Z0-9]{8}\.js">', page.text)
    assert browser.get(f"/portal/booths/{THEIRS}/reach").status_code == 403
    assert browser.get("/portal/booths/no-such-booth/reach").status_code == 404
    assert browser.get("/staff/reach").status_code == 403


def test_staff_open_the_halls_dashboard_with_the_names_of_zones_and_booths(
    browser: TestClient,
) -> None:
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    page = browser.get("/staff/reach?lang=en")
    assert page.status_code == 200
    frame = dashboard(page.text)
    names = json.loads(frame["names"])
    assert frame["kind"] == "hall" and names["booths"][MINE] and names["zones"]
    bound = f"{HLL_ERROR_BOUND * 100:.2f} %"
    assert json.loads(frame["strings"])["estimate"].endswith(f"within {bound}")
    assert browser.get(f"/portal/booths/{THEIRS}/reach").status_code == 200
