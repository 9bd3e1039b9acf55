"""The hall as a building: walls with a glass curtain above them, columns, a roof on steel
trusses with skylights and light strips, the main entrance with the expo's title, and the
plaza's info wall.

Every function returns :class:`~metaexpo.scenebuild.footprints.Solids` in hall
coordinates (metres, y up), each piece tagged with its material and recording
the floor it blocks, plus the signs it carries; :mod:`metaexpo.scenebuild.hall`
merges the pieces into the "architecture" node.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild import palette
from metaexpo.scenebuild.footprints import Footprint, Solids
from metaexpo.scenebuild.materials import GLASS, GLOW, METAL
from metaexpo.scenebuild.mesh import Part
from metaexpo.scenebuild.palette import rgba8
from metaexpo.scenebuild.shapes import box_between, shade, solid, standing, translation, yaw
from metaexpo.scenebuild.signs import SIGN_OFFSET, Sign, SignFace
from metaexpo.scenes import Hall, InfoWall
from metaexpo.scenes.geometry import Rect
from metaexpo.scenes.schema import INFO_WALL_THICKNESS

#: The solid lower wall: height and thickness (m); glass rises above it to the roof.
WALL_HEIGHT = 4.5
WALL_THICKNESS = 0.4
#: How far the walls stand inside the hall's edge (the columns' outer faces), in metres.
WALL_INSET = 0.1
#: Columns along the walls: side and spacing (m).
COLUMN_SIDE = 0.8
COLUMN_SPACING = 32.0
#: The ceiling's height (m): above the avatars' head room (the hall's height) and the signs.
ROOF_Y = 20.0
#: Skylight lanterns rise this far above the ceiling.
LANTERN_RISE = 1.4
#: Roof trusses: spacing along z, depth and width (m).
TRUSS_SPACING = 16.0
TRUSS_DEPTH = 1.1
TRUSS_WIDTH = 0.35
#: Vertical mullions of the curtain wall, every so many metres.
MULLION_SPACING = 8.0
#: The main entrance: half its opening's width, its portal's height.
ENTRANCE_HALF = 10.0
ENTRANCE_TOP = 11.5


def _quad(corners: list[tuple[float, float, float]], normal: tuple[float, float, float]) -> Part:
    """A flat quad (corners counter-clockwise seen from the side ``normal`` points to)."""
    return Part(
        positions=np.array(corners, dtype=np.float64),
        normals=np.tile(np.array(normal, dtype=np.float64), (4, 1)),
        indices=np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int64),
    )


def _stations(low: float, high: float, spacing: float) -> list[float]:
    """Evenly spaced positions from ``low`` to ``high``, about ``spacing`` apart."""
    count = max(1, math.ceil((high - low) / spacing))
    return [round(low + (high - low) * i / count, 6) for i in range(count + 1)]


def skylights(hall: Hall) -> list[Rect]:
    """The roof's openings: an atrium over the plaza and long strips over the avenues."""
    x0, _, z0 = hall.bounds_min
    x1, _, z1 = hall.bounds_max
    lights = [Rect(x=(-22.0, 22.0), z=(-22.0, 22.0))]
    # Over the avenues between the rows of zones (the built-in layout's z = ±40), end to end,
    # and across the top and bottom rows (x = -64, 0, 64).
    for z in (-40.0, 40.0):
        if z0 + 8 < z < z1 - 8:
            lights.append(Rect(x=(x0 + 6.0, x1 - 6.0), z=(z - 2.5, z + 2.5)))
    for x in (-64.0, 0.0, 64.0):
        if x0 + 8 < x < x1 - 8:
            lights.append(Rect(x=(x - 2.5, x + 2.5), z=(z0 + 6.0, -44.0)))
            lights.append(Rect(x=(x - 2.5, x + 2.5), z=(44.0, z1 - 6.0)))
    return lights


def perimeter(hall: Hall) -> Solids:
    """Solid walls around the hall (with the entrance's opening in the south wall), a glass
    curtain above them to the roof, mullions, and columns along them."""
    x0, _, z0 = hall.bounds_min
    x1, _, z1 = hall.bounds_max
    t, c, i = WALL_THICKNESS, COLUMN_SIDE, WALL_INSET
    solids = Solids()
    wall, plinth = rgba8(palette.WALL), rgba8(palette.PLINTH)
    gap = (-ENTRANCE_HALF, ENTRANCE_HALF)
    runs = [
        ((x0 + i, z0 + i), (x1 - i, z0 + i + t)),
        ((x0 + i, z1 - i - t), (gap[0], z1 - i)),
        ((gap[1], z1 - i - t), (x1 - i, z1 - i)),
        ((x0 + i, z0 + i + t), (x0 + i + t, z1 - i - t)),
        ((x1 - i - t, z0 + i + t), (x1 - i, z1 - i - t)),
    ]
    for (ax, az), (bx, bz) in runs:
        solids.add(solid(standing(box_between((ax, 0.0, az), (bx, WALL_HEIGHT, bz))), wall))
        # A dark plinth along the wall's foot, 2 cm proud of it.
        solids.add(
            solid(box_between((ax - 0.02, 0.0, az - 0.02), (bx + 0.02, 0.3, bz + 0.02)), plinth)
        )
    # The glass curtain from the wall's top to the roof, facing in.
    top, low = ROOF_Y, WALL_HEIGHT
    gi = i + t / 2
    glass = [
        _quad(
            [
                (x0 + gi, low, z0 + gi),
                (x1 - gi, low, z0 + gi),
                (x1 - gi, top, z0 + gi),
                (x0 + gi, top, z0 + gi),
            ],
            (0.0, 0.0, 1.0),
        ),
        _quad(
            [
                (x1 - gi, low, z1 - gi),
                (x0 + gi, low, z1 - gi),
                (x0 + gi, top, z1 - gi),
                (x1 - gi, top, z1 - gi),
            ],
            (0.0, 0.0, -1.0),
        ),
        _quad(
            [
                (x0 + gi, low, z1 - gi),
                (x0 + gi, low, z0 + gi),
                (x0 + gi, top, z0 + gi),
                (x0 + gi, top, z1 - gi),
            ],
            (1.0, 0.0, 0.0),
        ),
        _quad(
            [
                (x1 - gi, low, z0 + gi),
                (x1 - gi, low, z1 - gi),
                (x1 - gi, top, z1 - gi),
                (x1 - gi, top, z0 + gi),
            ],
            (-1.0, 0.0, 0.0),
        ),
    ]
    for pane in glass:
        solids.add(pane.painted(rgba8(palette.WHITE)), material=GLASS)
    # Mullions just inside the glass, and a transom halfway up.
    steel = rgba8(palette.STEEL)
    m, d = 0.12, 0.22
    inner = i + t + 0.02
    for x in _stations(x0 + c, x1 - c, MULLION_SPACING):
        for z_face, sign in ((z0 + inner, 1), (z1 - inner, -1)):
            zz = sorted((z_face, z_face + sign * d))
            solids.add(
                solid(box_between((x - m / 2, low, zz[0]), (x + m / 2, top, zz[1])), steel),
                material=METAL,
            )
    for z in _stations(z0 + c, z1 - c, MULLION_SPACING):
        for x_face, sign in ((x0 + inner, 1), (x1 - inner, -1)):
            xx = sorted((x_face, x_face + sign * d))
            solids.add(
                solid(box_between((xx[0], low, z - m / 2), (xx[1], top, z + m / 2)), steel),
                material=METAL,
            )
    transom = (low + top) / 2
    for a, b in (
        ((x0 + inner, z0 + inner), (x1 - inner, z0 + inner + d)),
        ((x0 + inner, z1 - inner - d), (x1 - inner, z1 - inner)),
        ((x0 + inner, z0 + inner), (x0 + inner + d, z1 - inner)),
        ((x1 - inner - d, z0 + inner), (x1 - inner, z1 - inner)),
    ):
        solids.add(
            solid(
                box_between((a[0], transom, a[1]), (b[0], transom + 0.18, b[1]), bottom=True), steel
            ),
            material=METAL,
        )
    # Columns carry the roof.
    column = rgba8(palette.COLUMN)
    column_part = shade(standing(box_between((-c / 2, 0.0, -c / 2), (c / 2, ROOF_Y, c / 2))))
    spots: set[tuple[float, float]] = set()
    for x in _stations(x0 + c / 2, x1 - c / 2, COLUMN_SPACING):
        spots.update({(x, z0 + c / 2), (x, z1 - c / 2)})
    for z in _stations(z0 + c / 2, z1 - c / 2, COLUMN_SPACING):
        spots.update({(x0 + c / 2, z), (x1 - c / 2, z)})
    for x, z in sorted(spots):
        if abs(x) < ENTRANCE_HALF + c and z > 0:
            continue  # the entrance's portal stands there
        solids.add(column_part.transformed(translation((x, 0.0, z))).painted(column))
    return solids


def roof(hall: Hall) -> Solids:
    """The ceiling (facing down) with skylight lanterns cut into it, steel trusses across the
    hall and a light strip under each truss."""
    x0, _, z0 = hall.bounds_min
    x1, _, z1 = hall.bounds_max
    solids = Solids()
    lights = skylights(hall)
    xs = sorted({x0, x1} | {e for r in lights for e in r.x})
    zs = sorted({z0, z1} | {e for r in lights for e in r.z})
    ceiling = rgba8(palette.CEILING)
    for (ax, bx), (az, bz) in itertools.product(itertools.pairwise(xs), itertools.pairwise(zs)):
        centre = ((ax + bx) / 2, (az + bz) / 2)
        if any(r.contains_point(centre) for r in lights):
            continue
        # Counter-clockwise seen from below.
        quad = _quad(
            [(ax, ROOF_Y, az), (bx, ROOF_Y, az), (bx, ROOF_Y, bz), (ax, ROOF_Y, bz)],
            (0.0, -1.0, 0.0),
        )
        solids.add(quad.painted(ceiling))
    lantern = rgba8(palette.CEILING_EDGE)
    top = ROOF_Y + LANTERN_RISE
    for r in lights:
        (ax, bx), (az, bz) = r.x, r.z
        solids.add(
            _quad(
                [(ax, top, bz), (bx, top, bz), (bx, top, az), (ax, top, az)], (0.0, -1.0, 0.0)
            ).painted(rgba8(palette.WHITE)),
            material=GLASS,
        )
        # The lantern's sides, facing into the opening.
        for corners, normal in (
            ([(ax, ROOF_Y, az), (ax, top, az), (bx, top, az), (bx, ROOF_Y, az)], (0.0, 0.0, 1.0)),
            ([(bx, ROOF_Y, bz), (bx, top, bz), (ax, top, bz), (ax, ROOF_Y, bz)], (0.0, 0.0, -1.0)),
            ([(ax, ROOF_Y, bz), (ax, top, bz), (ax, top, az), (ax, ROOF_Y, az)], (1.0, 0.0, 0.0)),
            ([(bx, ROOF_Y, az), (bx, top, az), (bx, top, bz), (bx, ROOF_Y, bz)], (-1.0, 0.0, 0.0)),
        ):
            solids.add(_quad(corners, normal).painted(lantern))
    steel = rgba8(palette.STEEL)
    for z in _stations(z0 + TRUSS_SPACING / 2, z1 - TRUSS_SPACING / 2, TRUSS_SPACING):
        w = TRUSS_WIDTH / 2
        bottom = ROOF_Y - TRUSS_DEPTH
        # Top and bottom chords with a web plate between: reads as a truss from below.
        solids.add(
            solid(box_between((x0, bottom, z - w), (x1, bottom + 0.18, z + w), bottom=True), steel),
            material=METAL,
        )
        solids.add(
            solid(box_between((x0, bottom + 0.18, z - 0.04), (x1, ROOF_Y, z + 0.04)), steel),
            material=METAL,
        )
        solids.add(
            solid(
                box_between((x0, bottom - 0.06, z - 0.12), (x1, bottom, z + 0.12), bottom=True),
                rgba8(palette.WHITE),
            ),
            material=GLOW,
        )
    return solids


@dataclass(frozen=True, slots=True)
class EntrancePieces:
    """The main entrance's portal, doors and title sign."""

    body: Solids
    sign: Sign


def entrance(hall: Hall) -> EntrancePieces:
    """The main entrance in the middle of the south wall: glass doors in steel frames, two
    pylons and a lintel carrying the expo's title, read from the plaza."""
    z_wall = hall.bounds_max[2] - WALL_INSET - WALL_THICKNESS
    solids = Solids()
    steel = rgba8(palette.STEEL)
    half = ENTRANCE_HALF
    # Doors: glass between steel frames, every 2.5 m, a steel head above them.
    door_top = 3.6
    solids.add(
        _quad(
            [
                (half, 0.0, z_wall + 0.2),
                (-half, 0.0, z_wall + 0.2),
                (-half, door_top, z_wall + 0.2),
                (half, door_top, z_wall + 0.2),
            ],
            (0.0, 0.0, -1.0),
        ).painted(rgba8(palette.WHITE)),
        material=GLASS,
        footprint=Footprint.rect(-half, z_wall, half, z_wall + 0.4),
    )
    for x in _stations(-half, half, 2.5):
        solids.add(
            solid(
                box_between((x - 0.06, 0.0, z_wall + 0.1), (x + 0.06, door_top, z_wall + 0.3)),
                steel,
            ),
            material=METAL,
        )
    solids.add(
        solid(
            box_between((-half, door_top, z_wall), (half, WALL_HEIGHT, z_wall + 0.4)),
            rgba8(palette.WALL),
        )
    )
    # The portal: pylons either side and a deep lintel with the title on its inner face.
    p = 1.6
    depth = 2.4
    front = z_wall - depth
    pylon = rgba8(palette.PORTAL)
    for x in (-half - p, half):
        solids.add(
            solid(standing(box_between((x, 0.0, front), (x + p, ENTRANCE_TOP, z_wall))), pylon)
        )
    lintel_low = ENTRANCE_TOP - 3.4
    solids.add(
        solid(
            box_between((-half, lintel_low, front), (half, ENTRANCE_TOP, z_wall), bottom=True),
            pylon,
        )
    )
    # A warm light strip along the lintel's underside.
    solids.add(
        solid(
            box_between(
                (-half + 0.5, lintel_low - 0.08, front + 0.4),
                (half - 0.5, lintel_low, front + 0.7),
                bottom=True,
            ),
            rgba8(palette.WHITE),
        ),
        material=GLOW,
    )
    face = SignFace.upright(
        (0.0, (lintel_low + ENTRANCE_TOP) / 2, front - SIGN_OFFSET), 180.0, 2 * half - 1.0, 2.8
    )
    return EntrancePieces(body=solids, sign=Sign("entrance", hall.id, (face,), atlas_width=2048))


@dataclass(frozen=True, slots=True)
class InfoWallPieces:
    """The info wall's body, its sign and the hall's title sign on its crown."""

    body: Solids
    sign: Sign
    hall_sign: Sign


def info_wall(wall: InfoWall, hall_id: str) -> InfoWallPieces:
    """The plaza's info wall: a slab on a plinth with a big sign on its front, steel edges and
    the expo's title on a crown above it, lit from its foot."""
    w, h, t = wall.width, wall.height, INFO_WALL_THICKNESS
    crown_w, crown_h = round(min(w, 16.0), 6), 2.2
    place = translation((wall.position[0], 0.0, wall.position[1])) @ yaw(wall.rotation_deg)
    steel = rgba8(palette.STEEL)
    body = Solids()
    body.add(
        solid(
            standing(box_between((-w / 2, 0.0, -t / 2), (w / 2, h, t / 2))),
            rgba8(palette.INFO_WALL),
        ).transformed(place)
    )
    body.add(
        solid(
            box_between((-w / 2 - 0.2, 0.0, -t / 2 - 0.2), (w / 2 + 0.2, 0.6, t / 2 + 0.4)),
            rgba8(palette.PLINTH),
        ).transformed(place)
    )
    for x in (-w / 2 - 0.15, w / 2):
        body.add(
            solid(
                box_between((x, 0.6, -t / 2 - 0.05), (x + 0.15, h, t / 2 + 0.05)), steel
            ).transformed(place),
            material=METAL,
        )
    body.add(
        solid(
            box_between((-crown_w / 2, h, -t / 2 + 0.05), (crown_w / 2, h + crown_h, t / 2 - 0.05)),
            rgba8(palette.PORTAL),
        ).transformed(place)
    )
    # Uplight strip along the plinth, in front of the sign.
    body.add(
        solid(
            box_between((-w / 2 + 0.4, 0.6, t / 2 + 0.25), (w / 2 - 0.4, 0.66, t / 2 + 0.35)),
            rgba8(palette.WHITE),
        ).transformed(place),
        material=GLOW,
    )
    sign_bottom, sign_top = 0.9, h - 0.3
    front = SignFace.upright(
        (0.0, (sign_bottom + sign_top) / 2, t / 2 + SIGN_OFFSET),
        0.0,
        w - 0.8,
        sign_top - sign_bottom,
    )
    crown_y = h + crown_h / 2
    crown_faces = (
        SignFace.upright((0.0, crown_y, t / 2 - 0.05 + SIGN_OFFSET), 0.0, crown_w - 0.4, 1.8),
        SignFace.upright((0.0, crown_y, -t / 2 + 0.05 - SIGN_OFFSET), 180.0, crown_w - 0.4, 1.8),
    )
    return InfoWallPieces(
        body=body,
        sign=Sign("info_wall", "plaza", (front.transformed(place),), atlas_width=3072),
        hall_sign=Sign(
            "hall",
            hall_id,
            tuple(face.transformed(place) for face in crown_faces),
            atlas_width=1536,
        ),
    )
