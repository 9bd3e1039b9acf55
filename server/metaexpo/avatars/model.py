"""An avatar as the GLB will hold it: four named parts, each a mesh at a rest translation.

This is the single in-memory form shared by the GLB packer, the thumbnail
renderer and the tests, so they cannot disagree about the geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaexpo.avatars.bodies import build_body
from metaexpo.avatars.geometry import F64, MeshData, merge, shade_all
from metaexpo.avatars.hands import build_hands
from metaexpo.avatars.heads import build_head
from metaexpo.avatars.layout import PARTS, REST_TRANSLATIONS
from metaexpo.avatars.spec import AvatarSpec


@dataclass(frozen=True)
class AvatarPart:
    """One child node of the avatar root: its name, rest translation and mesh (node frame)."""

    name: str
    translation: tuple[float, float, float]
    mesh: MeshData


@dataclass(frozen=True)
class AvatarModel:
    """A built avatar: its spec and its parts in :data:`~metaexpo.avatars.layout.PARTS` order."""

    spec: AvatarSpec
    parts: tuple[AvatarPart, ...]

    @property
    def triangle_count(self) -> int:
        """Triangles over all parts: what the per-avatar budget limits."""
        return sum(p.mesh.triangle_count for p in self.parts)

    def in_avatar_space(self) -> MeshData:
        """All parts merged, moved from their node frames into avatar space (for rendering)."""
        moved = []
        for part in self.parts:
            offset: F64 = np.array(part.translation, dtype=np.float64)
            mesh = part.mesh
            moved.append(
                MeshData(mesh.positions + offset, mesh.normals, mesh.colours, mesh.indices)
            )
        return merge(moved)


def build_model(spec: AvatarSpec) -> AvatarModel:
    """Build every part of ``spec`` and put them in the contract's node order."""
    left, right = build_hands(spec)
    solids = {
        "head": build_head(spec),
        "body": build_body(spec),
        "hand_left": left,
        "hand_right": right,
    }
    parts = tuple(
        AvatarPart(name, REST_TRANSLATIONS[name], shade_all(solids[name])) for name in PARTS
    )
    return AvatarModel(spec, parts)
