"""Seat positions of a forum hall, computed from its parametric seating blocks.

Editors describe seating as rows × seats with spacings (a few numbers they
can reason about); everyone else needs each seat's floor position and the
yaw that faces the stage, which this module works out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metaexpo.scenes.fields import Point2
from metaexpo.scenes.geometry import yaw_towards
from metaexpo.scenes.schema import SeatingBlock


@dataclass(frozen=True, slots=True)
class Seat:
    """One seat: floor position, the camera yaw that looks at the stage, and its row and place."""

    x: float
    z: float
    yaw_deg: float
    row: int
    place: int

    def as_tuple(self) -> tuple[float, float, float]:
        """(x, z, yaw_deg), the form the catalog exposes."""
        return (self.x, self.z, self.yaw_deg)


def _offsets_across(block: SeatingBlock) -> list[float]:
    offsets = [0.0]
    for place in range(1, block.seats_per_row):
        widen = block.aisle_every is not None and place % block.aisle_every == 0
        offsets.append(offsets[-1] + (block.aisle_width if widen else block.seat_spacing))
    middle = offsets[-1] / 2.0
    return [offset - middle for offset in offsets]


def block_seats(block: SeatingBlock, stage_centre: Point2) -> list[Seat]:
    """Every seat of ``block``, front row first, each turned to look at ``stage_centre``.

    Rows are straight lines across the direction from the front row's centre
    to the stage; each seat's yaw is its own, so that people at the ends of a
    wide row still face the stage. Raises ValueError when the front row's
    centre is the stage centre, since then no direction is "towards the stage".
    """
    dx = stage_centre[0] - block.front_row_centre[0]
    dz = stage_centre[1] - block.front_row_centre[1]
    length = math.hypot(dx, dz)
    if length < 1e-6:
        raise ValueError("front_row_centre is the stage centre, so the seats cannot face the stage")
    forward = (dx / length, dz / length)
    across = (-forward[1], forward[0])
    seats: list[Seat] = []
    offsets = _offsets_across(block)
    for row in range(block.rows):
        back = row * block.row_spacing
        row_x = block.front_row_centre[0] - forward[0] * back
        row_z = block.front_row_centre[1] - forward[1] * back
        for place, offset in enumerate(offsets):
            # Adding 0.0 turns a rounded -0.0 into 0.0, so dumps stay tidy.
            x = round(row_x + across[0] * offset, 3) + 0.0
            z = round(row_z + across[1] * offset, 3) + 0.0
            yaw = round(yaw_towards((stage_centre[0] - x, stage_centre[1] - z)), 3) % 360.0
            seats.append(Seat(x=x, z=z, yaw_deg=yaw, row=row, place=place))
    return seats
