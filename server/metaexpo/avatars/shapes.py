"""Parametric low-poly shapes in avatar space (metres, +Y up, facing -Z).

Every round shape is a *lathe*: a profile of (radius, height) points turned
around the Y axis by trimesh's ``revolve``. One generator with a few
sections gives spheres, capsules, hats, robes and cones with a predictable
triangle count (``sections × (points − 1) × 2`` less the pole fans).
Boxes come from trimesh directly. Placement helpers return new solids; the
generators never mutate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh

from metaexpo.avatars.colours import Rgb
from metaexpo.avatars.geometry import F64, I64, Solid

#: trimesh revolves around +Z; this turns +Z into +Y (a proper rotation, so
#: outward-facing winding is preserved).
_Z_TO_Y = np.array(
    [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


def _from_trimesh(mesh: trimesh.Trimesh, colour: Rgb, crease_deg: float) -> Solid:
    positions: F64 = np.asarray(mesh.vertices, dtype=np.float64)
    faces: I64 = np.asarray(mesh.faces, dtype=np.int64)
    return Solid(positions, faces, colour, crease_deg)


def translation(x: float, y: float, z: float) -> F64:
    """A 4×4 matrix moving by (x, y, z)."""
    matrix = np.eye(4)
    matrix[:3, 3] = (x, y, z)
    return matrix


def scaling(x: float, y: float, z: float) -> F64:
    """A 4×4 matrix scaling each axis."""
    return np.diag([x, y, z, 1.0])


def rotation(axis: str, degrees: float) -> F64:
    """A 4×4 right-handed rotation about the named axis ("x", "y" or "z")."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    matrix = np.eye(4)
    matrix[i, i], matrix[i, j], matrix[j, i], matrix[j, j] = c, -s, s, c
    return matrix


def place(solid: Solid, *matrices: F64) -> Solid:
    """Apply ``matrices`` to ``solid`` in order (the first is applied first)."""
    for matrix in matrices:
        solid = solid.transformed(matrix)
    return solid


def lathe(
    profile: Sequence[tuple[float, float]],
    colour: Rgb,
    *,
    sections: int = 8,
    crease_deg: float = 50.0,
) -> Solid:
    """Turn a (radius, y) profile around the Y axis.

    The profile runs from bottom to top; start and end it at radius 0 for a
    closed solid.
    """
    mesh = trimesh.creation.revolve(np.asarray(profile, dtype=np.float64), sections=sections)
    return _from_trimesh(mesh, colour, crease_deg).transformed(_Z_TO_Y)


def ellipsoid(
    radii: tuple[float, float, float],
    colour: Rgb,
    *,
    rings: int = 5,
    sections: int = 8,
    crease_deg: float = 180.0,
) -> Solid:
    """An ellipsoid centred on the origin; ``rings`` profile segments pole to pole."""
    profile = [
        (math.sin(math.pi * k / rings), -math.cos(math.pi * k / rings)) for k in range(rings + 1)
    ]
    profile[0], profile[-1] = (0.0, -1.0), (0.0, 1.0)
    return place(lathe(profile, colour, sections=sections, crease_deg=crease_deg), scaling(*radii))


def capsule(
    radius: float,
    height: float,
    colour: Rgb,
    *,
    cap_rings: int = 2,
    sections: int = 8,
    crease_deg: float = 180.0,
) -> Solid:
    """A vertical capsule of total ``height``, bottom at y = 0."""
    straight = max(height - 2 * radius, 0.0)
    bottom = [
        (
            radius * math.sin(math.pi / 2 * k / cap_rings),
            radius * (1 - math.cos(math.pi / 2 * k / cap_rings)),
        )
        for k in range(cap_rings + 1)
    ]
    top = [(r, height - y) for r, y in reversed(bottom)]
    profile = [(0.0, 0.0), *bottom[1:], *top[:-1], (0.0, height)]
    if straight == 0.0:
        profile = [(0.0, 0.0), *bottom[1:-1], (radius, radius), *top[1:-1], (0.0, height)]
    return lathe(profile, colour, sections=sections, crease_deg=crease_deg)


def frustum(
    bottom_radius: float,
    top_radius: float,
    height: float,
    colour: Rgb,
    *,
    sections: int = 8,
) -> Solid:
    """A truncated cone (a cylinder when the radii match), bottom at y = 0, hard cap edges."""
    profile = [(0.0, 0.0), (bottom_radius, 0.0), (top_radius, height), (0.0, height)]
    if top_radius == 0.0:
        profile = profile[:3]
    return lathe(profile, colour, sections=sections, crease_deg=50.0)


def box(extents: tuple[float, float, float], colour: Rgb) -> Solid:
    """A box centred on the origin, flat-shaded."""
    mesh = trimesh.creation.box(extents=np.asarray(extents, dtype=np.float64))
    return _from_trimesh(mesh, colour, crease_deg=30.0)
