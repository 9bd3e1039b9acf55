"""Parametric booth models: kiosk, island and pavilion, in the booth's own frame.

Each template is built once from boxes and cylinders, each piece tagged with a
colour *role* (accent, platform, screen…); a booth's mesh is the template
painted with its zone's palette, so all booths of one template and zone share
one mesh in the GLB. The frame is the catalog's: metres, y up, centred on the
booth's position, front towards +z; the booth node's rotation turns it.

The three shapes are meant to be told apart at a glance: a kiosk is a shell
booth (counter, back wall, header sign on two posts); an island is open on all
sides (four counters around a tower whose crown carries the name on every
side); a pavilion is a roofed hall on pillars with a screen wall and a fascia
sign across its front.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import trimesh

from metaexpo.scenebuild.ao import occlude
from metaexpo.scenebuild.footprints import Footprint, footprint_of
from metaexpo.scenebuild.mesh import Part, concat
from metaexpo.scenebuild.palette import Rgba8, ZonePalette
from metaexpo.scenebuild.shapes import box_between, cylinder, shade, yaw
from metaexpo.scenebuild.signs import SIGN_OFFSET, SignFace
from metaexpo.scenes import TemplateName

Role = Literal["accent", "accent_dark", "platform", "panel", "counter_top", "screen", "frame"]
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
        }
        return concat(
            [
                occlude(part.painted(colours[role])).labelled(ROLE_ATTRIBUTE, ROLES.index(role))
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
    "island": _island,
    "pavilion": _pavilion,
}
_ATLAS_WIDTHS: dict[TemplateName, int] = {"kiosk": 448, "island": 416, "pavilion": 896}
_INSIDE: dict[TemplateName, tuple[float, float]] = {
    "kiosk": (0.0, -0.6),
    "island": (0.0, 1.75),
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
