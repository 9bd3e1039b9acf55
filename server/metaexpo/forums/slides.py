"""Slide decks: a PDF or a picture in, pictures the hall's screen can show out, safely.

:func:`process_slides` is a plain function of picklable arguments (like the
booth model check), so the server runs it in its upload worker processes,
away from the sync tick. A PDF is opened with PDFium (pypdfium2) and every
page rendered to a JPEG whose longer side is :data:`SLIDE_SIDE` pixels; a
picture is decoded by Pillow and re-encoded the same way (which also drops
every bit of its metadata). Everything is refused with one clear problem
and nothing is kept when the file is not a PDF or picture, is damaged or
truncated, asks for a password, has too many pages, has a page of absurd
size or shape, or takes too long to render. Pages are stored
(content-addressed) only once every page has rendered.
"""

from __future__ import annotations

import io
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from metaexpo.models import store_blob

#: Longer side of a slide picture in pixels: sharp on the hall's screen and in VR.
SLIDE_SIDE = 1920
#: JPEG quality of slide pictures.
SLIDE_QUALITY = 85
#: A page's sides in PDF points: at least this (a tenth of an inch)…
MIN_PAGE_POINTS = 7.2
#: …and at most this (200 inches: the PDF format's own limit for a user unit of 1).
MAX_PAGE_POINTS = 14_400.0
#: The most elongated page or picture accepted (longer side ÷ shorter side).
MAX_ASPECT = 8.0
#: Most pixels a sent picture may declare (decompression bombs are refused before decoding).
MAX_SOURCE_PIXELS = 50_000_000
#: How long rendering one deck may take in all.
RENDER_SECONDS = 120.0

PICTURE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


@dataclass(frozen=True, slots=True)
class SlideLimits:
    """The caps of one deck."""

    max_pages: int
    render_seconds: float = RENDER_SECONDS


@dataclass(frozen=True, slots=True)
class SlidePage:
    """One stored slide picture."""

    sha256: str
    width: int
    height: int
    bytes: int

    def to_json(self) -> dict[str, Any]:
        """The stored form (a deck's ``pages``)."""
        return {
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "bytes": self.bytes,
        }


@dataclass(frozen=True, slots=True)
class SlideOutcome:
    """The verdict: the stored pages, or the one problem that refused the file."""

    pages: list[SlidePage] = field(default_factory=list)
    problem: dict[str, Any] | None = None
    kind: str = ""

    @property
    def accepted(self) -> bool:
        """Whether the deck was accepted."""
        return self.problem is None


class SlideRefused(Exception):
    """One reason to refuse a deck: ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.limit = limit

    def problem(self) -> dict[str, Any]:
        """The problem in the shape every upload refusal has."""
        return {"code": self.code, "message": self.message, "where": "file", "limit": self.limit}


def sniff(head: bytes) -> str | None:
    """``pdf``, ``picture`` or None, from a file's first bytes (never from its name)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "picture"
    return None


def _check_shape(width: float, height: float, what: str) -> None:
    longer, shorter = max(width, height), min(width, height)
    if shorter <= 0 or longer / shorter > MAX_ASPECT:
        raise SlideRefused(
            "page_size",
            f"{what} is {width:g} × {height:g}: far too narrow for a slide (at most "
            f"{MAX_ASPECT:g} times longer than wide)",
            f"aspect {MAX_ASPECT:g}",
        )


def _encode(picture: Image.Image) -> tuple[bytes, int, int]:
    rgba = picture.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.thumbnail((SLIDE_SIDE, SLIDE_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=SLIDE_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), flat.width, flat.height


def _check_complete(path: Path) -> None:
    # A PDF ends with %%EOF in its last 1,024 bytes (ISO 32000 §7.5.5); without it the file
    # was cut short, and PDFium would rebuild what it can instead of refusing it.
    size = path.stat().st_size
    with path.open("rb") as source:
        source.seek(max(0, size - 1024))
        tail = source.read()
    if b"%%EOF" not in tail:
        raise SlideRefused(
            "pdf_truncated", "the PDF is cut short (it has no end marker); upload it again"
        )


def _declares_encryption(path: Path) -> bool:
    with path.open("rb") as source:
        return any(b"/Encrypt" in chunk for chunk in iter(lambda: source.read(1 << 20), b""))


def _render_pdf(path: Path, limits: SlideLimits) -> list[tuple[bytes, int, int]]:
    import pypdfium2 as pdfium  # noqa: PLC0415 - only the worker processes load PDFium

    _check_complete(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        # PDFium's last-error code is process-wide (and stale after some failures): the
        # file's own /Encrypt entry says whether it is locked.
        if _declares_encryption(path):
            raise SlideRefused(
                "pdf_encrypted",
                "the PDF is protected by a password or encryption; export it again without "
                "protection",
            ) from None
        raise SlideRefused(
            "pdf_unreadable",
            "the file is not a PDF the server can read: it is damaged or cut short; "
            "export it again",
        ) from None
    try:
        count = len(document)
        if count == 0:
            raise SlideRefused("pdf_empty", "the PDF has no pages")
        if count > limits.max_pages:
            raise SlideRefused(
                "too_many_pages",
                f"the PDF has {count} pages; a deck may have at most {limits.max_pages}",
                f"{limits.max_pages} pages",
            )
        deadline = time.monotonic() + limits.render_seconds
        rendered = []
        for index in range(count):
            if time.monotonic() > deadline:
                raise SlideRefused(
                    "render_timeout",
                    f"rendering the PDF took longer than {limits.render_seconds:g} s (page "
                    f"{index + 1} of {count}); simplify it or send pictures",
                )
            page = document[index]
            try:
                width, height = page.get_size()
                if not (min(width, height) >= MIN_PAGE_POINTS) or max(width, height) > (
                    MAX_PAGE_POINTS
                ):
                    raise SlideRefused(
                        "page_size",
                        f"page {index + 1} is {width:g} × {height:g} points: not a slide "
                        f"(between {MIN_PAGE_POINTS:g} and {MAX_PAGE_POINTS:g} points a side)",
                        f"{MAX_PAGE_POINTS:g} points",
                    )
                _check_shape(width, height, f"page {index + 1}")
                scale = SLIDE_SIDE / max(width, height)
                bitmap = page.render(scale=scale)
                try:
                    rendered.append(_encode(bitmap.to_pil()))
                finally:
                    bitmap.close()
            except pdfium.PdfiumError:
                raise SlideRefused(
                    "pdf_unreadable",
                    f"page {index + 1} of the PDF cannot be drawn: the file is damaged",
                ) from None
            finally:
                page.close()
        return rendered
    finally:
        document.close()


def _render_picture(path: Path) -> list[tuple[bytes, int, int]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as source:
                if source.format not in PICTURE_FORMATS:
                    raise SlideRefused(
                        "not_slides", "send a PDF, or a PNG, JPEG, WebP or GIF picture"
                    )
                width, height = source.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise SlideRefused(
                        "image_too_large",
                        f"the picture is {width} × {height} pixels; at most "
                        f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels are accepted",
                        f"{MAX_SOURCE_PIXELS} pixels",
                    )
                _check_shape(width, height, "the picture")
                source.seek(0)
                picture = ImageOps.exif_transpose(source)
                picture.load()
                return [_encode(picture)]
    except SlideRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise SlideRefused(
            "image_too_large",
            f"the picture declares more than {MAX_SOURCE_PIXELS // 1_000_000} megapixels",
            f"{MAX_SOURCE_PIXELS} pixels",
        ) from None
    except UnidentifiedImageError:
        raise SlideRefused(
            "bad_image", "the picture cannot be read; send PNG, JPEG, WebP or GIF"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise SlideRefused("bad_image", "the picture is damaged or cut short") from None


def process_slides(path: Path, store_root: Path, limits: SlideLimits) -> SlideOutcome:
    """Render the deck at ``path`` and store its pages; the verdict (never raises on bad input)."""
    with path.open("rb") as source:
        kind = sniff(source.read(16))
    try:
        if kind is None:
            raise SlideRefused(
                "not_slides", "the file is neither a PDF nor a picture (PNG, JPEG, WebP, GIF)"
            )
        rendered = _render_pdf(path, limits) if kind == "pdf" else _render_picture(path)
    except SlideRefused as refused:
        return SlideOutcome(problem=refused.problem(), kind=kind or "")
    except MemoryError:
        return SlideOutcome(
            problem=SlideRefused(
                "too_complex", "the file needs too much memory to draw; simplify it"
            ).problem(),
            kind=kind or "",
        )
    pages = [
        SlidePage(store_blob(store_root, data), width, height, len(data))
        for data, width, height in rendered
    ]
    return SlideOutcome(pages=pages, kind=kind)
