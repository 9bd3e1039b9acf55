"""Primitive solids made with trimesh and shaded into :class:`~metaexpo.scenebuild.mesh.Part`.

Everything in the hall is built from boxes and low-poly cylinders: they read
clearly at a distance, cost few triangles, and flat faces light well under the
client's simple lights. Shading splits vertices along creases (trimesh's
``smooth_shade``), so boxes keep hard edges and pillars look round.
"""

from __future__ import annotations

import math

import numpy as np
import trimesh
from trimesh import graph

from metaexpo.scenebuild.mesh import F64, Part

Vec3 = tuple[float, float, float]

#: Faces meeting at more than this angle get a hard edge.
CREASE_DEG = 35.0


def translation(offset: Vec3) -> F64:
    """The 4×4 matrix moving by ``offset``."""
    matrix = np.eye(4)
    matrix[:3, 3] = offset
    return matrix


def yaw(degrees: float) -> F64:
    """The 4×4 rotation about +y by ``degrees`` (counter-clockwise seen from above, as three.js
    ``rotation.y``). Quarter turns are exact, so turned booths stay on the millimetre grid."""
    quarter = {0.0: (1.0, 0.0), 90.0: (0.0, 1.0), 180.0: (-1.0, 0.0), 270.0: (0.0, -1.0)}
    cos_sin = quarter.get(degrees % 360.0)
    if cos_sin is None:
        radians = math.radians(degrees)
        cos_sin = (math.cos(radians), math.sin(radians))
    c, s = cos_sin
    matrix = np.eye(4)
    matrix[0, 0], matrix[0, 2], matrix[2, 0], matrix[2, 2] = c, s, -s, c
    return matrix


def box(size: Vec3, centre: Vec3, *, bottom: bool = False, top: bool = True) -> trimesh.Trimesh:
    """An axis-aligned box; its bottom face is left out unless asked for (it rests on a floor
    and would only cost triangles nobody sees), its top face when ``top`` is false (something
    else covers it, as a stage's boards cover its body)."""
    mesh = trimesh.creation.box(extents=size, transform=translation(centre))
    keep = np.ones(len(mesh.faces), dtype=bool)
    if not bottom:
        keep &= mesh.face_normals[:, 1] > -0.5
    if not top:
        keep &= mesh.face_normals[:, 1] < 0.5
    if not keep.all():
        mesh = trimesh.Trimesh(mesh.vertices, mesh.faces[keep], process=False)
    return mesh


def box_between(
    low: Vec3, high: Vec3, *, bottom: bool = False, top: bool = True
) -> trimesh.Trimesh:
    """The axis-aligned box spanning corner ``low`` to corner ``high``."""
    size = (high[0] - low[0], high[1] - low[1], high[2] - low[2])
    centre = ((high[0] + low[0]) / 2, (high[1] + low[1]) / 2, (high[2] + low[2]) / 2)
    return box(size, centre, bottom=bottom, top=top)


def cylinder(radius: float, height: float, base: Vec3, sections: int = 12) -> trimesh.Trimesh:
    """An upright cylinder standing on ``base`` (the centre of its bottom), bottom cap removed."""
    mesh = trimesh.creation.cylinder(
        radius=radius,
        height=height,
        sections=sections,
        transform=translation((base[0], base[1] + height / 2, base[2]))
        @ np.array([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=float),
    )
    keep = mesh.face_normals[:, 1] > -0.99
    return trimesh.Trimesh(mesh.vertices, mesh.faces[keep], process=False)


def split_at_height(mesh: trimesh.Trimesh, height: float) -> trimesh.Trimesh:
    """``mesh`` with every triangle that crosses the plane y = ``height`` cut along it, so
    vertex colours can change there (baked shade near the floor)."""
    low, high = mesh.bounds[0][1], mesh.bounds[1][1]
    if not low + 1e-6 < height < high - 1e-6:
        return mesh
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    origin = np.array([0.0, height, 0.0])
    below_v, below_f = trimesh.intersections.slice_faces_plane(  # type: ignore[no-untyped-call]
        vertices, faces, np.array([0.0, -1.0, 0.0]), origin
    )[:2]
    above_v, above_f = trimesh.intersections.slice_faces_plane(  # type: ignore[no-untyped-call]
        vertices, faces, np.array([0.0, 1.0, 0.0]), origin
    )[:2]
    return trimesh.Trimesh(
        np.vstack([below_v, above_v]),
        np.vstack([below_f, above_f + len(below_v)]),
        process=False,
    )


#: Pieces standing on the floor and taller than this get a ring of vertices at AO_RING (m).
AO_RING = 1.4


def standing(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """A piece standing on the floor, cut at :data:`AO_RING` when it is taller than twice that,
    so the shade baked near the floor (metaexpo.scenebuild.ao) stays near the floor."""
    low, high = mesh.bounds[0][1], mesh.bounds[1][1]
    if low < 0.3 and high > 2 * AO_RING:
        return split_at_height(mesh, AO_RING)
    return mesh


def shade(mesh: trimesh.Trimesh, crease_deg: float = CREASE_DEG) -> Part:
    """The mesh with crease-aware vertex normals, as an uncoloured part."""
    smooth = graph.smooth_shade(mesh, angle=math.radians(crease_deg), facet_minarea=None)
    return Part(
        positions=np.asarray(smooth.vertices, dtype=np.float64),
        normals=np.asarray(smooth.vertex_normals, dtype=np.float64),
        indices=np.asarray(smooth.faces, dtype=np.int64),
    )


def solid(mesh: trimesh.Trimesh, rgba: tuple[int, int, int, int]) -> Part:
    """Shade ``mesh`` and paint it one colour."""
    return shade(mesh).painted(rgba)
