"""Logos and posters: re-encoded by the server, size-capped, turned upright, metadata gone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from metaexpo.booths.images import MAX_DECODED_PIXELS, ImageRole, open_reduced, reencode
from metaexpo.errors import Invalid
from tests.backoffice import Expo, Headers, expo_app
from tests.models.gltf_factory import png_header_only

BOOTH = "culture-01"
GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def photo_with_gps(width: int = 600, height: int = 400, orientation: int = 1) -> bytes:
    """A JPEG with an EXIF GPS block, an orientation, a comment and an ICC profile."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 2))  # blue top-left quarter
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x010F] = "SpyCam"  # camera maker
    gps = exif.get_ifd(GPS_TAG)
    gps[1] = "N"
    gps[2] = (30.0, 15.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment", icc_profile=b"\0" * 128)
    return out.getvalue()


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    return path


def test_a_poster_loses_every_bit_of_metadata(tmp_path: Path) -> None:
    out = reencode(write(tmp_path, photo_with_gps()), ImageRole.POSTER)
    image = Image.open(io.BytesIO(out))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "icc_profile" not in image.info and "comment" not in image.info
    assert b"SpyCam" not in out and b"secret comment" not in out


def test_the_exif_orientation_is_applied_to_the_pixels(tmp_path: Path) -> None:
    # Orientation 6: the camera was turned; the picture must come out portrait.
    out = reencode(write(tmp_path, photo_with_gps(600, 400, orientation=6)), ImageRole.POSTER)
    image = Image.open(io.BytesIO(out))
    assert image.size == (400, 600)


def test_a_big_logo_is_scaled_down_and_keeps_its_transparency(tmp_path: Path) -> None:
    logo = Image.new("RGBA", (3000, 1500), (0, 0, 0, 0))
    logo.paste((10, 200, 10, 255), (0, 0, 1500, 1500))
    source = io.BytesIO()
    logo.save(source, format="PNG")
    out = Image.open(io.BytesIO(reencode(write(tmp_path, source.getvalue()), ImageRole.LOGO)))
    assert out.format == "PNG" and out.size == (1024, 512) and out.mode == "RGBA"
    assert out.getpixel((1000, 10))[3] == 0


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as refused:
        reencode(write(tmp_path, png_header_only(60_000, 60_000)), ImageRole.LOGO)
    assert refused.value.problems is not None
    assert refused.value.problems[0]["code"] in ("image_too_large", "bad_image")


def _jpeg(width: int, height: int, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 2))  # blue top-left quarter
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("role", "size"), [(ImageRole.POSTER, (3500, 2500)), (ImageRole.LOGO, (1750, 1250))]
)
def test_a_jpeg_is_decoded_at_the_smallest_size_that_covers_its_rendition(
    tmp_path: Path, role: ImageRole, size: tuple[int, int]
) -> None:
    with Image.open(write(tmp_path, _jpeg(7000, 5000))) as source:
        assert open_reduced(source, role).size == size
        assert source.width * source.height < MAX_DECODED_PIXELS  # what the cap is checked on


def test_a_large_turned_photo_comes_out_upright_at_its_rendition_size(tmp_path: Path) -> None:
    out = Image.open(io.BytesIO(reencode(write(tmp_path, _jpeg(6000, 4000, 6)), ImageRole.POSTER)))
    assert out.size == (1365, 2048)
    top_right = out.getpixel((1300, 40))
    assert top_right[2] > 150 > top_right[0]  # the blue quarter, turned with the picture


@pytest.mark.parametrize("role", list(ImageRole))
def test_a_png_over_the_decoded_pixel_cap_is_refused_before_decoding(
    tmp_path: Path, role: ImageRole
) -> None:
    # The header says 7070 × 7070 (50 megapixels, 200 MB decoded); no pixel data follows, so
    # only a refusal from the header can name the size.
    with pytest.raises(Invalid) as refused:
        reencode(write(tmp_path, png_header_only(7070, 7070)), role)
    assert refused.value.problems is not None
    problem = refused.value.problems[0]
    assert problem["code"] == "image_too_large"
    assert "7070 × 7070" in problem["message"] and "JPEG" in problem["message"]


@pytest.mark.parametrize(
    "data", [b"", b"not a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\xff" * 10]
)
def test_anything_that_is_not_a_readable_picture_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(Invalid):
        reencode(write(tmp_path, data), ImageRole.POSTER)


def test_a_picture_in_an_unaccepted_format_is_refused(tmp_path: Path) -> None:
    source = io.BytesIO()
    Image.new("RGB", (10, 10)).save(source, format="BMP")
    with pytest.raises(Invalid) as refused:
        reencode(write(tmp_path, source.getvalue()), ImageRole.LOGO)
    assert refused.value.problems is not None
    assert refused.value.problems[0]["code"] == "unsupported_image_format"


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[tuple[TestClient, Headers]]:
    with expo_app(
        tmp_path_factory.mktemp("images"),
        image_max_bytes=200_000,
        database_url=module_database_url,
    ) as client:
        expo = Expo(client)
        who = expo.exhibitor(expo.staff(), "img@firm.test", [BOOTH])
        yield client, who


def test_a_poster_uploaded_through_http_is_served_clean(
    client: tuple[TestClient, Headers],
) -> None:
    http, who = client
    response = http.post(f"/api/booths/{BOOTH}/poster", content=photo_with_gps(), headers=who)
    assert response.status_code == 200, response.text
    url = response.json()["open"]["poster"]
    assert url.endswith(".jpg")
    served = http.get(url)
    assert served.headers["content-type"] == "image/jpeg"
    assert b"SpyCam" not in served.content
    removed = http.delete(f"/api/booths/{BOOTH}/poster", headers=who)
    assert removed.json()["open"]["poster"] is None


def test_an_image_over_its_cap_is_413(client: tuple[TestClient, Headers]) -> None:
    http, who = client
    response = http.post(f"/api/booths/{BOOTH}/logo", content=b"x" * 200_001, headers=who)
    assert response.status_code == 413


def test_a_refused_picture_answers_422_with_the_problem(client: tuple[TestClient, Headers]) -> None:
    http, who = client
    response = http.post(f"/api/booths/{BOOTH}/logo", content=b"<svg/>", headers=who)
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "bad_image"
