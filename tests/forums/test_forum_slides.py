"""Slide decks: PDFs and pictures become JPEG pages; hostile or broken files are refused with
one clear problem and nothing is kept."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from metaexpo.forums.slides import SLIDE_SIDE, SlideLimits, process_slides
from tests.forums.pdfs import deck, encrypted, one_page, page_tree_bomb

LIMITS = SlideLimits(max_pages=5)


def run(tmp_path: Path, data: bytes, limits: SlideLimits = LIMITS) -> tuple[object, Path]:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    store = tmp_path / "assets"
    return process_slides(path, store, limits), store


def stored(store: Path) -> list[Path]:
    objects = store / "objects"
    return [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []


def test_every_pdf_page_becomes_a_jpeg_1920_px_wide(tmp_path: Path) -> None:
    outcome, store = run(tmp_path, deck(3))
    assert outcome.accepted and outcome.kind == "pdf"  # type: ignore[attr-defined]
    pages = outcome.pages  # type: ignore[attr-defined]
    assert len(pages) == 3 and len({p.sha256 for p in pages}) == 3
    for page in pages:
        (path,) = [p for p in stored(store) if p.parent.name + p.name == page.sha256]
        with Image.open(path) as picture:
            assert picture.format == "JPEG"
            assert picture.size == (page.width, page.height)
            assert max(picture.size) == SLIDE_SIDE and picture.size[1] == 1080


def test_a_picture_becomes_a_one_page_deck_without_its_metadata(tmp_path: Path) -> None:
    image = Image.new("RGB", (800, 600), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    outcome, store = run(tmp_path, out.getvalue())
    assert outcome.accepted and outcome.kind == "picture"  # type: ignore[attr-defined]
    (path,) = stored(store)
    assert b"SecretCam" not in path.read_bytes()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "not_slides"),
        (b"%PDF-1.7\n" + b"\x00" * 2000 + b"%%EOF\n", "pdf_unreadable"),
        (deck(2)[:-600], "pdf_truncated"),
        (encrypted(), "pdf_encrypted"),
        (one_page(200_000, 300), "page_size"),
        (one_page(1, 1), "page_size"),
        (one_page(14_000, 100), "page_size"),
        (page_tree_bomb(), "pdf_unreadable"),
        (deck(6), "too_many_pages"),
        (b"GIF89a" + b"\x00" * 30, "bad_image"),
    ],
    ids=[
        "html",
        "garbage-pdf",
        "truncated",
        "encrypted",
        "page-200000-pt",
        "page-1-pt",
        "page-140-to-1",
        "page-tree-bomb",
        "too-many-pages",
        "broken-gif",
    ],
)
def test_hostile_or_broken_files_are_refused_and_nothing_is_kept(
    tmp_path: Path, data: bytes, code: str
) -> None:
    outcome, store = run(tmp_path, data)
    assert not outcome.accepted  # type: ignore[attr-defined]
    problem = outcome.problem  # type: ignore[attr-defined]
    assert problem["code"] == code, problem
    assert problem["message"] and problem["where"] == "file"
    assert stored(store) == []


def test_a_picture_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    # A PNG whose header declares 100,000 × 100,000 pixels (10 gigapixels) and holds none.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))
    outcome, store = run(tmp_path, png + chunk(b"IEND", b""))
    assert outcome.problem["code"] == "image_too_large"  # type: ignore[attr-defined]
    assert stored(store) == []


def test_rendering_that_runs_out_of_time_keeps_nothing(tmp_path: Path) -> None:
    outcome, store = run(tmp_path, deck(3), SlideLimits(max_pages=5, render_seconds=0.0))
    assert outcome.problem["code"] == "render_timeout"  # type: ignore[attr-defined]
    assert stored(store) == []
