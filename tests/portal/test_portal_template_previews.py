"""The booth editor shows a picture of every template the booth's slot fits, and no other, drawn
in the draft's colours; the pictures are the server's own renders of the hall's geometry."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from metaexpo.scenebuild import BUILDER_VERSION
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app

#: Slots of each size in the retail zone (scenes/zones/01-retail.yaml), and what fits them.
FITTING = {
    "retail-04": ["kiosk", "showcase"],
    "retail-02": ["kiosk", "showcase", "island", "lounge"],
    "retail-01": ["kiosk", "showcase", "island", "lounge", "pavilion"],
}


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[TestClient]:
    with expo_app(tmp_path_factory.mktemp("previews"), database_url=module_database_url) as app:
        page = app.get("/portal/login").text
        csrf = re.search(r'name="csrf" value="([^"]*)"', page)
        assert csrf
        signed_in = app.post(
            "/portal/login",
            data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf": csrf.group(1)},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        yield app


def _pictures(page: str, booth: str) -> list[tuple[str, str, str]]:
    """(template, accent, panel) of every template picture on the editor ``page``."""
    found = re.findall(
        rf'<img class="template-preview" data-template="([a-z]+)" width="240" height="180" '
        rf'src="/portal/booths/{booth}/templates/\1\.png\?v={BUILDER_VERSION}&amp;accent=%23([0-9a-f]{{6}})'
        rf'&amp;panel=%23([0-9a-f]{{6}})"',
        page,
    )
    return [(name, f"#{accent}", f"#{panel}") for name, accent, panel in found]


def _image(client: TestClient, url: str) -> np.ndarray:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"), dtype=np.int32)


@pytest.mark.parametrize("booth", sorted(FITTING))
def test_the_editor_pictures_every_template_the_slot_fits_and_no_other(
    client: TestClient, booth: str
) -> None:
    page = client.get(f"/portal/booths/{booth}?lang=en").text
    pictures = _pictures(page, booth)
    assert [name for name, _, _ in pictures] == FITTING[booth]
    assert re.findall(r'name="template" value="([a-z]+)"', page) == FITTING[booth]
    for name, accent, panel in pictures:
        query = f"accent=%23{accent[1:]}&panel=%23{panel[1:]}"
        image = _image(client, f"/portal/booths/{booth}/templates/{name}.png?{query}")
        assert image.shape == (360, 480, 3)
    for name in {"kiosk", "showcase", "island", "lounge", "pavilion"} - set(FITTING[booth]):
        assert client.get(f"/portal/booths/{booth}/templates/{name}.png").status_code == 404


def test_each_template_has_its_own_picture(client: TestClient) -> None:
    booth = "retail-01"
    pictures = {
        name: _image(client, f"/portal/booths/{booth}/templates/{name}.png").tobytes()
        for name in FITTING[booth]
    }
    assert len(set(pictures.values())) == len(pictures)


def _share(image: np.ndarray, channel: int) -> float:
    """The share of pixels where ``channel`` clearly dominates the other two."""
    others = [c for c in range(3) if c != channel]
    mine = image[..., channel]
    return float(
        ((mine > 2 * image[..., others[0]] + 20) & (mine > 2 * image[..., others[1]] + 20)).mean()
    )


def test_pictures_are_drawn_in_the_drafts_colours(client: TestClient) -> None:
    # Save a draft with a red accent (as the editor's form does), then the pictures carry it.
    staff = Expo(client).staff()
    content = client.get("/api/booths/retail-04/workspace", headers=staff).json()["content"]
    content["colours"]["accent"] = "#d01010"
    saved = client.put("/api/booths/retail-04/draft", json=content, headers=staff)
    assert saved.status_code == 200, saved.text
    page = client.get("/portal/booths/retail-04?lang=en").text
    pictures = _pictures(page, "retail-04")
    assert [accent for _, accent, _ in pictures] == ["#d01010", "#d01010"]
    red = _image(client, "/portal/booths/retail-04/templates/showcase.png?accent=%23d01010")
    blue = _image(client, "/portal/booths/retail-04/templates/showcase.png?accent=%231040d0")
    assert _share(red, 0) > 0.05 and _share(red, 2) < 0.01
    assert _share(blue, 2) > 0.05 and _share(blue, 0) < 0.01
    # The panel colour paints the walls: a green panel shows green where none was.
    green = _image(
        client, "/portal/booths/retail-04/templates/showcase.png?accent=%231040d0&panel=%2310c020"
    )
    assert _share(green, 1) > _share(blue, 1) + 0.02


def test_a_bad_colour_or_template_is_refused_with_the_reason(client: TestClient) -> None:
    bad = client.get("/portal/booths/retail-04/templates/kiosk.png?accent=red")
    assert bad.status_code == 422
    assert "accent must be a colour written #rrggbb" in bad.text
    unknown = client.get("/portal/booths/retail-04/templates/hut.png")
    assert unknown.status_code == 404 and "kiosk, showcase" in unknown.text
    assert client.get("/portal/booths/nowhere-01/templates/kiosk.png").status_code == 404
    # A colour with anything after it (here a newline) is not a colour.
    trailing = client.get("/portal/booths/retail-04/templates/kiosk.png?accent=%23aabbcc%0A")
    assert trailing.status_code == 422


def test_a_picture_is_kept_a_week_only_under_the_current_builders_url(
    client: TestClient,
) -> None:
    url = "/portal/booths/retail-04/templates/kiosk.png"
    current = client.get(f"{url}?v={BUILDER_VERSION}")
    assert current.headers["cache-control"] == "private, max-age=604800"
    older = client.get(f"{url}?v={BUILDER_VERSION - 1}")
    assert older.headers["cache-control"] == "private, no-cache"
    assert older.content == current.content  # the same picture, drawn once


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    cookies = dict(client.cookies)
    client.cookies.clear()
    try:
        response = client.get(
            "/portal/booths/retail-04/templates/kiosk.png", follow_redirects=False
        )
        assert response.status_code in (302, 303, 307)
        assert "/portal/login" in response.headers["location"]
    finally:
        for key, value in cookies.items():
            client.cookies.set(key, value)
