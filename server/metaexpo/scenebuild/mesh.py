"""Indexed triangle meshes as the scene builder passes them around: :class:`Part`.

A part is plain numpy arrays (positions, normals, triangles, optional
per-vertex colours and texture coordinates), so that moving, recolouring
and concatenating hundreds of pieces stays vectorised and cheap. Geometry is
made with trimesh (:mod:`metaexpo.scenebuild.shapes`) and ends up here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

#: Positions are rounded to 10 µm: invisible, and it keeps the output bytes independent of
#: last-bit differences in sin/cos between machines.
POSITION_DECIMALS = 5
#: Unit normals are rounded to 6 decimals for the same reason.
NORMAL_DECIMALS = 6


@dataclass(frozen=True)
class Part:
    """A triangle mesh: positions (n×3), unit normals (n×3), triangles (m×3, counter-clockwise
    seen from the front), optional linear RGBA8 colours (n×4), UVs (n×2, glTF convention:
    (0, 0) is the image's top-left corner) and a per-vertex label (n, u8) written as the
    application-specific attribute ``label_name`` (``_ROLE`` of booth bodies, ``_REGION`` of
    booth graphics: docs/scenes.md)."""

    positions: F64
    normals: F64
    indices: I64
    colours: U8 | None = None
    uvs: F64 | None = None
    labels: U8 | None = None
    label_name: str | None = None

    @property
    def vertex_count(self) -> int:
        """Number of vertices."""
        return len(self.positions)

    @property
    def triangle_count(self) -> int:
        """Number of triangles."""
        return len(self.indices)

    def painted(self, rgba: tuple[int, int, int, int]) -> Part:
        """This part with every vertex in one linear RGBA8 colour."""
        colours = np.tile(np.array(rgba, dtype=np.uint8), (self.vertex_count, 1))
        return replace(self, colours=colours)

    def labelled(self, name: str, value: int) -> Part:
        """This part with every vertex labelled ``value`` in attribute ``name``."""
        return replace(self, labels=np.full(self.vertex_count, value, np.uint8), label_name=name)

    def with_uvs(self, uvs: F64) -> Part:
        """This part with texture coordinates ``uvs``."""
        return replace(self, uvs=uvs)

    def transformed(self, matrix: F64) -> Part:
        """This part moved by a 4×4 rigid (rotation + translation) ``matrix``."""
        rotation = matrix[:3, :3]
        positions = self.positions @ rotation.T + matrix[:3, 3]
        normals = self.normals @ rotation.T
        return replace(self, positions=positions, normals=normals)


def concat(parts: Sequence[Part]) -> Part:
    """Join parts into one, renumbering triangles; every part must carry the same attributes.

    Order is kept, so equal inputs give equal output.
    """
    if not parts:
        raise ValueError("nothing to concatenate")
    has_colours = parts[0].colours is not None
    has_uvs = parts[0].uvs is not None
    label_name = parts[0].label_name
    for part in parts:
        if (part.colours is not None) != has_colours or (part.uvs is not None) != has_uvs:
            raise ValueError("parts to join must all have colours (and UVs), or all lack them")
        if part.label_name != label_name:
            raise ValueError("parts to join must all carry the same label attribute, or none")
    offsets = np.cumsum([0] + [part.vertex_count for part in parts[:-1]])
    colours = [part.colours for part in parts if part.colours is not None]
    uvs = [part.uvs for part in parts if part.uvs is not None]
    labels = [part.labels for part in parts if part.labels is not None]
    return Part(
        positions=np.vstack([part.positions for part in parts]),
        normals=np.vstack([part.normals for part in parts]),
        indices=np.vstack(
            [part.indices + offset for part, offset in zip(parts, offsets, strict=True)]
        ),
        colours=np.vstack(colours) if has_colours else None,
        uvs=np.vstack(uvs) if has_uvs else None,
        labels=np.concatenate(labels) if label_name is not None else None,
        label_name=label_name,
    )


def tidy(part: Part) -> Part:
    """Round positions and renormalise/round normals so the stored floats are reproducible."""
    positions = np.round(part.positions, POSITION_DECIMALS) + 0.0  # + 0.0: no -0.0 in the file
    lengths = np.linalg.norm(part.normals, axis=1, keepdims=True)
    normals = np.round(part.normals / np.where(lengths > 0, lengths, 1.0), NORMAL_DECIMALS) + 0.0
    return replace(part, positions=positions, normals=normals)
