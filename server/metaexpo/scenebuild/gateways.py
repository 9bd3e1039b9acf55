"""Each zone's signs: a four-sided banner hung over its centre and a gateway at every end of
its aisle that opens onto an avenue, its lintel carrying the zone's name both ways.

The banner reads from across the hall; the gateway from the avenue a visitor
walks along (its name is about 0.8 m tall: readable from 40 m). Pylons wear
the zone's colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.scenebuild import palette
from metaexpo.scenebuild.architecture import ROOF_Y
from metaexpo.scenebuild.footprints import Solids
from metaexpo.scenebuild.materials import GLOW, METAL
from metaexpo.scenebuild.mesh import Part, concat
from metaexpo.scenebuild.palette import rgba8
from metaexpo.scenebuild.shapes import box_between, solid, standing, translation, yaw
from metaexpo.scenebuild.signs import SIGN_OFFSET, Sign, SignFace
from metaexpo.scenes import Booth, Hall, Zone

#: A zone's hanging sign: a box this wide and tall, its bottom this high above the floor.
ZONE_SIGN_WIDTH = 6.4
ZONE_SIGN_HEIGHT = 3.2
ZONE_SIGN_BOTTOM = 11.0
#: Gateways: half the clear width between the pylons, pylon side, lintel top and height.
GATE_HALF = 6.0
PYLON = 0.7
GATE_TOP = 6.4
LINTEL = 1.8
#: A gateway stands this far inside the zone's edge; none where the edge is this near a wall.
GATE_INSET = 1.0
WALL_CLEARANCE = 6.0


def zone_banner(zone: Zone) -> tuple[Part, Sign]:
    """A four-sided sign box hung on cables from the roof over the zone's centre, its bottom
    at ZONE_SIGN_BOTTOM (clear of 9 m pavilions).

    Hung in the middle it reads from every avenue around the zone and needs
    no floor space.
    """
    cx, cz = zone.area.centre
    bottom = ZONE_SIGN_BOTTOM
    upper = bottom + ZONE_SIGN_HEIGHT
    half = ZONE_SIGN_WIDTH / 2
    cable = rgba8(palette.CABLE)
    parts = [
        solid(
            box_between((cx - half, bottom, cz - half), (cx + half, upper, cz + half)),
            rgba8(palette.FRAME),
        ),
        solid(
            box_between(
                (cx - half, bottom - 0.2, cz - half), (cx + half, bottom, cz + half), bottom=True
            ),
            rgba8(zone.colour),
        ),
    ]
    for dx in (-half + 0.3, half - 0.3):
        for dz in (-half + 0.3, half - 0.3):
            parts.append(
                solid(
                    box_between(
                        (cx + dx - 0.03, upper, cz + dz - 0.03),
                        (cx + dx + 0.03, ROOF_Y, cz + dz + 0.03),
                    ),
                    cable,
                )
            )
    middle = (bottom + upper) / 2
    faces = []
    for turn in (0.0, 90.0, 180.0, 270.0):
        local = SignFace.upright(
            (0.0, middle, half + SIGN_OFFSET), 0.0, ZONE_SIGN_WIDTH - 0.4, ZONE_SIGN_HEIGHT - 0.4
        )
        faces.append(local.transformed(translation((cx, 0.0, cz)) @ yaw(turn)))
    return concat(parts), Sign("zone", zone.id, tuple(faces), atlas_width=640)


@dataclass(frozen=True, slots=True)
class Gate:
    """Where a gateway stands: its centre on the floor and the quarter turn (booth convention)
    of the face that looks out onto the avenue."""

    x: float
    z: float
    outward: float


def gate_spots(zone: Zone, booths: list[Booth], hall: Hall) -> list[Gate]:
    """The ends of the zone's aisle that open onto an avenue (not onto the hall's wall).

    Booths face across the aisle, so when they face ±x the aisle runs along z
    through the zone's centre, and the other way round.
    """
    cx, cz = zone.area.centre
    along_z = sum(1 for b in booths if b.facing[0] != 0) >= sum(1 for b in booths if b.facing[1])
    spots = []
    if along_z:
        for z, outward in ((zone.area.z[0], 180.0), (zone.area.z[1], 0.0)):
            if min(abs(z - hall.bounds_min[2]), abs(z - hall.bounds_max[2])) > WALL_CLEARANCE:
                inside = GATE_INSET if outward == 180.0 else -GATE_INSET
                spots.append(Gate(cx, z + inside, outward))
    else:
        for x, outward in ((zone.area.x[0], 270.0), (zone.area.x[1], 90.0)):
            if min(abs(x - hall.bounds_min[0]), abs(x - hall.bounds_max[0])) > WALL_CLEARANCE:
                inside = GATE_INSET if outward == 270.0 else -GATE_INSET
                spots.append(Gate(x + inside, cz, outward))
    return spots


def gateways(zone: Zone, spots: list[Gate]) -> tuple[Solids, Sign | None]:
    """A gateway at each spot: two pylons in the zone's colour, a dark lintel with a light
    strip under it, the zone's name on both faces."""
    solids = Solids()
    faces: list[SignFace] = []
    accent = rgba8(zone.colour)
    dark = rgba8(palette.PORTAL)
    steel = rgba8(palette.STEEL)
    half, p = GATE_HALF, PYLON
    low = GATE_TOP - LINTEL
    for spot in spots:
        place = translation((spot.x, 0.0, spot.z)) @ yaw(spot.outward)
        for x in (-half - p, half):
            solids.add(
                solid(
                    standing(box_between((x, 0.0, -p / 2), (x + p, GATE_TOP, p / 2))), accent
                ).transformed(place)
            )
            solids.add(
                solid(
                    box_between((x - 0.05, 0.0, -p / 2 - 0.05), (x + p + 0.05, 0.25, p / 2 + 0.05)),
                    steel,
                ).transformed(place),
                material=METAL,
            )
        solids.add(
            solid(
                box_between((-half, low, -0.35), (half, GATE_TOP, 0.35), bottom=True), dark
            ).transformed(place)
        )
        solids.add(
            solid(
                box_between((-half + 0.3, low - 0.06, -0.1), (half - 0.3, low, 0.1), bottom=True),
                rgba8(palette.WHITE),
            ).transformed(place),
            material=GLOW,
        )
        for turn, offset in ((0.0, 0.35), (180.0, -0.35)):
            face = SignFace.upright(
                (
                    0.0,
                    (low + GATE_TOP) / 2,
                    offset + (SIGN_OFFSET if turn == 0.0 else -SIGN_OFFSET),
                ),
                turn,
                2 * half - 0.6,
                LINTEL - 0.3,
            )
            faces.append(face.transformed(place))
    if not faces:
        return solids, None
    return solids, Sign("gate", zone.id, tuple(faces), atlas_width=640)
