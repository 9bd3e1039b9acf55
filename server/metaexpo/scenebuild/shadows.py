"""Soft contact shadows on the floor around everything that stands on it.

A ring of floor around each footprint fades from a soft dark at its edge to
nothing a little way out; all rings of a hall are one mesh drawn with the
unlit, blended ``shadow`` material, so grounding every booth, pylon and wall
costs one draw call and no light map. The floor under a footprint gets no
shadow (the piece covers it).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from metaexpo.scenebuild.mesh import Part, concat

#: How far out a shadow fades (m), how dark it starts (alpha 0–255) and how high above the
#: floor it lies (m: above the floor, below anything standing on it).
SPREAD = 0.9
DARKNESS = 78
LIFT = 0.012

Rect = tuple[float, float, float, float]


def ring(rect: Rect, spread: float = SPREAD, darkness: int = DARKNESS) -> Part:
    """The shadow ring around the floor rectangle (x0, z0, x1, z1)."""
    x0, z0, x1, z1 = rect
    inner = [(x0, z0), (x1, z0), (x1, z1), (x0, z1)]
    outer = [
        (x0 - spread, z0 - spread),
        (x1 + spread, z0 - spread),
        (x1 + spread, z1 + spread),
        (x0 - spread, z1 + spread),
    ]
    positions = np.array([(x, LIFT, z) for x, z in inner + outer], dtype=np.float64)
    faces = []
    for k in range(4):
        a, b = k, (k + 1) % 4
        # Counter-clockwise seen from above: inner a, outer a, outer b; inner a, outer b, inner b.
        faces += [[a, 4 + b, 4 + a], [a, b, 4 + b]]
    colours = np.zeros((8, 4), dtype=np.uint8)
    colours[:4, 3] = darkness
    return Part(
        positions=positions,
        normals=np.tile([0.0, 1.0, 0.0], (8, 1)),
        indices=np.array(faces, dtype=np.int64),
        colours=colours,
    )


def shadows(rects: Iterable[Rect]) -> Part | None:
    """Every ring merged into one part, or None when there is nothing to ground."""
    rings = [ring(rect) for rect in rects]
    return concat(rings) if rings else None
