"""Pictures cost the server nothing: decoded in the upload worker process, at reduced size,
under a low pixel cap, and the worker gives the memory back.

Memory is the kernel's peak resident size of each process (tests/procmem.py),
reset before each upload, so a short spike is never missed; the bounds are
generous (the picture decoded in the server would cost it hundreds of MB).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from PIL import Image

from tests.backoffice import Expo, Headers, create_staff
from tests.live import ServerProcess
from tests.procmem import MB, peak_rss, reset_peak, rss

pytestmark = pytest.mark.integration

BOOTH = "culture-02"
#: Most the server's peak memory may grow while it takes one picture.
SERVER_GROWTH = 100 * MB


class Site:
    """A server (one upload worker process) and an exhibitor of BOOTH."""

    def __init__(self, tmp: Path) -> None:
        create_staff(tmp / "data")
        self.server = ServerProcess(tmp).start()
        assert self.server.proc is not None
        self.pid = self.server.proc.pid
        self.http = httpx.Client(base_url=self.server.http, timeout=120)
        expo = Expo(self.http)
        self.who: Headers = expo.exhibitor(expo.staff(), "pictures@firm.test", [BOOTH])

    def post(self, role: str, data: bytes) -> httpx.Response:
        return self.http.post(f"/api/booths/{BOOTH}/{role}", content=data, headers=self.who)

    def served(self, response: httpx.Response, role: str) -> Image.Image:
        assert response.status_code == 200, response.text
        picture = self.http.get(response.json()["open"][role])
        assert picture.status_code == 200
        return Image.open(io.BytesIO(picture.content))

    def upload_worker(self) -> int:
        """The pid of the server's upload worker process (started by the first upload)."""
        workers = [
            child.pid
            for child in psutil.Process(self.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
        ]
        assert len(workers) == 1, f"expected one upload worker process, found {workers}"
        return workers[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = Site(tmp_path_factory.mktemp("pictures"))
    yield site
    site.http.close()
    site.server.stop()


def _encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def bomb_logo() -> bytes:
    """A 162 KB PNG of 7070 × 7070 pixels in one colour: 200 MB once decoded."""
    return _encoded(Image.new("RGB", (7070, 7070), (200, 30, 30)), "PNG")


def phone_photo() -> bytes:
    """A 7000 × 5000 (35 megapixel) JPEG, blue on its left half and red on its right."""
    photo = Image.new("RGB", (7000, 5000), (220, 20, 20))
    photo.paste((20, 20, 220), (0, 0, 3500, 5000))
    return _encoded(photo, "JPEG")


def test_a_normal_logo_is_accepted_and_re_encoded_in_the_worker(site: Site) -> None:
    logo = Image.new("RGBA", (1500, 1500), (0, 0, 0, 0))
    logo.paste((10, 200, 10, 255), (0, 0, 750, 1500))
    served = site.served(site.post("logo", _encoded(logo, "PNG")), "logo")
    assert served.format == "PNG" and served.size == (1024, 1024) and served.mode == "RGBA"
    assert served.getpixel((10, 10)) == (10, 200, 10, 255)
    assert served.getpixel((1000, 10))[3] == 0
    site.upload_worker()  # the picture went through the worker pool


def test_a_decompression_bomb_logo_is_refused_and_the_server_memory_stays_flat(
    site: Site,
) -> None:
    data = bomb_logo()
    before = reset_peak(site.pid)
    response = site.post("logo", data)
    growth = peak_rss(site.pid) - before
    assert response.status_code == 422, response.text[:300]
    problem = response.json()["detail"][0]
    assert problem["code"] == "image_too_large"
    assert "7070 × 7070" in problem["message"] and "scale it down" in problem["message"]
    assert growth < SERVER_GROWTH, f"the server grew by {growth / MB:.0f} MB for a refused logo"


def test_a_phone_photo_poster_is_accepted_and_re_encoded_without_growing_the_server(
    site: Site,
) -> None:
    data = phone_photo()
    before = reset_peak(site.pid)
    response = site.post("poster", data)
    growth = peak_rss(site.pid) - before
    served = site.served(response, "poster")
    assert served.format == "JPEG" and served.size == (2048, 1463)
    left, right = served.getpixel((10, 700)), served.getpixel((2030, 700))
    assert left[2] > 180 > left[0] and right[0] > 180 > right[2]
    assert growth < SERVER_GROWTH, f"the server grew by {growth / MB:.0f} MB for one poster"


def test_the_worker_decodes_a_photo_at_reduced_size_and_gives_the_memory_back(site: Site) -> None:
    data = phone_photo()
    site.post("logo", _encoded(Image.new("RGB", (64, 64)), "PNG"))  # the worker is up
    worker = site.upload_worker()
    before = reset_peak(worker)
    assert site.post("poster", data).status_code == 200
    growth = peak_rss(worker) - before
    kept = rss(worker) - before
    # Decoded whole, the photo alone would take 140 MB; at half size, 35 MB.
    assert 20 * MB < growth < 140 * MB, f"the worker grew by {growth / MB:.0f} MB"
    assert kept < growth / 2, f"the worker kept {kept / MB:.0f} MB of the {growth / MB:.0f} MB"
