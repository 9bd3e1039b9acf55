"""Coloured triangle meshes: the in-memory form every avatar part passes through.

A :class:`Solid` is one closed shape in one colour, as the shape generators
make it (shared vertices, no normals). :func:`shade` turns it into a
:class:`MeshData` with normals, splitting vertices only along creases so that
spheres look smooth and boxes keep their hard edges while the vertex count
stays small. :func:`merge` joins the pieces of one avatar part into the
single indexed primitive the GLB stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.avatars.colours import Rgb

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: Positions are rounded to 10 µm: far below what anyone can see, and it makes
#: the output independent of last-bit differences in sin/cos between machines.
POSITION_DECIMALS = 5


@dataclass(frozen=True)
class Solid:
    """One shape in one colour: vertex positions (n×3), triangles (m×3), crease angle.

    ``crease_deg`` is the angle between neighbouring faces above which an edge
    is drawn hard; 180 means smooth everywhere, 0 means flat everywhere.
    """

    positions: F64
    faces: I64
    colour: Rgb
    crease_deg: float = 50.0

    def transformed(self, matrix: F64) -> Solid:
        """Return this solid moved by a 4×4 affine ``matrix`` (winding kept right-handed)."""
        homogeneous = np.hstack([self.positions, np.ones((len(self.positions), 1))])
        moved = (homogeneous @ matrix.T)[:, :3]
        faces = self.faces
        if np.linalg.det(matrix[:3, :3]) < 0:
            faces = faces[:, ::-1]
        return Solid(moved, faces.copy(), self.colour, self.crease_deg)

    def mirrored_x(self) -> Solid:
        """Return the mirror image across the YZ plane (a left hand from a right one)."""
        return self.transformed(np.diag([-1.0, 1.0, 1.0, 1.0]))


@dataclass(frozen=True)
class MeshData:
    """An indexed, shaded, coloured triangle mesh ready to pack into a glTF primitive."""

    positions: F64
    normals: F64
    colours: F64
    indices: I64

    @property
    def triangle_count(self) -> int:
        """Number of triangles (``indices`` has one row per triangle)."""
        return len(self.indices)


def _face_normals(positions: F64, faces: I64) -> tuple[F64, F64]:
    """Unit face normals, and area-weighted ones for averaging."""
    a, b, c = (positions[faces[:, k]] for k in range(3))
    weighted = np.cross(b - a, c - a)
    length = np.linalg.norm(weighted, axis=1, keepdims=True)
    unit = weighted / np.where(length > 0, length, 1.0)
    return unit, weighted


def _weld(positions: F64, faces: I64) -> tuple[F64, I64]:
    """Merge vertices at the same position (generators repeat them along seams).

    Without this a sphere's seam would shade as a crease. First-appearance
    order is kept so the output does not depend on a sort.
    """
    _, first, inverse = np.unique(positions, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    new_index = np.empty_like(order)
    new_index[order] = np.arange(len(order))
    return positions[np.sort(first)], new_index[inverse.reshape(-1)][faces]


def shade(solid: Solid) -> MeshData:
    """Compute crease-aware vertex normals for ``solid`` and split vertices where needed.

    Each triangle corner gets the area-weighted average of the normals of the
    faces around its vertex that are within the crease angle of its own face,
    so a cube gets three normals per corner and a sphere one.
    """
    rounded_positions = np.round(solid.positions, POSITION_DECIMALS) + 0.0  # +0.0: no -0.0
    positions, faces = _weld(rounded_positions, solid.faces)
    unit, weighted = _face_normals(positions, faces)
    keep = np.linalg.norm(weighted, axis=1) > 1e-12
    faces, unit, weighted = faces[keep], unit[keep], weighted[keep]

    around: list[list[int]] = [[] for _ in range(len(positions))]
    for face_index, face in enumerate(faces):
        for vertex in face:
            around[int(vertex)].append(face_index)

    cos_crease = np.cos(np.radians(solid.crease_deg))
    corner_key: dict[tuple[int, tuple[float, float, float]], int] = {}
    out_positions: list[F64] = []
    out_normals: list[F64] = []
    out_faces = np.zeros_like(faces)
    for face_index, face in enumerate(faces):
        for k, vertex in enumerate(face):
            neighbours = np.array(around[int(vertex)], dtype=np.int64)
            close = neighbours[unit[neighbours] @ unit[face_index] >= cos_crease - 1e-9]
            normal = weighted[close].sum(axis=0)
            normal = normal / np.linalg.norm(normal)
            rounded = np.round(normal, 4) + 0.0
            key = (int(vertex), (float(rounded[0]), float(rounded[1]), float(rounded[2])))
            index = corner_key.get(key)
            if index is None:
                index = len(out_positions)
                corner_key[key] = index
                out_positions.append(positions[vertex])
                out_normals.append(rounded / np.linalg.norm(rounded))
            out_faces[face_index, k] = index

    count = len(out_positions)
    return MeshData(
        positions=np.array(out_positions, dtype=np.float64).reshape(count, 3),
        normals=np.array(out_normals, dtype=np.float64).reshape(count, 3),
        colours=np.tile(np.array(solid.colour, dtype=np.float64), (count, 1)),
        indices=out_faces.astype(np.int64),
    )


def merge(parts: Sequence[MeshData]) -> MeshData:
    """Concatenate meshes into one, renumbering indices; order is kept so output is stable."""
    offsets = np.cumsum([0] + [len(p.positions) for p in parts])
    return MeshData(
        positions=np.vstack([p.positions for p in parts]),
        normals=np.vstack([p.normals for p in parts]),
        colours=np.vstack([p.colours for p in parts]),
        indices=np.vstack([p.indices + offset for p, offset in zip(parts, offsets, strict=False)]),
    )


def shade_all(solids: Sequence[Solid]) -> MeshData:
    """Shade each solid and merge them: one avatar part as one mesh."""
    return merge([shade(s) for s in solids])
