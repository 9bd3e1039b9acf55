"""Logos and posters: decoded safely, re-encoded by the server, capped in size, metadata gone.

Whatever an exhibitor sends (PNG, JPEG, WebP or GIF), the hall serves a
fresh file the server wrote: a logo as PNG (transparency kept) at most
1024 px on its longer side, a poster as JPEG at most 2048 px. Turning by
the EXIF orientation is applied to the pixels, then every piece of
metadata (EXIF with its GPS position, XMP, ICC profiles, comments) is left
behind, because only the pixels are copied into the new file. Pictures are
refused before decoding when their header claims more pixels than allowed
(decompression bombs).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from metaexpo.errors import Invalid

#: Most pixels a sent picture may declare (a 48-megapixel camera photo fits).
MAX_SOURCE_PIXELS = 50_000_000
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


class ImageRole(StrEnum):
    """Which picture of the booth."""

    LOGO = "logo"
    POSTER = "poster"


@dataclass(frozen=True, slots=True)
class Rendition:
    """How one role is stored: longest side in pixels and the output format."""

    max_side: int
    format: str


RENDITIONS = {
    ImageRole.LOGO: Rendition(1024, "PNG"),
    ImageRole.POSTER: Rendition(2048, "JPEG"),
}


def _refuse(message: str, code: str, limit: str | None = None) -> Invalid:
    return Invalid(message, [{"code": code, "message": message, "where": "file", "limit": limit}])


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
                width, height = source.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise _refuse(
                        f"the picture is {width} × {height} pixels; at most "
                        f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels are accepted",
                        "image_too_large",
                        f"{MAX_SOURCE_PIXELS} pixels",
                    )
                source.seek(0)  # the first frame of an animation
                picture = ImageOps.exif_transpose(source)
                picture.load()
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
    clean.thumbnail((rendition.max_side, rendition.max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if rendition.format == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
