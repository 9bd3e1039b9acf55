"""Texture images: what format they really are, and their size, read from the header only.

The bytes decide the format, not the ``mimeType`` or the file name: a
declared PNG must start with the PNG signature. Only PNG and JPEG are
accepted (three.js decodes them natively; KTX2, WebP, GIF … need loaders
the hall does not configure, and the glTF-Validator cannot check KTX2).
Width and height come from the PNG ``IHDR`` chunk or the JPEG ``SOFn``
marker, so a header claiming 100,000 × 100,000 pixels is refused without
decoding a single pixel.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum


class ImageFormat(StrEnum):
    """Image formats recognised by their first bytes."""

    PNG = "image/png"
    JPEG = "image/jpeg"
    KTX2 = "image/ktx2"
    WEBP = "image/webp"
    GIF = "image/gif"
    UNKNOWN = "unknown"


ACCEPTED = (ImageFormat.PNG, ImageFormat.JPEG)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KTX2_SIGNATURE = b"\xabKTX 20\xbb\r\n\x1a\n"
#: JPEG start-of-frame markers (baseline, progressive, lossless …), not DHT, JPG or DAC.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: Markers with no length field.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


@dataclass(frozen=True, slots=True)
class ImageHeader:
    """What the header says: the format and the size in pixels."""

    format: ImageFormat
    width: int
    height: int


class BadImage(ValueError):
    """The image header is damaged; the message says how."""


def sniff(data: bytes | memoryview) -> ImageFormat:
    """The format ``data`` really is, from its first bytes."""
    head = bytes(data[:16])
    if head.startswith(_PNG_SIGNATURE):
        return ImageFormat.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if head.startswith(_KTX2_SIGNATURE):
        return ImageFormat.KTX2
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageFormat.WEBP
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ImageFormat.GIF
    return ImageFormat.UNKNOWN


def read_header(data: bytes | memoryview) -> ImageHeader:
    """Format and size of a PNG or JPEG; raises :class:`BadImage` if the header is damaged."""
    fmt = sniff(data)
    if fmt is ImageFormat.PNG:
        width, height = _png_size(data)
    elif fmt is ImageFormat.JPEG:
        width, height = _jpeg_size(data)
    else:
        raise BadImage(f"not a PNG or JPEG image ({fmt})")
    if width <= 0 or height <= 0:
        raise BadImage(f"the header gives a size of {width} × {height} pixels")
    return ImageHeader(fmt, width, height)


def _png_size(data: bytes | memoryview) -> tuple[int, int]:
    # Signature (8), then the IHDR chunk, which must come first: length 13, type, width, height.
    if len(data) < 8 + 8 + 13 + 4:
        raise BadImage("the PNG ends inside its header")
    length, kind, width, height = struct.unpack_from(">I4sII", data, 8)
    if kind != b"IHDR" or length != 13:
        raise BadImage("the PNG does not start with an IHDR chunk")
    bit_depth, colour_type = data[24], data[25]
    if colour_type not in (0, 2, 3, 4, 6) or bit_depth not in (1, 2, 4, 8, 16):
        raise BadImage("the PNG header has an invalid colour type or bit depth")
    if width >= 2**31 or height >= 2**31:
        raise BadImage("the PNG header gives an impossible size")
    return int(width), int(height)


def _jpeg_size(data: bytes | memoryview) -> tuple[int, int]:
    # Walk the marker segments up to the first start-of-frame; each step moves forward, so the
    # walk is linear in the header length whatever the file says.
    pos = 2
    end = len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            raise BadImage("the JPEG has a damaged marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2:
            raise BadImage("the JPEG has a damaged marker length")
        if marker in _SOF_MARKERS:
            if pos + 9 > end:
                break
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return int(width), int(height)
        if marker == 0xDA:  # start of scan before any frame header
            raise BadImage("the JPEG has no frame header")
        pos += 2 + length
    raise BadImage("the JPEG ends before its frame header")
