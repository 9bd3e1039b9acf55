"""The hall's colours: fixed neutrals plus shades derived from each zone's catalog colour.

Colours are written as sRGB hex, the way designers pick them, and converted
to the linear RGBA8 that glTF vertex colours (``COLOR_0``) hold. Each zone's
colour tints its floor and paints the accents of its booths, so a visitor can
tell the zones apart from across the hall.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.avatars.colours import hex_to_linear

Rgba8 = tuple[int, int, int, int]

#: Floors and fixed parts of the hall (sRGB hex).
AVENUE = "#dfe2e4"
PLAZA = "#efe8da"
PLAZA_INLAY = "#b89a5e"
FORUM_FLOOR = "#34405a"
FORUM_AISLE = "#55627d"
STAGE = "#2b303b"
STAGE_EDGE = "#c9a227"
WALL = "#eef0ee"
PLINTH = "#4a545e"
COLUMN = "#cfd6dc"
CEILING = "#f3f5f7"
CEILING_EDGE = "#dde3e8"
STEEL = "#aab4bd"
PORTAL = "#1f3b57"
INFO_WALL = "#f5f6f4"
SEAT = "#2c4a7c"
SEAT_BACK = "#8a5a3b"
SEAT_FRAME = "#3b4450"
SCREEN = "#10161f"
FRAME = "#fafafa"
CABLE = "#78909c"
ACOUSTIC = "#3a4a63"
#: Booth foliage and the warm white of lamps, shelf strips and light rings.
PLANT = "#4f8a4b"
LAMP = "#fff1cf"

WHITE = "#ffffff"
BLACK = "#000000"


def mix_srgb(colour: str, other: str, amount: float) -> str:
    """``colour`` moved ``amount`` (0..1) of the way towards ``other``, in sRGB hex."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(x + (y - x) * amount) for x, y in zip(a, b, strict=True)]
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def rgba8(colour: str) -> Rgba8:
    """An opaque sRGB hex colour as the linear RGBA8 stored in ``COLOR_0``."""
    r, g, b = hex_to_linear(colour)
    return (round(r * 255), round(g * 255), round(b * 255), 255)


@dataclass(frozen=True, slots=True)
class ZonePalette:
    """The shades a zone's booths and floor use, all derived from the zone's colour."""

    accent: Rgba8
    accent_dark: Rgba8
    floor: Rgba8
    platform: Rgba8
    panel: Rgba8
    counter_top: Rgba8
    screen: Rgba8
    frame: Rgba8
    plant: Rgba8
    light: Rgba8


def zone_palette(colour: str) -> ZonePalette:
    """The palette for a zone whose catalog colour is ``colour`` (``#rrggbb``)."""
    return ZonePalette(
        accent=rgba8(colour),
        accent_dark=rgba8(mix_srgb(colour, BLACK, 0.35)),
        floor=rgba8(mix_srgb(colour, WHITE, 0.62)),
        platform=rgba8(mix_srgb(colour, WHITE, 0.85)),
        panel=rgba8("#f4f5f2"),
        counter_top=rgba8("#dfe3e6"),
        screen=rgba8(SCREEN),
        frame=rgba8(FRAME),
        plant=rgba8(PLANT),
        light=rgba8(LAMP),
    )
