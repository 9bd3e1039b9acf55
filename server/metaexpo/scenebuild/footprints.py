"""Obstacle footprints: the floor each solid piece of the hall takes from a walking visitor.

Every piece the builder makes that stands between a step and a head's height
(a wall, a column, a counter, a seat) blocks the floor under it; a platform
one can step onto or a sign hung overhead does not. The footprint is the
piece's outline on the floor, a convex quadrilateral in x–z, kept beside the
geometry it was measured from (see :class:`Solids` and ``SceneNode.obstacles``),
so the navigation grid (:mod:`metaexpo.scenebuild.navgrid`) is always drawn
from the very pieces the GLB shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild.mesh import F64, Part, concat

#: A piece whose top is at most this high (metres) is stepped onto, not walked around.
STEP_HEIGHT = 0.25
#: A piece whose bottom is at least this high passes over a visitor's head.
HEADROOM = 2.0

Corner = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Footprint:
    """A convex quadrilateral of floor (x, z corners in order around it), in its node's frame."""

    corners: tuple[Corner, Corner, Corner, Corner]

    @classmethod
    def rect(cls, x0: float, z0: float, x1: float, z1: float) -> Footprint:
        """The axis-aligned rectangle [x0, x1] × [z0, z1]."""
        return cls(((x0, z0), (x1, z0), (x1, z1), (x0, z1)))

    def transformed(self, matrix: F64) -> Footprint:
        """This footprint moved by a 4×4 rigid ``matrix`` that turns only about +y."""
        points = np.array([[x, 0.0, z, 1.0] for x, z in self.corners]) @ matrix.T
        a, b, c, d = ((round(float(p[0]), 6) + 0.0, round(float(p[2]), 6) + 0.0) for p in points)
        return Footprint((a, b, c, d))

    def array(self) -> F64:
        """The corners as a 4×2 array."""
        return np.array(self.corners, dtype=np.float64)


def blocks(low: float, high: float) -> bool:
    """Whether something spanning heights ``low``..``high`` stands in a walking visitor's way."""
    return high > STEP_HEIGHT and low < HEADROOM


def footprint_of(positions: F64) -> Footprint | None:
    """The floor rectangle under a piece (the x–z bounds of its vertices), or None if the piece
    is low enough to step on or high enough to walk under."""
    if len(positions) == 0:
        return None
    low, high = positions.min(axis=0), positions.max(axis=0)
    if not blocks(float(low[1]), float(high[1])):
        return None
    return Footprint.rect(float(low[0]), float(low[2]), float(high[0]), float(high[2]))


class Solids:
    """Pieces that end up merged into one mesh (a primitive per material), with the footprint
    of each piece that blocks.

    Footprints are taken piece by piece before merging (a merged wall and
    column would otherwise give one rectangle around both).
    """

    def __init__(self, material: str = "structure") -> None:
        self.material = material
        self.pieces: list[tuple[str, Part]] = []
        self.obstacles: list[Footprint] = []

    @property
    def parts(self) -> list[Part]:
        """Every part, whatever its material."""
        return [part for _, part in self.pieces]

    def add(
        self,
        part: Part,
        *,
        footprint: Footprint | None = None,
        walkable: bool = False,
        material: str | None = None,
    ) -> Part:
        """Add ``part`` (drawn with ``material``, else this collection's default); it blocks the
        floor under it unless ``walkable`` (a stage, steps), or blocks ``footprint`` instead of
        its own bounds when that is given."""
        self.pieces.append((material or self.material, part))
        if footprint is not None:
            self.obstacles.append(footprint)
        elif not walkable:
            found = footprint_of(part.positions)
            if found is not None:
                self.obstacles.append(found)
        return part

    def block(self, footprint: Footprint) -> None:
        """Block ``footprint`` without drawing anything there (a stage's edge)."""
        self.obstacles.append(footprint)

    def extend(self, other: Solids) -> None:
        """Take over ``other``'s pieces and obstacles."""
        self.pieces.extend(other.pieces)
        self.obstacles.extend(other.obstacles)

    def part(self) -> Part:
        """Every part merged into one (all must share a material)."""
        return concat(self.parts)

    def by_material(self) -> dict[str, list[Part]]:
        """The parts grouped by material, in the order materials first appear."""
        groups: dict[str, list[Part]] = {}
        for material, part in self.pieces:
            groups.setdefault(material, []).append(part)
        return groups


def moved(footprints: Iterable[Footprint], matrix: F64) -> list[Footprint]:
    """``footprints`` moved by ``matrix``."""
    return [footprint.transformed(matrix) for footprint in footprints]
