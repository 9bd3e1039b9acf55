"""A forum hall as a room: partition walls with entrances, a wooden stage with steps, a lectern
and a lighting truss, a big screen in a frame between speaker towers, and rows of theatre
seats on a carpet with lit aisles.

Geometry is built in the stage's own frame (audience towards +z, width across
x) and turned into place. The screen stays one named quad with UVs 0–1 on the
``screen`` material, so the client (slides, video) finds and replaces it
(docs/scenes.md "Forum hall").
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild import palette
from metaexpo.scenebuild.footprints import STEP_HEIGHT, Footprint, Solids
from metaexpo.scenebuild.materials import FLOOR_WOOD, GLOW, METAL
from metaexpo.scenebuild.mesh import F64, Part, concat
from metaexpo.scenebuild.palette import rgba8
from metaexpo.scenebuild.shapes import (
    box_between,
    cylinder,
    shade,
    solid,
    standing,
    translation,
    yaw,
)
from metaexpo.scenebuild.signs import SIGN_OFFSET, Sign, SignFace, face_quad
from metaexpo.scenes import ForumHall
from metaexpo.scenes.geometry import yaw_towards

#: Partition walls around the forum: height and thickness (m).
PARTITION_HEIGHT = 6.0
PARTITION_THICKNESS = 0.3
#: The screen: height (m) and shape.
SCREEN_HEIGHT = 8.0
SCREEN_ASPECT = 16 / 9
#: Steps up to the stage: how wide, how deep each tread, how high at most each riser.
STEPS_WIDTH = 4.0
TREAD = 0.32
RISER = 0.2
#: Metres of wood texture per image along each axis (as the floors': scenebuild.textures).
WOOD_TILE = 4.0


def _towards_audience(forum: ForumHall) -> float:
    """The quarter turn (booth convention: 0 faces +z) from the stage towards its seats."""
    sx, sz = forum.stage.centre
    mean_x = float(np.mean([seat[0] for seat in forum.seats])) - sx
    mean_z = float(np.mean([seat[1] for seat in forum.seats])) - sz
    if abs(mean_x) >= abs(mean_z):
        return 90.0 if mean_x > 0 else 270.0
    return 0.0 if mean_z > 0 else 180.0


def planar_uvs(part: Part, metres: float) -> Part:
    """``part`` with UVs projected along each face's main axis (top: x–z, sides: the other two),
    ``metres`` per texture repeat: for wooden boards on boxes."""
    n, p = np.abs(part.normals), part.positions
    up = n[:, 1] >= np.maximum(n[:, 0], n[:, 2])
    side_x = ~up & (n[:, 0] >= n[:, 2])
    u = np.where(up, p[:, 0], np.where(side_x, p[:, 2], p[:, 0]))
    v = np.where(up, p[:, 2], p[:, 1])
    return part.with_uvs(np.stack([u, v], axis=1) / metres)


@dataclass(frozen=True, slots=True)
class ForumPieces:
    """A forum hall's pieces: stage (walkable, wood), its room and fittings (static), screen,
    seats, sign."""

    stage: Solids
    room: Solids
    screen: Part
    screen_aspect: float
    seats: Solids
    sign: Sign


def _stage(width: float, depth: float, h: float, place: F64, room: Solids) -> Solids:
    """The stage's wooden top and steps (walkable), its dark body and edge light (static)."""
    stage = Solids(material=FLOOR_WOOD)
    wood = rgba8(palette.WHITE)
    top = box_between((-width / 2, h - 0.06, -depth / 2), (width / 2, h, depth / 2))
    stage.add(planar_uvs(solid(top, wood), WOOD_TILE).transformed(place), walkable=True)
    steps = max(1, math.ceil(h / RISER))
    half_steps = STEPS_WIDTH / 2
    reach = depth / 2
    for i in range(steps):
        rise = h * (steps - i) / (steps + 1)
        front = depth / 2 + TREAD * (i + 1)
        step = box_between((-half_steps, 0.0, front - TREAD), (half_steps, rise, front))
        stage.add(planar_uvs(solid(step, wood), WOOD_TILE).transformed(place), walkable=True)
        if rise > STEP_HEIGHT:
            reach = front
    body = box_between(
        (-width / 2 + 0.02, 0.0, -depth / 2 + 0.02),
        (width / 2 - 0.02, h - 0.06, depth / 2 - 0.02),
        top=False,  # under the boards
    )
    room.add(solid(body, rgba8(palette.STAGE)).transformed(place), walkable=True)
    for x0, x1 in ((-width / 2 + 0.2, -half_steps - 0.2), (half_steps + 0.2, width / 2 - 0.2)):
        room.add(
            solid(
                box_between((x0, h - 0.3, depth / 2 - 0.01), (x1, h - 0.22, depth / 2 + 0.02)),
                rgba8(palette.WHITE),
            ).transformed(place),
            material=GLOW,
            walkable=True,
        )
    # The stage is walked on, not stepped off: its edges block, apart from the steps, whose
    # sides block as far out as a step is too high to climb from the floor.
    half_w, half_d = width / 2, depth / 2
    for edge in (
        Footprint.rect(-half_w, -half_d, half_w, -half_d),
        Footprint.rect(-half_w, -half_d, -half_w, half_d),
        Footprint.rect(half_w, -half_d, half_w, half_d),
        Footprint.rect(-half_w, half_d, -half_steps, half_d),
        Footprint.rect(half_steps, half_d, half_w, half_d),
        Footprint.rect(-half_steps, half_d, -half_steps, reach),
        Footprint.rect(half_steps, half_d, half_steps, reach),
    ):
        stage.block(edge.transformed(place))
    return stage


def _fittings(
    width: float, depth: float, h: float, place: F64, room: Solids
) -> tuple[Part, SignFace]:
    """Screen wall, screen frame, speaker towers, lectern and the lighting truss; returns the
    screen quad and the sign face above the screen."""
    dark, steel = rgba8(palette.PORTAL), rgba8(palette.STEEL)
    back = -depth / 2 - 0.5
    wall_w = round(width * 0.85, 6)
    screen_h = SCREEN_HEIGHT
    screen_w = round(screen_h * SCREEN_ASPECT, 6)
    screen_bottom = h + 0.8
    sign_bottom = screen_bottom + screen_h + 0.5
    sign_h = 1.8
    wall_top = sign_bottom + sign_h + 0.4
    room.add(
        solid(
            standing(box_between((-wall_w / 2, 0.0, back - 0.6), (wall_w / 2, wall_top, back))),
            dark,
        ).transformed(place)
    )
    # A steel frame around the screen.
    fx, fy0, fy1 = screen_w / 2 + 0.25, screen_bottom - 0.25, screen_bottom + screen_h + 0.25
    for a, b in (
        ((-fx, fy0), (fx, screen_bottom)),
        ((-fx, screen_bottom + screen_h), (fx, fy1)),
        ((-fx, screen_bottom), (-screen_w / 2, screen_bottom + screen_h)),
        ((screen_w / 2, screen_bottom), (fx, screen_bottom + screen_h)),
    ):
        room.add(
            solid(box_between((a[0], a[1], back), (b[0], b[1], back + 0.12)), steel).transformed(
                place
            ),
            material=METAL,
        )
    # Speaker towers either side of the screen, on the stage.
    for x in (-fx - 2.2, fx + 0.6):
        room.add(
            solid(
                box_between((x, h, -depth / 2 + 0.2), (x + 1.6, h + 5.5, -depth / 2 + 1.6)),
                rgba8(palette.SEAT_FRAME),
            ).transformed(place)
        )
    # The lectern, stage left of centre.
    lx, lz = width / 4, depth / 2 - 3.0
    room.add(
        solid(
            box_between((lx - 0.4, h, lz - 0.3), (lx + 0.4, h + 1.05, lz + 0.3)), dark
        ).transformed(place)
    )
    room.add(
        solid(
            box_between((lx - 0.45, h + 1.05, lz - 0.35), (lx + 0.45, h + 1.12, lz + 0.35)), steel
        ).transformed(place),
        material=METAL,
    )
    # The lighting truss over the stage's front, on two towers, with spots along it.
    truss_y = h + 8.5
    tz = depth / 2 - 0.8
    for x in (-width / 2 + 0.3, width / 2 - 0.9):
        room.add(
            solid(
                standing(box_between((x, h, tz - 0.3), (x + 0.6, truss_y, tz + 0.3))), steel
            ).transformed(place),
            material=METAL,
        )
    room.add(
        solid(
            box_between(
                (-width / 2 + 0.3, truss_y, tz - 0.3),
                (width / 2 - 0.3, truss_y + 0.6, tz + 0.3),
                bottom=True,
            ),
            steel,
        ).transformed(place),
        material=METAL,
    )
    for k in range(8):
        x = -width / 2 + 2.5 + k * (width - 5.0) / 7
        lamp = cylinder(0.22, 0.5, (x, truss_y - 0.5, tz), sections=10)
        room.add(solid(lamp, rgba8(palette.SEAT_FRAME)).transformed(place))
        room.add(
            solid(
                box_between(
                    (x - 0.18, truss_y - 0.56, tz - 0.18),
                    (x + 0.18, truss_y - 0.5, tz + 0.18),
                    bottom=True,
                ),
                rgba8(palette.WHITE),
            ).transformed(place),
            material=GLOW,
        )
    screen_face = SignFace.upright(
        (0.0, screen_bottom + screen_h / 2, back + SIGN_OFFSET), 0.0, screen_w, screen_h
    )
    sign_face = SignFace.upright(
        (0.0, sign_bottom + sign_h / 2, back + SIGN_OFFSET), 0.0, min(16.0, wall_w - 1.0), sign_h
    )
    return face_quad(screen_face.transformed(place), (0.0, 0.0, 1.0, 1.0)), sign_face


def _partitions(forum: ForumHall, facing: float, room: Solids) -> list[SignFace]:
    """Walls along the forum area's sides away from the stage, with a wide entrance in the
    side facing the stage (the way in from the plaza) and doors near its corners; returns the
    sign face over the main entrance."""
    (x0, x1), (z0, z1) = forum.area.x, forum.area.z
    t, top = PARTITION_THICKNESS, PARTITION_HEIGHT
    wall, steel = rgba8(palette.ACOUSTIC), rgba8(palette.STEEL)
    # In the stage frame the audience is at +z; the entrance wall is the far end behind them.
    turned = yaw(facing)
    forward = turned[:3, :3] @ np.array([0.0, 0.0, 1.0])  # from the stage to the audience
    faces: list[SignFace] = []

    def run(
        a: tuple[float, float], b: tuple[float, float], gaps: list[tuple[float, float]]
    ) -> None:
        horizontal = a[1] == b[1]
        lo, hi = (a[0], b[0]) if horizontal else (a[1], b[1])
        cuts = [lo, *[v for g in sorted(gaps) for v in g], hi]
        for start, end in zip(cuts[::2], cuts[1::2], strict=True):
            if end - start < 0.5:
                continue
            if horizontal:
                box = box_between((start, 0.0, a[1] - t / 2), (end, top, a[1] + t / 2))
            else:
                box = box_between((a[0] - t / 2, 0.0, start), (a[0] + t / 2, top, end))
            room.add(solid(standing(box), wall))
            if horizontal:
                cap = box_between(
                    (start, top, a[1] - t / 2 - 0.05), (end, top + 0.15, a[1] + t / 2 + 0.05)
                )
            else:
                cap = box_between(
                    (a[0] - t / 2 - 0.05, top, start), (a[0] + t / 2 + 0.05, top + 0.15, end)
                )
            room.add(solid(cap, steel), material=METAL)

    door = 5.0
    entrance = 8.0
    cz, cx = (z0 + z1) / 2, (x0 + x1) / 2
    if abs(forward[0]) > 0.5:
        far = x0 if forward[0] < 0 else x1
        near = x1 if far == x0 else x0
        inset = t / 2 + 0.06  # the long walls run through the corners
        run((far, z0 + inset), (far, z1 - inset), [(cz - entrance, cz + entrance)])
        run((near, z0 + inset), (near, z1 - inset), [])
        # The long walls, each with a door near the entrance end.
        door_at = (far + 3.0, far + 3.0 + door) if far == x0 else (far - 3.0 - door, far - 3.0)
        for z in (z0, z1):
            run((x0, z), (x1, z), [door_at])
        portal_at = (far, cz)
        outward = 270.0 if far == x0 else 90.0
    else:
        far = z0 if forward[2] < 0 else z1
        near = z1 if far == z0 else z0
        run((x0, far), (x1, far), [(cx - entrance, cx + entrance)])
        run((x0, near), (x1, near), [])
        door_at = (far + 3.0, far + 3.0 + door) if far == z0 else (far - 3.0 - door, far - 3.0)
        inset = t / 2 + 0.06
        for x in (x0, x1):
            run((x, z0 + inset), (x, z1 - inset), [door_at])
        portal_at = (cx, far)
        outward = 180.0 if far == z0 else 0.0
    # A lintel over the main entrance with the forum's name facing out.
    place = translation((portal_at[0], 0.0, portal_at[1])) @ yaw(outward)
    room.add(
        solid(
            box_between(
                (-entrance, top - 1.8, -t / 2 - 0.1), (entrance, top, t / 2 + 0.1), bottom=True
            ),
            rgba8(palette.PORTAL),
        ).transformed(place)
    )
    faces.append(
        SignFace.upright((0.0, top - 0.9, t / 2 + 0.1 + SIGN_OFFSET), 0.0, 14.0, 1.575).transformed(
            place
        )
    )
    return faces


def forum_pieces(forum: ForumHall) -> ForumPieces:
    """Everything drawn for ``forum``."""
    facing = _towards_audience(forum)
    sx, sz = forum.stage.centre
    # Work in the stage's own frame: audience towards +z, so depth runs along z.
    turned = facing % 180 != 0
    width = forum.stage.depth if turned else forum.stage.width
    depth = forum.stage.width if turned else forum.stage.depth
    place = translation((sx, 0.0, sz)) @ yaw(facing)
    h = forum.stage_height
    room = Solids()
    stage = _stage(width, depth, h, place, room)
    screen, sign_face = _fittings(width, depth, h, place, room)
    portal_faces = _partitions(forum, facing, room)
    # The sign faces must share one shape: the portal's is made to the screen sign's aspect.
    above = sign_face.transformed(place)
    portal = [
        SignFace(f.centre, f.right, f.up, f.width, f.width * above.height / above.width)
        for f in portal_faces
    ]
    return ForumPieces(
        stage=stage,
        room=room,
        screen=screen,
        screen_aspect=round(SCREEN_ASPECT, 4),
        seats=seats(forum, room),
        sign=Sign("forum", forum.id, (above, *portal), atlas_width=1280),
    )


def _chair() -> list[tuple[Part, tuple[int, int, int, int]]]:
    """One theatre seat in its own frame: the sitter at the origin looking along -z (camera
    yaw 0): a fabric seat and back on a wooden shell, armrests on steel posts."""
    fabric, wood, frame = rgba8(palette.SEAT), rgba8(palette.SEAT_BACK), rgba8(palette.SEAT_FRAME)
    pieces = [
        (box_between((-0.05, 0.0, -0.05), (0.05, 0.4, 0.05)), frame),
        (box_between((-0.24, 0.4, -0.19), (0.24, 0.5, 0.17), bottom=True), fabric),
        (box_between((-0.24, 0.5, 0.17), (0.24, 0.98, 0.25), bottom=True), fabric),
        (box_between((-0.25, 0.42, 0.25), (0.25, 1.02, 0.29), bottom=True), wood),
    ]
    for x in (-0.29, 0.25):
        pieces.append((box_between((x, 0.0, 0.1), (x + 0.04, 0.62, 0.16)), frame))
        pieces.append((box_between((x, 0.62, -0.17), (x + 0.04, 0.66, 0.2)), wood))
    return [(shade(mesh), colour) for mesh, colour in pieces]


#: The chair's outline on the floor, in its frame (what blocks the floor; 0.48 m deep, so 1.6 m
#: rows leave a gangway a visitor fits through).
CHAIR_OUTLINE = Footprint.rect(-0.29, -0.19, 0.29, 0.29)


def seats(forum: ForumHall, room: Solids) -> Solids:
    """Every seat of the forum hall merged into one part (one draw call for the audience), and
    a small light at each row's ends by the aisles (added to ``room``).

    Chairs stand square to their block's rows, as in a real hall (the catalog's
    per-seat yaw is where the sitter looks), so the gangway between two rows
    is straight; each chair blocks its own outline.
    """
    chair = concat([part.painted(colour) for part, colour in _chair()])
    solids = Solids()
    start = 0
    for block in forum.seating:
        count = block.rows * block.seats_per_row
        dx = forum.stage.centre[0] - block.front_row_centre[0]
        dz = forum.stage.centre[1] - block.front_row_centre[1]
        facing = yaw_towards((dx, dz))
        block_seats = forum.seats[start : start + count]
        for x, z, _ in block_seats:
            place = translation((x, 0.0, z)) @ yaw(facing)
            solids.add(chair.transformed(place), footprint=CHAIR_OUTLINE.transformed(place))
        # Aisle lights: where two neighbours in a row stand further apart than the spacing.
        for row in range(block.rows):
            line = block_seats[row * block.seats_per_row : (row + 1) * block.seats_per_row]
            for a, b in itertools.pairwise(line):
                if math.dist(a[:2], b[:2]) > block.seat_spacing + 0.3:
                    for end in (a, b):
                        mx = end[0] + (b[0] - a[0] if end is a else a[0] - b[0]) * 0.3
                        mz = end[1] + (b[1] - a[1] if end is a else a[1] - b[1]) * 0.3
                        room.add(
                            solid(
                                box_between(
                                    (mx - 0.06, 0.0, mz - 0.06), (mx + 0.06, 0.08, mz + 0.06)
                                ),
                                rgba8(palette.WHITE),
                            ),
                            material=GLOW,
                        )
        start += count
    return solids
