"""The hall's floor cut into regions: zones, the plaza, forum halls and the avenues between.

Each region is its own walkable mesh (so a zone's floor can carry its colour
and its node), and none overlaps another: the floor is split along every
region edge into a grid of cells and each cell goes to the region it lies in.
Coplanar overlapping floors would flicker (z-fighting); a shared grid also
means neighbouring regions meet vertex to vertex, leaving no hairline cracks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild.mesh import Part
from metaexpo.scenes.geometry import Rect

#: The region of floor that belongs to no named area: the avenues.
AVENUES = "avenues"


@dataclass(frozen=True, slots=True)
class Region:
    """A named rectangle of floor (a zone, the plaza, a forum hall)."""

    key: str
    rect: Rect


def _cuts(low: float, high: float, edges: Sequence[float]) -> list[float]:
    inside = {round(edge, 6) for edge in edges if low < edge < high}
    return sorted({low, high} | inside)


def _quad(x0: float, x1: float, z0: float, z1: float) -> tuple[list[list[float]], list[list[int]]]:
    positions = [[x0, 0.0, z0], [x0, 0.0, z1], [x1, 0.0, z1], [x1, 0.0, z0]]
    # Counter-clockwise seen from above, so the face looks up (+y).
    return positions, [[0, 1, 2], [0, 2, 3]]


def split_floor(floor: Rect, regions: Sequence[Region]) -> dict[str, Part]:
    """The floor's cells grouped by region key (:data:`AVENUES` for the rest), as uncoloured
    upward-facing parts at y = 0. Regions must not overlap; a key with no cells is absent."""
    xs = _cuts(floor.x[0], floor.x[1], [e for r in regions for e in r.rect.x])
    zs = _cuts(floor.z[0], floor.z[1], [e for r in regions for e in r.rect.z])
    cells: dict[str, tuple[list[list[float]], list[list[int]]]] = {}
    for x0, x1 in itertools.pairwise(xs):
        for z0, z1 in itertools.pairwise(zs):
            centre = ((x0 + x1) / 2, (z0 + z1) / 2)
            key = next((r.key for r in regions if r.rect.contains_point(centre)), AVENUES)
            positions, faces = _quad(x0, x1, z0, z1)
            found = cells.setdefault(key, ([], []))
            offset = len(found[0])
            found[0].extend(positions)
            found[1].extend([[i + offset for i in face] for face in faces])
    parts = {}
    for key, (positions, faces) in cells.items():
        count = len(positions)
        parts[key] = Part(
            positions=np.array(positions, dtype=np.float64),
            normals=np.tile([0.0, 1.0, 0.0], (count, 1)),
            indices=np.array(faces, dtype=np.int64),
        )
    return parts
