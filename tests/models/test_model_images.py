"""Image sniffing and header parsing: format from bytes, size without decoding pixels."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image

from metaexpo.models.images import BadImage, ImageFormat, read_header, sniff
from tests.models.gltf_factory import jpeg, png, png_header_only


@pytest.mark.parametrize(("width", "height"), [(1, 1), (3, 7), (640, 480), (2048, 1024)])
def test_png_size_comes_from_its_header(width: int, height: int) -> None:
    header = read_header(png(width, height))
    assert (header.format, header.width, header.height) == (ImageFormat.PNG, width, height)


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize(("width", "height"), [(1, 1), (17, 9), (1024, 768)])
def test_jpeg_size_comes_from_its_frame_header(width: int, height: int, progressive: bool) -> None:
    header = read_header(jpeg(width, height, progressive=progressive))
    assert (header.format, header.width, header.height) == (ImageFormat.JPEG, width, height)


def test_jpeg_with_metadata_before_the_frame_is_read() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "booth photo " * 200
    Image.new("RGB", (33, 21)).save(out, format="JPEG", exif=exif, icc_profile=b"\x00" * 3000)
    header = read_header(out.getvalue())
    assert (header.width, header.height) == (33, 21)


def test_huge_declared_size_is_read_without_decoding() -> None:
    tracemalloc.start()
    header = read_header(png_header_only(100_000, 100_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (header.width, header.height) == (100_000, 100_000)
    assert peak < 64 * 1024


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"\xabKTX 20\xbb\r\n\x1a\n" + bytes(8), ImageFormat.KTX2),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", ImageFormat.WEBP),
        (b"GIF89a" + bytes(10), ImageFormat.GIF),
        (b"<svg/>", ImageFormat.UNKNOWN),
        (b"", ImageFormat.UNKNOWN),
    ],
)
def test_other_formats_are_recognised_and_refused(data: bytes, fmt: ImageFormat) -> None:
    assert sniff(data) is fmt
    with pytest.raises(BadImage):
        read_header(data)


@pytest.mark.parametrize(
    "data",
    [
        png()[:20],
        png()[:8] + b"\x00\x00\x00\x0dIDAT" + bytes(17),
        png_header_only(0, 10),
        png_header_only(2**31, 10),
        jpeg()[:3],
        b"\xff\xd8\xff\xe0\x00\x01",
        b"\xff\xd8\xff\xda\x00\x08" + bytes(8),
        b"\xff\xd8" + b"\xff\xe0\x00\x10" + bytes(14),
    ],
)
def test_damaged_headers_raise_bad_image(data: bytes) -> None:
    with pytest.raises(BadImage):
        read_header(data)
