"""Floor geometry of the hall: rectangles, quarter-turn footprints and yaw angles.

Coordinates are metres with y up (three.js): the floor is the x-z plane. All
angles are a rotation about +y in degrees, counter-clockwise seen from above,
which is exactly three.js ``object.rotation.y``. What faces where at angle 0
depends on the thing turned: a glTF model (a booth, a wall) shows its front
towards +z, a camera (a visitor's eyes) looks towards -z.
"""

from __future__ import annotations

import math
from typing import Self

from pydantic import field_validator

from metaexpo.scenes.fields import Point2, SpecModel

#: Tolerance for comparing coordinates written in metres.
EPSILON = 1e-6

#: Where a glTF model's front points at each quarter turn: (x, z).
_MODEL_FRONT: dict[int, tuple[float, float]] = {
    0: (0.0, 1.0),
    90: (1.0, 0.0),
    180: (0.0, -1.0),
    270: (-1.0, 0.0),
}


class Rect(SpecModel):
    """An axis-aligned rectangle on the floor, written ``{x: [min, max], z: [min, max]}``."""

    x: Point2
    z: Point2

    @field_validator("x", "z")
    @classmethod
    def _ordered(cls, span: Point2) -> Point2:
        if not span[0] < span[1]:
            raise ValueError(f"[{span[0]:g}, {span[1]:g}] must be written [smaller, larger]")
        return span

    @classmethod
    def around(cls, centre: Point2, size: Point2) -> Self:
        """The rectangle of ``size`` (x extent, z extent) centred on ``centre``."""
        half_w, half_d = size[0] / 2.0, size[1] / 2.0
        return cls(
            x=(centre[0] - half_w, centre[0] + half_w), z=(centre[1] - half_d, centre[1] + half_d)
        )

    @property
    def width(self) -> float:
        """Extent along x in metres."""
        return self.x[1] - self.x[0]

    @property
    def depth(self) -> float:
        """Extent along z in metres."""
        return self.z[1] - self.z[0]

    @property
    def centre(self) -> tuple[float, float]:
        """The middle point (x, z)."""
        return ((self.x[0] + self.x[1]) / 2.0, (self.z[0] + self.z[1]) / 2.0)

    def contains_point(self, point: Point2) -> bool:
        """Whether ``point`` (x, z) lies inside or on the edge."""
        return (
            self.x[0] - EPSILON <= point[0] <= self.x[1] + EPSILON
            and self.z[0] - EPSILON <= point[1] <= self.z[1] + EPSILON
        )

    def contains(self, other: Rect) -> bool:
        """Whether ``other`` lies wholly inside this rectangle (edges may touch)."""
        return self.contains_point((other.x[0], other.z[0])) and self.contains_point(
            (other.x[1], other.z[1])
        )

    def clearance(self, other: Rect) -> float:
        """The width of the widest straight gap between the two; negative when they overlap.

        Two rectangles side by side leave an aisle as wide as the gap along
        the axis that separates them, hence the larger of the two axis gaps.
        """
        gap_x = max(other.x[0] - self.x[1], self.x[0] - other.x[1])
        gap_z = max(other.z[0] - self.z[1], self.z[0] - other.z[1])
        return max(gap_x, gap_z)

    def overlaps(self, other: Rect) -> bool:
        """Whether the two share floor area (touching edges do not count)."""
        return self.clearance(other) < -EPSILON

    def describe(self) -> str:
        """A short form for messages: ``x [-60, -4] z [-124, -44]``."""
        return f"x [{self.x[0]:g}, {self.x[1]:g}] z [{self.z[0]:g}, {self.z[1]:g}]"


def turned_size(size: Point2, rotation_deg: int) -> tuple[float, float]:
    """A model's (width, depth) footprint after a quarter-turn rotation, as (x extent, z extent)."""
    return (size[1], size[0]) if rotation_deg % 180 else (size[0], size[1])


def model_front(rotation_deg: int) -> tuple[float, float]:
    """The unit (x, z) direction a glTF model's front faces after a quarter-turn rotation."""
    return _MODEL_FRONT[rotation_deg % 360]


def camera_forward(yaw_deg: float) -> tuple[float, float]:
    """The unit (x, z) direction a camera with rotation.y = ``yaw_deg`` looks along."""
    yaw = math.radians(yaw_deg)
    return (-math.sin(yaw), -math.cos(yaw))


def yaw_towards(direction: Point2) -> float:
    """The camera yaw in [0, 360) looking along ``direction`` (x, z); inverse of camera_forward."""
    yaw = math.degrees(math.atan2(-direction[0], -direction[1])) % 360.0
    # Rounded so that a seat facing exactly +x reads 270, not 269.99999999999997.
    return round(yaw, 9) % 360.0
