"""PDFs for the slide tests, made here: real ones (Pillow draws the pages and writes the PDF)
and hostile ones written object by object."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def deck(pages: int, size: tuple[int, int] = (1280, 720)) -> bytes:
    """A real PDF of ``pages`` pages, each a different colour with its number drawn on it."""
    images = []
    for n in range(pages):
        image = Image.new("RGB", size, (40 * n % 256, 120, 200))
        draw = ImageDraw.Draw(image)
        draw.rectangle((100, 100, 100 + 80 * (n + 1), 300), fill=(255, 255, 255))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=96)
    return out.getvalue()


def hand_made(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF of the given objects (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra
    out += b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def one_page(width: float, height: float) -> bytes:
    """A PDF with one blank page of the given size in points."""
    return hand_made(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] >>" % (width, height),
        ]
    )


def encrypted() -> bytes:
    """A PDF locked with the standard security handler (no password opens it)."""
    lock = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"41" * 32 + b"> /U <" + b"42" * 32
    lock += b"> /P -4 >>"
    file_id = b"<00112233445566778899aabbccddeeff>"
    return hand_made(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            lock,
        ],
        b"/Encrypt 4 0 R /ID [" + file_id + b" " + file_id + b"] ",
    )


def page_tree_bomb(levels: int = 4, fan: int = 100) -> bytes:
    """A page tree whose nodes all share one child node: fan ** levels pages on paper."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        me = 2 + level
        kids = b" ".join([b"%d 0 R" % (me + 1)] * fan)
        parent = b"" if level == 0 else b"/Parent %d 0 R " % (me - 1)
        count = fan ** (levels - level)
        objects.append(b"<< /Type /Pages " + parent + b"/Kids [" + kids + b"] /Count %d >>" % count)
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (1 + levels))
    return hand_made(objects)
