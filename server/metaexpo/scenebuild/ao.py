"""Ambient occlusion baked into vertex colours: walls, columns and booths darken towards the
floor, where light from the skylights and the environment reaches them least.

A cheap stand-in for a light map that costs no texture and no draw call: the
factor rises from :data:`FLOOR_SHADE` at the floor to 1 at :data:`REACH`
above it. Pieces taller than the reach get a ring of vertices at that height
(:func:`metaexpo.scenebuild.shapes.split_at_height`), so the darkening stays
near the floor instead of stretching up a whole wall.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from metaexpo.scenebuild.mesh import Part

#: Metres above the floor where the darkening ends.
REACH = 1.4
#: The colour factor at the floor itself.
FLOOR_SHADE = 0.58


def occlude(part: Part, floor: float = 0.0) -> Part:
    """``part`` with its vertex colours darkened by closeness to the floor at height ``floor``."""
    if part.colours is None:
        return part
    height = np.clip((part.positions[:, 1] - floor) / REACH, 0.0, 1.0)
    factor = FLOOR_SHADE + (1.0 - FLOOR_SHADE) * np.sqrt(height)
    colours = part.colours.astype(np.float64)
    colours[:, :3] *= factor[:, None]
    return replace(part, colours=np.round(colours).astype(np.uint8))
