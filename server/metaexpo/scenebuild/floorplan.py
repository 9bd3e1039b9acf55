"""The hall's floor cut into regions: zones, the plaza, forum halls and the avenues between.

Each region is coloured (and textured) its own way, and none overlaps
another: the floor is split along every region edge (and a few extra lines:
inlays, borders, aisle runners) into a grid of cells and each cell goes to
the region it lies in. Coplanar overlapping floors would flicker
(z-fighting); a shared grid also means neighbouring regions meet vertex to
vertex, leaving no hairline cracks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from metaexpo.scenebuild.mesh import Part
from metaexpo.scenebuild.palette import Rgba8
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


Cell = tuple[float, float, float, float]
"""A rectangle of floor: (x0, x1, z0, z1)."""


def split_floor(
    floor: Rect,
    regions: Sequence[Region],
    extra_x: Sequence[float] = (),
    extra_z: Sequence[float] = (),
) -> dict[str, list[Cell]]:
    """The floor's cells grouped by region key (:data:`AVENUES` for the rest). Every region
    edge and every ``extra_x``/``extra_z`` line cuts the whole floor, so cells of neighbouring
    regions meet corner to corner. Regions must not overlap; a key with no cells is absent."""
    xs = _cuts(floor.x[0], floor.x[1], [*[e for r in regions for e in r.rect.x], *extra_x])
    zs = _cuts(floor.z[0], floor.z[1], [*[e for r in regions for e in r.rect.z], *extra_z])
    cells: dict[str, list[Cell]] = {}
    for x0, x1 in itertools.pairwise(xs):
        for z0, z1 in itertools.pairwise(zs):
            centre = ((x0 + x1) / 2, (z0 + z1) / 2)
            key = next((r.key for r in regions if r.rect.contains_point(centre)), AVENUES)
            cells.setdefault(key, []).append((x0, x1, z0, z1))
    return cells


def floor_part(cells: Sequence[Cell], colour_of: Callable[[Cell], Rgba8], tile: float) -> Part:
    """Upward-facing quads at y = 0 for ``cells``, each in its colour, with UVs that repeat a
    texture every ``tile`` metres (u along x, v along z)."""
    positions = np.array(
        [[[x0, 0.0, z0], [x0, 0.0, z1], [x1, 0.0, z1], [x1, 0.0, z0]] for x0, x1, z0, z1 in cells],
        dtype=np.float64,
    ).reshape(-1, 3)
    count = len(cells)
    # Counter-clockwise seen from above, so every face looks up (+y).
    base = np.arange(count, dtype=np.int64)[:, None] * 4
    indices = (base + np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int64).reshape(1, 6)).reshape(-1, 3)
    colours = np.repeat(np.array([colour_of(cell) for cell in cells], dtype=np.uint8), 4, axis=0)
    return Part(
        positions=positions,
        normals=np.tile([0.0, 1.0, 0.0], (4 * count, 1)),
        indices=indices,
        colours=colours,
        uvs=positions[:, [0, 2]] / tile,
    )
