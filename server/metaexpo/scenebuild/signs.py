"""Sign panels: flat quads the client paints text onto, in the visitor's language.

The builder cannot know the language, so it bakes no text: every sign is a
quad whose UVs cover its own rectangle of one shared atlas (see
:mod:`metaexpo.scenebuild.atlas`), and its node's extras say whose sign it is.
A sign may have several faces (an island's tower shows its name on all four
sides), all showing the same rectangle. Faces sit a few centimetres in front
of their backing, so the two never fight for the same depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from metaexpo.scenebuild.mesh import Part, concat

SignKind = Literal["booth", "zone", "gate", "info_wall", "forum", "hall", "entrance"]

#: How far a sign face stands in front of the surface it hangs on, in metres.
SIGN_OFFSET = 0.03

Vec3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class SignFace:
    """One readable rectangle: centre, unit ``right`` and ``up`` as a reader sees them, size."""

    centre: Vec3
    right: Vec3
    up: Vec3
    width: float
    height: float

    @classmethod
    def upright(cls, centre: Vec3, facing_deg: float, width: float, height: float) -> SignFace:
        """A vertical face whose front looks along +z turned by ``facing_deg`` about +y
        (0: +z, 90: +x, 180: -z, 270: -x, as booth rotations)."""
        angle = math.radians(facing_deg)
        # Rounded so quarter turns give exact axes (cos 90° is 6e-17 otherwise).
        c, s = round(math.cos(angle), 12) + 0.0, round(math.sin(angle), 12) + 0.0
        return cls(
            centre=centre, right=(c, 0.0, -s), up=(0.0, 1.0, 0.0), width=width, height=height
        )

    def transformed(self, matrix: npt.NDArray[np.float64]) -> SignFace:
        """This face moved by a 4×4 rigid ``matrix`` (rotation + translation)."""
        rotation = matrix[:3, :3]
        centre = rotation @ np.array(self.centre) + matrix[:3, 3]
        right = rotation @ np.array(self.right)
        up = rotation @ np.array(self.up)
        return SignFace(
            centre=_vec(centre),
            right=_vec(right),
            up=_vec(up),
            width=self.width,
            height=self.height,
        )


def _vec(values: npt.NDArray[np.float64]) -> Vec3:
    # Rounded so that quarter turns give exact axes and output bytes stay reproducible.
    x, y, z = (round(float(v), 9) + 0.0 for v in values)
    return (x, y, z)


@dataclass(frozen=True, slots=True)
class Sign:
    """A sign of the hall: whose it is (``kind``, ``id``), its faces, and how much atlas it
    deserves (``atlas_width``: its width in pixels of the nominal atlas before fitting)."""

    kind: SignKind
    id: str
    faces: tuple[SignFace, ...]
    atlas_width: int

    @property
    def key(self) -> tuple[str, str]:
        """(kind, id): unique within a hall."""
        return (self.kind, self.id)

    @property
    def aspect(self) -> float:
        """Width over height of its faces (all faces of a sign have the same size)."""
        return self.faces[0].width / self.faces[0].height

    @property
    def node_name(self) -> str:
        """The glTF node name, e.g. ``sign:booth:retail-01``."""
        return f"sign:{self.kind}:{self.id}"


def face_quad(face: SignFace, rect: tuple[float, float, float, float]) -> Part:
    """One face as a quad whose UVs span ``rect`` [u0, v0, u1, v1] (top-left to bottom-right
    as the reader sees it)."""
    centre = np.array(face.centre)
    right = np.array(face.right) * (face.width / 2.0)
    up = np.array(face.up) * (face.height / 2.0)
    normal = np.cross(face.right, face.up)
    u0, v0, u1, v1 = rect
    # Top-left, top-right, bottom-right, bottom-left as the reader sees them; glTF UVs put
    # (0, 0) at the image's top-left, so the top edge gets v0.
    positions = np.array(
        [centre - right + up, centre + right + up, centre + right - up, centre - right - up]
    )
    uvs = np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]], dtype=np.float64)
    return Part(
        positions=positions,
        normals=np.tile(normal, (4, 1)),
        indices=np.array([[0, 3, 2], [0, 2, 1]], dtype=np.int64),
        uvs=uvs,
    )


def sign_part(sign: Sign, rect: tuple[float, float, float, float]) -> Part:
    """The mesh of ``sign``: one quad per face, each mapping exactly ``rect`` of the atlas."""
    return concat([face_quad(face, rect) for face in sign.faces])
