"""The sign atlas: where each sign's text goes in the one texture all signs share.

Every sign uses a single material, so the whole hall's signage costs one
texture and one material however many booths there are. The client paints the
texts into a canvas of :data:`ATLAS_SIZE` pixels (or any size with the same
shape: rectangles are given in UV units) and swaps it in as the map.

The layout is a skyline packing. Each sign asks for a width in pixels; if
everything does not fit, all requests shrink by the same factor until it does,
so adding booths to the catalog degrades resolution evenly instead of failing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from metaexpo.errors import ConfigError
from metaexpo.scenebuild.signs import Sign

#: Pixel size of the atlas the client paints (width, height); rectangles are whole pixels of it.
ATLAS_SIZE = (4096, 4096)
#: Free pixels around every rectangle, so mipmapped sampling of one sign never reaches the next.
GUTTER = 8
#: The placeholder texture embedded in the GLB is the atlas at this fraction of its size.
PLACEHOLDER_DIVISOR = 8
#: A sign shorter than this many atlas pixels could not hold a readable line of text.
MIN_SIGN_HEIGHT = 24

#: Placeholder colours (sRGB): blank panels, and the gutters between them.
PANEL_COLOUR = (236, 239, 241)
PANEL_EDGE = (207, 216, 220)
GUTTER_COLOUR = (120, 130, 140)

PixelRect = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class AtlasLayout:
    """Where each sign's rectangle lies, in atlas pixels (x0, y0, x1, y1), y down."""

    size: tuple[int, int]
    rects: dict[tuple[str, str], PixelRect]
    scale: float

    def uv_rect(self, key: tuple[str, str]) -> tuple[float, float, float, float]:
        """The rectangle of sign ``key`` in UV units [u0, v0, u1, v1], (0, 0) top-left."""
        x0, y0, x1, y1 = self.rects[key]
        width, height = self.size
        return (x0 / width, y0 / height, x1 / width, y1 / height)


def _sizes(signs: Sequence[Sign], scale: float) -> list[tuple[int, int]]:
    sizes = []
    for sign in signs:
        width = max(1, round(sign.atlas_width * scale))
        sizes.append((width, max(1, round(width / sign.aspect))))
    return sizes


def _pack(
    signs: Sequence[Sign], sizes: list[tuple[int, int]]
) -> dict[tuple[str, str], PixelRect] | None:
    """Skyline packing, tallest first: each rectangle goes where its top ends lowest (then
    leftmost). None if it does not fit in :data:`ATLAS_SIZE`."""
    atlas_w, atlas_h = ATLAS_SIZE
    order = sorted(range(len(signs)), key=lambda i: (-sizes[i][1], -sizes[i][0], signs[i].key))
    # The skyline: (x, y) steps from left to right; each step runs to the next one's x.
    skyline: list[tuple[int, int]] = [(0, 0)]
    rects: dict[tuple[str, str], PixelRect] = {}
    for i in order:
        cell_w, cell_h = sizes[i][0] + GUTTER, sizes[i][1] + GUTTER
        best: tuple[int, int, int] | None = None  # (top, x, y)
        for start, (x, _) in enumerate(skyline):
            if x + cell_w > atlas_w:
                break
            # The cell rests on the highest step it spans.
            y = max(step_y for step_x, step_y in skyline[start:] if step_x < x + cell_w)
            if y + cell_h <= atlas_h and (best is None or (y + cell_h, x) < best[:2]):
                best = (y + cell_h, x, y)
        if best is None:
            return None
        top, x, y = best
        rects[signs[i].key] = (
            x + GUTTER // 2,
            y + GUTTER // 2,
            x + GUTTER // 2 + sizes[i][0],
            y + GUTTER // 2 + sizes[i][1],
        )
        skyline = _raise(skyline, x, x + cell_w, top)
    return rects


def _raise(skyline: list[tuple[int, int]], x0: int, x1: int, y: int) -> list[tuple[int, int]]:
    """The skyline with the span [x0, x1) raised to height ``y``."""
    below = [step for step in skyline if step[0] < x0]
    # The height that resumes at x1 is that of the last step starting at or before x1.
    resume = max((step for step in skyline if step[0] <= x1), key=lambda step: step[0])[1]
    above = [step for step in skyline if step[0] > x1]
    merged = [*below, (x0, y)]
    if x1 < ATLAS_SIZE[0] and not (above and above[0][0] == x1):
        merged.append((x1, resume))
    merged.extend(above)
    # Drop steps that do not change the height.
    tidy = [merged[0]]
    for step in merged[1:]:
        if step[1] != tidy[-1][1]:
            tidy.append(step)
    return tidy


def layout_atlas(signs: Sequence[Sign]) -> AtlasLayout:
    """Place every sign in the atlas, each at the largest common scale (≤ 1) that fits.

    Raises ConfigError if the signs are so many that one would be shorter than
    :data:`MIN_SIGN_HEIGHT` pixels.
    """
    keys = [sign.key for sign in signs]
    if len(set(keys)) != len(keys):
        raise ValueError("two signs share a (kind, id)")
    packed = _pack(signs, _sizes(signs, 1.0))
    if packed is not None:
        return AtlasLayout(ATLAS_SIZE, packed, 1.0)
    low, high = 0.0, 1.0
    best: tuple[float, dict[tuple[str, str], PixelRect]] | None = None
    for _ in range(24):  # bisection to about 1e-7: deterministic and plenty
        middle = (low + high) / 2.0
        packed = _pack(signs, _sizes(signs, middle))
        if packed is None:
            high = middle
        else:
            low, best = middle, (middle, packed)
    if best is None or min(y1 - y0 for _, y0, _, y1 in best[1].values()) < MIN_SIGN_HEIGHT:
        raise ConfigError(
            f"{len(signs)} signs do not fit the {ATLAS_SIZE[0]}×{ATLAS_SIZE[1]} sign atlas at a "
            "readable size; split the hall or give signs less room"
        )
    return AtlasLayout(ATLAS_SIZE, best[1], best[0])


def placeholder_png(layout: AtlasLayout) -> bytes:
    """The atlas texture embedded in the GLB: a real, intentionally neutral image.

    Each sign's rectangle is a blank light panel with a faint edge and the
    gutters are grey, so a client that has not painted its texts yet (or
    cannot) shows tidy empty panels rather than noise. It is small (an eighth
    of the atlas in each direction) because the client replaces it anyway.
    """
    width, height = (side // PLACEHOLDER_DIVISOR for side in layout.size)
    image = Image.new("RGB", (width, height), GUTTER_COLOUR)
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in sorted(layout.rects.values()):
        box = (
            x0 // PLACEHOLDER_DIVISOR,
            y0 // PLACEHOLDER_DIVISOR,
            -(-x1 // PLACEHOLDER_DIVISOR) - 1,
            -(-y1 // PLACEHOLDER_DIVISOR) - 1,
        )
        draw.rectangle(box, fill=PANEL_COLOUR, outline=PANEL_EDGE)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=9)
    return out.getvalue()
