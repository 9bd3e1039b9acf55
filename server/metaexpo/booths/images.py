"""Logos, posters and screen images: decoded safely at reduced size, re-encoded by the server,
metadata gone.

Whatever an exhibitor sends (PNG, JPEG, WebP or GIF), the hall serves a
fresh file the server wrote: a logo as PNG (transparency kept) at most
1024 px on its longer side, a poster or a screen image (one picture of the
booth screen's slideshow) as JPEG at most 2048 px. Turning by
the EXIF orientation is applied to the pixels, then every piece of
metadata (EXIF with its GPS position, XMP, ICC profiles, comments) is left
behind, because only the pixels are copied into the new file.

Decoding is where a small file costs a lot of memory (a 162 KB single-colour
PNG of 7070 × 7070 pixels decodes to 200 MB, and every copy costs as much
again), so the size is checked from the header before any pixel is decoded,
twice: the header may declare at most :data:`MAX_DECLARED_PIXELS`, and the
image as it will be decoded at most :data:`MAX_DECODED_PIXELS`. A JPEG is
decoded at 1/2, 1/4 or 1/8 of its size whenever that still covers the
rendition (the decoder scales while decoding), so a phone photo costs a few
megapixels; other formats are decoded whole, so they get the lower cap.
The decoded picture is shrunk first and copied after, so the peak stays
near one decoded picture. :func:`reencode` is a plain function of picklable
arguments: the server runs it in the upload worker process, never in its own.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from metaexpo.errors import Invalid

#: Most pixels a sent picture's header may declare (a 48-megapixel phone photo, as JPEG, fits).
MAX_DECLARED_PIXELS = 50_000_000
#: Most pixels decoded for one picture (4096 × 4096): about 64 MB in memory, decoded once.
MAX_DECODED_PIXELS = 4096 * 4096
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


class ImageRole(StrEnum):
    """Which picture of the booth."""

    LOGO = "logo"
    POSTER = "poster"
    SCREEN = "screen image"


@dataclass(frozen=True, slots=True)
class Rendition:
    """How one role is stored: longest side in pixels and the output format."""

    max_side: int
    format: str


RENDITIONS = {
    ImageRole.LOGO: Rendition(1024, "PNG"),
    ImageRole.POSTER: Rendition(2048, "JPEG"),
    ImageRole.SCREEN: Rendition(2048, "JPEG"),
}


def _refuse(message: str, code: str, limit: str | None = None) -> Invalid:
    return Invalid(message, [{"code": code, "message": message, "where": "file", "limit": limit}])


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}"


def _check_size(declared: tuple[int, int], source: Image.Image, role: ImageRole) -> None:
    """Refuse a picture that would cost too much to decode, from its header alone.

    ``declared`` is the size the header gives; ``source.size``, after
    :meth:`Image.Image.draft`, the size the decoder will produce.
    """
    width, height = declared
    if width * height > MAX_DECLARED_PIXELS:
        raise _refuse(
            f"the {role} is {width} × {height} pixels; at most "
            f"{MAX_DECLARED_PIXELS // 1_000_000} megapixels are accepted: scale it down",
            "image_too_large",
            f"{MAX_DECLARED_PIXELS} pixels",
        )
    decoded = source.width * source.height
    if decoded <= MAX_DECODED_PIXELS:
        return
    side = int(MAX_DECODED_PIXELS**0.5)
    if source.format == "JPEG":
        message = (
            f"the {role} is {width} × {height} pixels; even read at reduced size it needs "
            f"{_megapixels(decoded)} megapixels, more than the {_megapixels(MAX_DECODED_PIXELS)} "
            f"a {role} may take: scale it down (at most {side} × {side}, say)"
        )
    else:
        message = (
            f"the {role} is {width} × {height} pixels ({_megapixels(width * height)} "
            f"megapixels); a {role} in PNG, WebP or GIF may have at most "
            f"{_megapixels(MAX_DECODED_PIXELS)} megapixels ({side} × {side}, say): scale it "
            "down, or send it as a JPEG"
        )
    raise _refuse(message, "image_too_large", f"{MAX_DECODED_PIXELS} pixels decoded")


def open_reduced(source: Image.Image, role: ImageRole) -> Image.Image:
    """Set up ``source`` (opened, nothing decoded yet) to decode at the smallest size that still
    covers the role's rendition, and check that size; :class:`Invalid` when it is too large.

    Only JPEG decoders can scale while decoding (``draft``); for other
    formats the decoded size is the declared one.
    """
    declared = source.size
    source.draft(None, _fitted(declared, RENDITIONS[role].max_side))
    _check_size(declared, source, role)
    return source


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """``size`` shrunk (never grown) to fit a ``side`` × ``side`` box, keeping its shape."""
    width, height = size
    scale = min(1.0, side / max(width, height, 1))
    return max(1, int(width * scale)), max(1, int(height * scale))


def reencode(path: Path, role: ImageRole) -> bytes:
    """The picture at ``path`` as the bytes the server stores for ``role``.

    Raises :class:`Invalid` (with one problem) for anything that is not a
    readable picture of an accepted format and size.
    """
    rendition = RENDITIONS[role]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as source:
                if source.format not in ACCEPTED_FORMATS:
                    raise _refuse(
                        f"a {source.format or 'unknown'} picture cannot be used; send PNG, JPEG, "
                        "WebP or GIF",
                        "unsupported_image_format",
                    )
                source.seek(0)  # the first frame of an animation
                picture = _shrunk(open_reduced(source, role), rendition)
    except Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            "the file is not a picture the server can read; send PNG, JPEG, WebP or GIF",
            "bad_image",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _refuse("the picture is damaged or cut short; export it again", "bad_image") from None
    return _encode(picture, rendition)


def _shrunk(source: Image.Image, rendition: Rendition) -> Image.Image:
    """The decoded picture at its rendition's size, turned upright (the big one is let go)."""
    source.load()
    # Palette and other modes are resampled only by NEAREST: widen them first.
    picture = source if source.mode in ("RGB", "RGBA") else source.convert("RGBA")
    picture.thumbnail((rendition.max_side, rendition.max_side), Image.Resampling.LANCZOS)
    # The orientation tag travels in ``info``, which shrinking keeps.
    return ImageOps.exif_transpose(picture)


def _encode(picture: Image.Image, rendition: Rendition) -> bytes:
    if rendition.format == "PNG":
        # Copying pixels into a new image is what drops every bit of metadata.
        converted = picture.convert("RGBA")
    else:
        rgba = picture.convert("RGBA")
        converted = Image.new("RGB", rgba.size, (255, 255, 255))
        converted.paste(rgba, mask=rgba.getchannel("A"))
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    out = io.BytesIO()
    if rendition.format == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
