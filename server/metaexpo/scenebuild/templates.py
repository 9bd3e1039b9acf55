"""Parametric booth models: kiosk, showcase, island, lounge and pavilion, in the booth's frame.

Each template is built once from boxes and cylinders, each piece tagged with a
colour *role* (accent, platform, screen…); a booth's mesh is the template
painted with its zone's palette, so all booths of one template and zone share
one mesh in the GLB. The frame is the catalog's: metres, y up, centred on the
booth's position, front towards +z; the booth node's rotation turns it.

The five shapes are meant to be told apart at a glance: a kiosk is a shell
booth (counter, back wall, header sign on two posts); a showcase, on the same
4 × 4 floor, is a shop front closed by coloured side walls, its back a wall of
lit shelves full of products around a screen, spotlights on a rail under the
header; an island is open on all sides (four counters around a tower whose
crown carries the name on every side); a lounge, on the island's 8 × 8 floor,
is a canopy on a slender column over sofas, plants, a round bar and a ring of
pendant lights, with a screen totem at the front; a pavilion is a roofed hall
on pillars with a screen wall and a fascia sign across its front.

A template that replaces another of the same footprint keeps its signs where
the other has them (the showcase's header is the kiosk's, the lounge's crown
the island's): the client swaps a booth's body live but keeps its sign node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import trimesh

from metaexpo.scenebuild.ao import occlude
from metaexpo.scenebuild.footprints import Footprint, footprint_of
from metaexpo.scenebuild.mesh import Part, concat
from metaexpo.scenebuild.palette import Rgba8, ZonePalette
from metaexpo.scenebuild.shapes import box_between, cylinder, shade, translation, yaw
from metaexpo.scenebuild.signs import SIGN_OFFSET, SignFace
from metaexpo.scenes import TemplateName

#: The rotation that turns +z into +y (a quarter turn about +x).
_Z_TO_Y = np.array([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=float)

Role = Literal[
    "accent", "accent_dark", "platform", "panel", "counter_top", "screen", "frame", "plant", "light"
]
Piece = tuple[trimesh.Trimesh, Role]

#: The roles in the order of their codes in the booth body's ``_ROLE`` vertex attribute, so
#: the client can repaint an exhibitor's colours and find the screens (docs/scenes.md).
ROLES: tuple[Role, ...] = (
    "accent",
    "accent_dark",
    "platform",
    "panel",
    "counter_top",
    "screen",
    "frame",
    "plant",
    "light",
)
#: The name of that attribute (application-specific attributes start with "_").
ROLE_ATTRIBUTE = "_ROLE"


@dataclass(frozen=True, slots=True)
class BoothModel:
    """A template's geometry (uncoloured, shaded, each piece with its role), sign faces and the
    floor its pieces block (in the booth's frame)."""

    name: TemplateName
    pieces: tuple[tuple[Part, Role], ...]
    sign_faces: tuple[SignFace, ...]
    #: How many pixels wide the booth's sign asks to be in the atlas.
    atlas_width: int
    obstacles: tuple[Footprint, ...]
    #: A point of open floor inside the booth (its frame), where a visitor can stand.
    inside: tuple[float, float]

    def body(self, palette: ZonePalette) -> Part:
        """The booth's mesh painted in ``palette``, each vertex labelled with its role."""
        colours: dict[Role, Rgba8] = {
            "accent": palette.accent,
            "accent_dark": palette.accent_dark,
            "platform": palette.platform,
            "panel": palette.panel,
            "counter_top": palette.counter_top,
            "screen": palette.screen,
            "frame": palette.frame,
            "plant": palette.plant,
            "light": palette.light,
        }
        return concat(
            [
                # Lamps give light rather than receive it: no shade baked into them.
                (
                    part.painted(colours[role])
                    if role == "light"
                    else occlude(part.painted(colours[role]))
                ).labelled(ROLE_ATTRIBUTE, ROLES.index(role))
                for part, role in self.pieces
            ]
        )


def _counter(
    centre_x: float, centre_z: float, width: float, depth: float, base: float
) -> list[Piece]:
    """A reception counter (body and a slightly wider top), its long side along x."""
    half_w, half_d = width / 2, depth / 2
    return [
        (
            box_between(
                (centre_x - half_w, base, centre_z - half_d),
                (centre_x + half_w, base + 1.0, centre_z + half_d),
            ),
            "accent_dark",
        ),
        (
            box_between(
                (centre_x - half_w - 0.05, base + 1.0, centre_z - half_d - 0.05),
                (centre_x + half_w + 0.05, base + 1.06, centre_z + half_d + 0.05),
            ),
            "counter_top",
        ),
    ]


def _kiosk() -> tuple[list[Piece], tuple[SignFace, ...]]:
    base = 0.08
    pieces: list[Piece] = [
        (box_between((-2.0, 0.0, -2.0), (2.0, base, 2.0)), "platform"),
        # Back wall with coloured edges and a screen.
        (box_between((-2.0, base, -2.0), (2.0, 3.1, -1.8)), "panel"),
        (box_between((-2.0, base, -1.8), (-1.7, 3.1, -1.76)), "accent"),
        (box_between((1.7, base, -1.8), (2.0, 3.1, -1.76)), "accent"),
        (box_between((-0.9, 1.4, -1.8), (0.9, 2.4, -1.76)), "screen"),
        # Two front posts carry the header; two rails tie it back to the wall.
        (box_between((-2.0, base, 1.76), (-1.88, 3.1, 1.88)), "frame"),
        (box_between((1.88, base, 1.76), (2.0, 3.1, 1.88)), "frame"),
        (box_between((-2.0, 3.1, -2.0), (-1.88, 3.22, 1.76)), "frame"),
        (box_between((1.88, 3.1, -2.0), (2.0, 3.22, 1.76)), "frame"),
        (box_between((-2.0, 3.1, 1.76), (2.0, 4.0, 2.0)), "accent"),
        *_counter(0.0, 0.9, 2.4, 0.6, base),
    ]
    sign = SignFace.upright((0.0, 3.55, 2.0 + SIGN_OFFSET), 0.0, 3.8, 0.76)
    return pieces, (sign,)


def _plant(x: float, z: float, base: float, scale: float = 1.0) -> list[Piece]:
    """A potted plant: a pot and two faceted bushes of foliage, ``scale`` times 1.5 m tall."""
    pot_r, pot_h = 0.26 * scale, 0.45 * scale
    pieces: list[Piece] = [(cylinder(pot_r, pot_h, (x, base, z), sections=8), "panel")]
    for radius, height in ((0.42, 0.85), (0.3, 1.25)):
        bush = trimesh.creation.icosphere(subdivisions=0, radius=radius * scale)
        bush.apply_transform(translation((x, base + height * scale, z)))
        pieces.append((bush, "plant"))
    return pieces


def _showcase() -> tuple[list[Piece], tuple[SignFace, ...]]:
    base = 0.08
    pieces: list[Piece] = [
        (box_between((-2.0, 0.0, -2.0), (2.0, base, 2.0)), "platform"),
        # Back wall and coloured side walls that carry the header, as a shop front.
        (box_between((-2.0, base, -2.0), (2.0, 3.1, -1.85)), "panel"),
        (box_between((-2.0, base, -1.85), (-1.88, 3.1, 2.0)), "accent"),
        (box_between((1.88, base, -1.85), (2.0, 3.1, 2.0)), "accent"),
        (box_between((-2.0, 3.1, 1.76), (2.0, 4.0, 2.0)), "accent"),
        # The screen over a low cabinet between the two shelving bays.
        (box_between((-0.7, 1.3, -1.85), (0.7, 2.3, -1.81)), "screen"),
        (box_between((-0.72, base, -1.85), (0.72, 0.9, -1.5)), "accent_dark"),
        (box_between((-0.75, 0.9, -1.87), (0.75, 0.94, -1.47)), "counter_top"),
        # A spotlight rail under the header, its lamps turned to the shelves.
        (box_between((-1.88, 3.0, 1.3), (1.88, 3.06, 1.38)), "frame"),
    ]
    for x in (-1.35, -0.45, 0.45, 1.35):
        pieces.append((cylinder(0.08, 0.2, (x, 2.8, 1.34), sections=8), "accent_dark"))
        pieces.append((cylinder(0.065, 0.02, (x, 2.78, 1.34), sections=8), "light"))
    colours: tuple[Role, ...] = ("accent", "frame", "accent_dark")
    for left in (-1.85, 0.8):
        right = left + 1.05
        # A bay: its back in the dark accent, shelves with a light strip under the front edge.
        pieces.append((box_between((left, base, -1.85), (right, 2.95, -1.83)), "accent_dark"))
        for side in (left, right - 0.04):
            pieces.append((box_between((side, base, -1.83), (side + 0.04, 2.95, -1.48)), "frame"))
        for level, y in enumerate((0.45, 0.95, 1.45, 1.95, 2.45)):
            pieces.append(
                (
                    box_between((left + 0.04, y - 0.03, -1.83), (right - 0.04, y, -1.48)),
                    "counter_top",
                )
            )
            pieces.append(
                (
                    box_between((left + 0.04, y - 0.05, -1.52), (right - 0.04, y - 0.03, -1.49)),
                    "light",
                )
            )
            for slot in range(3):
                x = left + 0.2 + slot * 0.32
                role = colours[(slot + level) % 3]
                if (slot + level) % 2:
                    pieces.append(
                        (box_between((x - 0.1, y, -1.76), (x + 0.1, y + 0.28, -1.58)), role)
                    )
                else:
                    pieces.append((cylinder(0.08, 0.24, (x, y, -1.67), sections=8), role))
    pieces += [
        # A small counter at the front right, a plinth with an exhibit and a plant at the left.
        *_counter(1.05, 1.0, 1.1, 0.5, base),
        (box_between((-1.75, base, -0.1), (-1.15, 0.9, 0.5)), "panel"),
        (cylinder(0.2, 0.36, (-1.45, 0.9, 0.2), sections=10), "accent"),
        *_plant(-1.48, 1.48, base, 0.85),
    ]
    sign = SignFace.upright((0.0, 3.55, 2.0 + SIGN_OFFSET), 0.0, 3.8, 0.76)
    return pieces, (sign,)


def _island() -> tuple[list[Piece], tuple[SignFace, ...]]:
    base = 0.1
    pieces: list[Piece] = [
        (box_between((-4.0, 0.0, -4.0), (4.0, base, 4.0)), "platform"),
        # The tower, with a screen on each side, and its crown.
        (box_between((-0.8, base, -0.8), (0.8, 5.0, 0.8)), "accent"),
        (box_between((-1.8, 5.0, -1.8), (1.8, 6.0, 1.8)), "frame"),
    ]
    faces = []
    for turn in (0.0, 90.0, 180.0, 270.0):
        # Built facing +z, then turned: the screen, a counter and the crown's face on each side.
        side: list[Piece] = [
            (box_between((-0.6, 2.2, 0.8), (0.6, 2.9, 0.84)), "screen"),
            *_counter(0.0, 3.0, 3.0, 0.6, base),
        ]
        for mesh, role in side:
            turned = mesh.copy()
            turned.apply_transform(yaw(turn))
            pieces.append((turned, role))
        faces.append(_turned_face((0.0, 5.5, 1.8 + SIGN_OFFSET), turn, 3.4, 0.85))
    return pieces, tuple(faces)


def _lounge() -> tuple[list[Piece], tuple[SignFace, ...]]:
    base = 0.1
    ring = trimesh.creation.torus(
        major_radius=2.6, minor_radius=0.07, major_sections=20, minor_sections=4
    )
    # trimesh's torus lies around +z; stand its axis up along +y, then hang it at 3.4 m.
    ring.apply_transform(translation((0.0, 3.4, 0.0)) @ _Z_TO_Y)
    pieces: list[Piece] = [
        (box_between((-4.0, 0.0, -4.0), (4.0, base, 4.0)), "platform"),
        # A canopy on one slender column; the crown under it carries the name on every side.
        (cylinder(0.22, 5.0 - base, (0.0, base, 0.0), sections=10), "frame"),
        (box_between((-1.8, 5.0, -1.8), (1.8, 5.94, 1.8), bottom=True), "frame"),
        (box_between((-3.9, 5.94, -3.9), (3.9, 6.0, 3.9), bottom=True), "panel"),
        (box_between((-3.9, 5.8, -3.9), (3.9, 5.94, -3.8), bottom=True), "accent"),
        (box_between((-3.9, 5.8, 3.8), (3.9, 5.94, 3.9), bottom=True), "accent"),
        # A ring of pendant light on four cables.
        (ring, "light"),
        *[
            (box_between((x - 0.015, 3.45, z - 0.015), (x + 0.015, 5.94, z + 0.015)), "frame")
            for x, z in ((2.6, 0.0), (-2.6, 0.0), (0.0, 2.6), (0.0, -2.6))
        ],
        # A round bar around the column.
        (cylinder(0.95, 1.0, (0.0, base, 0.0), sections=12), "accent_dark"),
        (cylinder(1.05, 0.06, (0.0, base + 1.0, 0.0), sections=12), "counter_top"),
        # Low sofas on three sides, each with a coffee table, facing the bar.
        *_sofa((-1.7, -3.7), (1.7, -2.9), "+z", base),
        *_sofa((-3.7, -1.5), (-2.9, 1.5), "+x", base),
        *_sofa((2.9, -1.5), (3.7, 1.5), "-x", base),
        (box_between((-0.6, base, -2.5), (0.6, 0.45, -2.0)), "panel"),
        (box_between((-2.5, base, -0.5), (-2.0, 0.45, 0.5)), "panel"),
        (box_between((2.0, base, -0.5), (2.5, 0.45, 0.5)), "panel"),
        # A screen totem at the front and a plant at each corner.
        (box_between((-2.6, base, 3.05), (-1.4, 2.7, 3.35)), "accent"),
        (box_between((-2.45, 1.1, 3.35), (-1.55, 2.5, 3.39)), "screen"),
        *_plant(-3.45, -3.45, base),
        *_plant(3.45, -3.45, base),
        *_plant(-3.45, 3.45, base),
        *_plant(3.45, 3.45, base),
    ]
    faces = tuple(
        _turned_face((0.0, 5.5, 1.8 + SIGN_OFFSET), turn, 3.4, 0.85)
        for turn in (0.0, 90.0, 180.0, 270.0)
    )
    return pieces, faces


def _sofa(
    low: tuple[float, float],
    high: tuple[float, float],
    facing: Literal["+z", "+x", "-x"],
    base: float,
) -> list[Piece]:
    """A low sofa on the floor rectangle ``low``–``high`` (x, z), its seat towards ``facing``
    and its back and arms in the zone's colour."""
    (x0, z0), (x1, z1) = low, high
    back, arm = 0.2, 0.15
    if facing == "+z":
        seat = ((x0 + arm, z0 + back), (x1 - arm, z1))
        rest = ((x0, z0), (x1, z0 + back))
        arms = [((x0, z0 + back), (x0 + arm, z1)), ((x1 - arm, z0 + back), (x1, z1))]
    elif facing == "+x":
        seat = ((x0 + back, z0 + arm), (x1, z1 - arm))
        rest = ((x0, z0), (x0 + back, z1))
        arms = [((x0 + back, z0), (x1, z0 + arm)), ((x0 + back, z1 - arm), (x1, z1))]
    else:
        seat = ((x0, z0 + arm), (x1 - back, z1 - arm))
        rest = ((x1 - back, z0), (x1, z1))
        arms = [((x0, z0), (x1 - back, z0 + arm)), ((x0, z1 - arm), (x1 - back, z1))]
    pieces: list[Piece] = [
        (
            box_between((seat[0][0], base, seat[0][1]), (seat[1][0], base + 0.42, seat[1][1])),
            "panel",
        ),
        (
            box_between((rest[0][0], base, rest[0][1]), (rest[1][0], base + 0.85, rest[1][1])),
            "accent",
        ),
    ]
    for (ax0, az0), (ax1, az1) in arms:
        pieces.append((box_between((ax0, base, az0), (ax1, base + 0.6, az1)), "accent"))
    return pieces


def _turned_face(
    centre: tuple[float, float, float], turn: float, width: float, height: float
) -> SignFace:
    """A face built at ``centre`` facing +z, then turned ``turn`` degrees about +y."""
    return SignFace.upright(centre, 0.0, width, height).transformed(yaw(turn))


def _pavilion() -> tuple[list[Piece], tuple[SignFace, ...]]:
    base = 0.15
    pieces: list[Piece] = [
        (box_between((-6.0, 0.0, -6.0), (6.0, base, 6.0)), "platform"),
        # Roof on four pillars, an accent cap on top, a fascia across the front for the name.
        *[
            (cylinder(0.28, 7.05, (x, base, z), sections=12), "frame")
            for x in (-5.5, 5.5)
            for z in (-5.5, 5.5)
        ],
        (box_between((-6.0, 7.2, -6.0), (6.0, 7.6, 5.7), bottom=True), "panel"),
        (box_between((-4.5, 7.6, -4.5), (4.5, 7.9, 4.5)), "accent"),
        (box_between((-6.0, 7.2, 5.7), (6.0, 9.0, 6.0), bottom=True), "accent"),
        # Screen wall at the back, low side walls, a reception counter and two exhibits.
        (box_between((-5.5, base, -5.8), (5.5, 6.2, -5.5)), "panel"),
        (box_between((-4.0, 1.2, -5.5), (4.0, 5.7, -5.46)), "screen"),
        (box_between((-5.95, base, -5.5), (-5.75, 2.4, 0.5)), "panel"),
        (box_between((5.75, base, -5.5), (5.95, 2.4, 0.5)), "panel"),
        (box_between((-5.95, 2.2, -5.5), (-5.75, 2.4, 0.5)), "accent"),
        (box_between((5.75, 2.2, -5.5), (5.95, 2.4, 0.5)), "accent"),
        *_counter(0.0, 4.0, 4.0, 0.8, base),
    ]
    for x in (-3.0, 3.0):
        pieces.append((box_between((x - 0.5, base, -0.5), (x + 0.5, base + 1.0, 0.5)), "panel"))
        pieces.append((cylinder(0.35, 0.8, (x, base + 1.0, 0.0), sections=10), "accent"))
    sign = SignFace.upright((0.0, 8.1, 6.0 + SIGN_OFFSET), 0.0, 11.4, 1.4)
    return pieces, (sign,)


_BUILDERS: dict[TemplateName, Callable[[], tuple[list[Piece], tuple[SignFace, ...]]]] = {
    "kiosk": _kiosk,
    "showcase": _showcase,
    "island": _island,
    "lounge": _lounge,
    "pavilion": _pavilion,
}
_ATLAS_WIDTHS: dict[TemplateName, int] = {
    "kiosk": 448,
    "showcase": 448,
    "island": 416,
    "lounge": 416,
    "pavilion": 896,
}
_INSIDE: dict[TemplateName, tuple[float, float]] = {
    "kiosk": (0.0, -0.6),
    "showcase": (-0.3, -0.7),
    "island": (0.0, 1.75),
    "lounge": (0.0, 2.0),
    "pavilion": (0.0, -2.5),
}


@cache
def booth_model(name: TemplateName) -> BoothModel:
    """The shaded model of template ``name`` (built once per process)."""
    pieces, faces = _BUILDERS[name]()
    shaded = tuple((shade(mesh), role) for mesh, role in pieces)
    obstacles = (footprint_of(part.positions) for part, _ in shaded)
    return BoothModel(
        name=name,
        pieces=shaded,
        sign_faces=faces,
        atlas_width=_ATLAS_WIDTHS[name],
        obstacles=tuple(found for found in obstacles if found is not None),
        inside=_INSIDE[name],
    )
