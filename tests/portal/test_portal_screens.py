"""The booth editor's "Screen images" section: the draft's slideshow shown in order, moved and
removed with plain forms (CSRF-checked), and shown to staff beside the live one on review."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.backoffice import EXHIBITOR_PASSWORD, STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app
from tests.portal.test_portal_pages import meta_csrf, sign_in

BOOTH = "education-01"
LOGIN = "screens@school.test"


def _picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


def _shown(page: str) -> list[str]:
    """The screen images' ids as the editor lists them, in order."""
    section = page.split('id="screens"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'src="/assets/([0-9a-f]{64})\.jpg"', section)


@pytest.fixture(scope="module")
def portal(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("portal-screens")
    with expo_app(data_dir, database_url=module_database_url) as client:
        expo = Expo(client)
        who = expo.exhibitor(expo.staff(), LOGIN, [BOOTH])
        for colour in ((200, 10, 10), (10, 200, 10)):
            response = client.post(
                f"/api/booths/{BOOTH}/screens", content=_picture(colour), headers=who
            )
            assert response.status_code == 200, response.text
        yield client


@pytest.fixture
def browser(portal: TestClient) -> Iterator[TestClient]:
    """The same client with a fresh cookie jar, like a new browser."""
    portal.cookies.clear()
    yield portal
    portal.cookies.clear()


def test_the_editor_lists_moves_and_removes_screen_images(browser: TestClient) -> None:
    sign_in(browser, LOGIN, EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}?lang=en").text
    assert "Screen images" in page and "at most 6" in page
    a, b = _shown(page)
    moved = browser.post(
        f"/portal/booths/{BOOTH}/screens/{b}/earlier",
        data={"csrf": meta_csrf(page)},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("#screens")
    page = browser.get(f"/portal/booths/{BOOTH}?lang=en").text
    assert _shown(page) == [b, a]
    # The first one cannot move earlier; the last one cannot move later.
    assert re.search(
        rf'/screens/{b}/earlier"[^>]*>\s*<input[^>]*>\s*<button type="submit" disabled', page
    )
    assert re.search(
        rf'/screens/{a}/later"[^>]*>\s*<input[^>]*>\s*<button type="submit" disabled', page
    )
    removed = browser.post(
        f"/portal/booths/{BOOTH}/screens/{b}/remove", data={"csrf": meta_csrf(page)}
    )
    assert removed.status_code == 200
    assert _shown(removed.text) == [a]


def test_a_screen_image_form_without_the_token_or_with_a_made_up_action_changes_nothing(
    browser: TestClient,
) -> None:
    sign_in(browser, LOGIN, EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}?lang=en").text
    before = _shown(page)
    forged = browser.post(f"/portal/booths/{BOOTH}/screens/{before[0]}/remove", data={"csrf": "x"})
    assert forged.status_code == 403
    unknown = browser.post(
        f"/portal/booths/{BOOTH}/screens/{before[0]}/explode", data={"csrf": meta_csrf(page)}
    )
    assert unknown.status_code == 404
    assert _shown(browser.get(f"/portal/booths/{BOOTH}").text) == before


def test_staff_see_the_screen_images_they_approve(browser: TestClient) -> None:
    sign_in(browser, LOGIN, EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}").text
    shown = _shown(page)
    browser.post(f"/portal/booths/{BOOTH}/submit", data={"csrf": meta_csrf(page)})
    browser.cookies.clear()
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    queue = browser.get("/staff").text
    revision = re.search(r'href="/staff/revisions/(\d+)"', queue)
    assert revision
    review = browser.get(f"/staff/revisions/{revision.group(1)}?lang=en").text
    row = review.split("Screen images", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"/assets/([0-9a-f]{64})\.jpg", row) == shown
    browser.cookies.clear()
