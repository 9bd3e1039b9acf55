"""The hall's fixed architecture: perimeter walls and columns, the plaza's info wall, the
zones' hanging signs and the forum hall's stage, screen and seats.

Every function returns geometry in hall coordinates (metres, y up) plus the
signs it carries; :mod:`metaexpo.scenebuild.hall` decides which node each
piece goes to. Non-walkable static pieces that belong to no booth are merged
into one "architecture" mesh there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild import palette
from metaexpo.scenebuild.footprints import STEP_HEIGHT, Footprint, Solids
from metaexpo.scenebuild.mesh import Part, concat
from metaexpo.scenebuild.palette import rgba8
from metaexpo.scenebuild.shapes import box_between, shade, solid, translation, yaw
from metaexpo.scenebuild.signs import SIGN_OFFSET, Sign, SignFace, face_quad
from metaexpo.scenes import ForumHall, Hall, InfoWall, Zone
from metaexpo.scenes.geometry import yaw_towards
from metaexpo.scenes.schema import INFO_WALL_THICKNESS

#: Perimeter wall: height and thickness (m); columns: side and spacing (m).
WALL_HEIGHT = 1.2
WALL_THICKNESS = 0.4
COLUMN_SIDE = 0.8
#: How far the walls stand inside the hall's edge (the columns' outer faces), in metres.
WALL_INSET = 0.1
COLUMN_SPACING = 32.0
#: A zone's hanging sign: a box this wide and tall, its bottom this far below the hall's top.
ZONE_SIGN_WIDTH = 6.4
ZONE_SIGN_HEIGHT = 3.2
ZONE_SIGN_DROP = 5.0


def perimeter(hall: Hall) -> Solids:
    """Low walls around the hall's edge, tall columns along them and a ring beam on top."""
    x0, _, z0 = hall.bounds_min
    x1, top, z1 = hall.bounds_max
    t, c = WALL_THICKNESS, COLUMN_SIDE
    wall = rgba8(palette.WALL)
    column = rgba8(palette.COLUMN)
    # The walls stand a little inside the columns' outer faces, so no two faces share a plane.
    i = WALL_INSET
    parts = [
        solid(box_between((x0 + i, 0.0, z0 + i), (x1 - i, WALL_HEIGHT, z0 + i + t)), wall),
        solid(box_between((x0 + i, 0.0, z1 - i - t), (x1 - i, WALL_HEIGHT, z1 - i)), wall),
        solid(box_between((x0 + i, 0.0, z0 + i + t), (x0 + i + t, WALL_HEIGHT, z1 - i - t)), wall),
        solid(box_between((x1 - i - t, 0.0, z0 + i + t), (x1 - i, WALL_HEIGHT, z1 - i - t)), wall),
        # The ring beam ties the columns together at the top of the hall.
        solid(box_between((x0, top - 0.6, z0), (x1, top, z0 + c), bottom=True), column),
        solid(box_between((x0, top - 0.6, z1 - c), (x1, top, z1), bottom=True), column),
        solid(box_between((x0, top - 0.6, z0 + c), (x0 + c, top, z1 - c), bottom=True), column),
        solid(box_between((x1 - c, top - 0.6, z0 + c), (x1, top, z1 - c), bottom=True), column),
    ]
    column_part = shade(box_between((-c / 2, 0.0, -c / 2), (c / 2, top - 0.6, c / 2)))
    spots: set[tuple[float, float]] = set()
    for x in _stations(x0 + c / 2, x1 - c / 2):
        spots.update({(x, z0 + c / 2), (x, z1 - c / 2)})
    for z in _stations(z0 + c / 2, z1 - c / 2):
        spots.update({(x0 + c / 2, z), (x1 - c / 2, z)})
    for x, z in sorted(spots):
        parts.append(column_part.transformed(translation((x, 0.0, z))).painted(column))
    solids = Solids()
    for part in parts:
        solids.add(part)
    return solids


def _stations(low: float, high: float) -> list[float]:
    """Evenly spaced positions from ``low`` to ``high``, about COLUMN_SPACING apart."""
    count = max(1, math.ceil((high - low) / COLUMN_SPACING))
    return [round(low + (high - low) * i / count, 6) for i in range(count + 1)]


@dataclass(frozen=True, slots=True)
class InfoWallPieces:
    """The info wall's body, its sign and the hall's title sign on its crown."""

    body: Solids
    sign: Sign
    hall_sign: Sign


def info_wall(wall: InfoWall, hall_id: str) -> InfoWallPieces:
    """The plaza's info wall: a slab with a big sign on its front and the hall's name above."""
    w, h, t = wall.width, wall.height, INFO_WALL_THICKNESS
    crown_w, crown_h = round(min(w, 14.4), 6), 1.8
    place = translation((wall.position[0], 0.0, wall.position[1])) @ yaw(wall.rotation_deg)
    local = [
        solid(box_between((-w / 2, 0.0, -t / 2), (w / 2, h, t / 2)), rgba8(palette.FRAME)),
        solid(box_between((-w / 2, 0.0, t / 2), (w / 2, 0.6, t / 2 + 0.1)), rgba8(palette.COLUMN)),
        solid(
            box_between((-crown_w / 2, h, -t / 2 + 0.05), (crown_w / 2, h + crown_h, t / 2 - 0.05)),
            rgba8(palette.STAGE),
        ),
    ]
    sign_bottom, sign_top = 0.9, h - 0.3
    front = SignFace.upright(
        (0.0, (sign_bottom + sign_top) / 2, t / 2 + SIGN_OFFSET),
        0.0,
        w - 0.8,
        sign_top - sign_bottom,
    )
    crown_y = h + crown_h / 2
    crown_faces = (
        SignFace.upright((0.0, crown_y, t / 2 - 0.05 + SIGN_OFFSET), 0.0, crown_w - 0.4, 1.4),
        SignFace.upright((0.0, crown_y, -t / 2 + 0.05 - SIGN_OFFSET), 180.0, crown_w - 0.4, 1.4),
    )
    body = Solids()
    for part in local:
        body.add(part.transformed(place))
    return InfoWallPieces(
        body=body,
        sign=Sign("info_wall", "plaza", (front.transformed(place),), atlas_width=2048),
        hall_sign=Sign(
            "hall",
            hall_id,
            tuple(face.transformed(place) for face in crown_faces),
            atlas_width=1024,
        ),
    )


def zone_banner(zone: Zone, hall: Hall) -> tuple[Part, Sign]:
    """A four-sided sign box hung on cables over the zone's centre, ZONE_SIGN_DROP below the
    hall's top (its bottom at 11 m in a 16 m hall, clear of 9 m pavilions).

    Hung in the middle it reads from every avenue around the zone and needs
    no floor space.
    """
    cx, cz = zone.area.centre
    top = hall.bounds_max[1]
    bottom = top - ZONE_SIGN_DROP
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
                        (cx + dx + 0.03, top, cz + dz + 0.03),
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
    return concat(parts), Sign("zone", zone.id, tuple(faces), atlas_width=512)


@dataclass(frozen=True, slots=True)
class ForumPieces:
    """A forum hall's pieces: stage (walkable), screen wall (static), screen, seats, sign."""

    stage: Solids
    wall: Solids
    screen: Part
    screen_aspect: float
    seats: Solids
    sign: Sign


def _towards_audience(forum: ForumHall) -> float:
    """The quarter turn (booth convention: 0 faces +z) from the stage towards its seats."""
    sx, sz = forum.stage.centre
    mean_x = float(np.mean([seat[0] for seat in forum.seats])) - sx
    mean_z = float(np.mean([seat[1] for seat in forum.seats])) - sz
    if abs(mean_x) >= abs(mean_z):
        return 90.0 if mean_x > 0 else 270.0
    return 0.0 if mean_z > 0 else 180.0


def forum(forum: ForumHall) -> ForumPieces:
    """The stage with steps towards the audience, a screen wall behind it and every seat."""
    facing = _towards_audience(forum)
    sx, sz = forum.stage.centre
    # Work in the stage's own frame: audience towards +z, so depth runs along z.
    turned = facing % 180 != 0
    width = forum.stage.depth if turned else forum.stage.width
    depth = forum.stage.width if turned else forum.stage.depth
    place = translation((sx, 0.0, sz)) @ yaw(facing)
    h = forum.stage_height
    stage_parts = [
        solid(
            box_between((-width / 2, 0.0, -depth / 2), (width / 2, h, depth / 2)),
            rgba8(palette.STAGE),
        ),
        solid(
            box_between((-width / 2, h - 0.12, depth / 2), (width / 2, h, depth / 2 + 0.04)),
            rgba8(palette.STAGE_EDGE),
        ),
    ]
    steps = max(1, math.ceil(h / 0.2))
    for i in range(steps):
        rise = h * (steps - i) / (steps + 1)
        front = depth / 2 + 0.3 * (i + 1)
        stage_parts.append(
            solid(box_between((-1.5, 0.0, front - 0.3), (1.5, rise, front)), rgba8(palette.STAGE))
        )
    # Screen wall behind the stage, the screen on it and the forum's sign above.
    back = -depth / 2 - 0.5
    wall_w = round(width * 0.8, 6)
    screen_h = 7.0
    screen_w = round(screen_h * 16 / 9, 6)
    screen_bottom = h + 0.6
    sign_bottom = screen_bottom + screen_h + 0.4
    sign_h = 1.8
    wall_top = sign_bottom + sign_h + 0.4
    wall = Solids()
    wall.add(
        solid(
            box_between((-wall_w / 2, 0.0, back - 0.6), (wall_w / 2, wall_top, back)),
            rgba8(palette.FRAME),
        ).transformed(place)
    )
    screen_face = SignFace.upright(
        (0.0, screen_bottom + screen_h / 2, back + SIGN_OFFSET), 0.0, screen_w, screen_h
    )
    sign_face = SignFace.upright(
        (0.0, sign_bottom + sign_h / 2, back + SIGN_OFFSET), 0.0, min(16.0, wall_w - 1.0), sign_h
    )
    stage = Solids()
    for part in stage_parts:
        stage.add(part.transformed(place), walkable=True)
    # The stage is walked on, but not stepped off: its edges block, apart from the steps, whose
    # sides block as far out as a step is too high to climb from the floor.
    steps_reach = depth / 2 + 0.3 * sum(
        1 for i in range(steps) if h * (steps - i) / (steps + 1) > STEP_HEIGHT
    )
    half_w, half_d = width / 2, depth / 2
    for edge in (
        Footprint.rect(-half_w, -half_d, half_w, -half_d),
        Footprint.rect(-half_w, -half_d, -half_w, half_d),
        Footprint.rect(half_w, -half_d, half_w, half_d),
        Footprint.rect(-half_w, half_d, -1.5, half_d),
        Footprint.rect(1.5, half_d, half_w, half_d),
        Footprint.rect(-1.5, half_d, -1.5, steps_reach),
        Footprint.rect(1.5, half_d, 1.5, steps_reach),
    ):
        stage.block(edge.transformed(place))
    return ForumPieces(
        stage=stage,
        wall=wall,
        screen=face_quad(screen_face.transformed(place), (0.0, 0.0, 1.0, 1.0)),
        screen_aspect=round(screen_w / screen_h, 4),
        seats=seats(forum),
        sign=Sign("forum", forum.id, (sign_face.transformed(place),), atlas_width=1024),
    )


def _chair() -> Part:
    """One seat in its own frame: the sitter at the origin looking along -z (camera yaw 0)."""
    cushion = rgba8(palette.SEAT)
    frame = rgba8(palette.SEAT_FRAME)
    return concat(
        [
            solid(box_between((-0.05, 0.0, -0.05), (0.05, 0.42, 0.05)), frame),
            solid(box_between((-0.25, 0.42, -0.22), (0.25, 0.5, 0.22), bottom=True), cushion),
            solid(box_between((-0.25, 0.42, 0.22), (0.25, 1.0, 0.28), bottom=True), cushion),
        ]
    )


def seats(forum: ForumHall) -> Solids:
    """Every seat of the forum hall merged into one part (one draw call for the audience).

    Chairs stand square to their block's rows, as in a real hall (the catalog's
    per-seat yaw is where the sitter looks), so the gangway between two rows
    is straight; each chair blocks its own outline.
    """
    chair = _chair()
    outline = Footprint.rect(-0.25, -0.22, 0.25, 0.28)
    solids = Solids()
    start = 0
    for block in forum.seating:
        count = block.rows * block.seats_per_row
        dx = forum.stage.centre[0] - block.front_row_centre[0]
        dz = forum.stage.centre[1] - block.front_row_centre[1]
        facing = yaw_towards((dx, dz))
        for x, z, _ in forum.seats[start : start + count]:
            place = translation((x, 0.0, z)) @ yaw(facing)
            solids.add(chair.transformed(place), footprint=outline.transformed(place))
        start += count
    return solids
