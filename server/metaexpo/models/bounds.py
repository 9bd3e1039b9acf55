"""Where the model's vertices end up in the scene: world transforms and the bounding box.

Bounds are taken over every vertex in its rest pose as three.js draws it:
node transforms applied parents-first, default morph weights (node weights,
else mesh weights) added, and skinned vertices placed by their joints
(Σ weight · jointWorld · inverseBind · position), since a skinned mesh
ignores its own node's transform. Animations are dropped, so the rest pose
is what visitors see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.models.accessors import AccessorReader
from metaexpo.models.schema import Gltf, Node

Matrix = npt.NDArray[np.float64]
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box: ``low`` and ``high`` corners (x, y, z)."""

    low: tuple[float, float, float]
    high: tuple[float, float, float]

    @property
    def size(self) -> tuple[float, float, float]:
        """Extent along x, y and z."""
        return (
            self.high[0] - self.low[0],
            self.high[1] - self.low[1],
            self.high[2] - self.low[2],
        )

    def to_json(self) -> dict[str, list[float]]:
        """``{"min": [x, y, z], "max": [x, y, z]}``."""
        return {"min": list(self.low), "max": list(self.high)}


def local_matrix(node: Node, rotation: list[float] | None = None) -> Matrix:
    """The node's local transform as a 4×4 matrix (``rotation`` overrides a repaired one)."""
    if node.matrix is not None:
        return np.array(node.matrix, dtype=np.float64).reshape(4, 4).T
    t = node.translation or [0.0, 0.0, 0.0]
    x, y, z, w = rotation or node.rotation or [0.0, 0.0, 0.0, 1.0]
    s = node.scale or [1.0, 1.0, 1.0]
    r = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    m = np.eye(4)
    m[:3, :3] = r * np.array(s)[None, :]
    m[:3, 3] = t
    return m


def world_matrices(
    g: Gltf,
    order: tuple[int, ...],
    parent: tuple[int | None, ...],
    rotations: dict[int, list[float]],
) -> dict[int, Matrix]:
    """World matrix of every node in ``order`` (parents come before children)."""
    world: dict[int, Matrix] = {}
    for i in order:
        local = local_matrix(g.nodes[i], rotations.get(i))
        up = parent[i]
        world[i] = world[up] @ local if up is not None else local
    return world


def _morphed(
    g: Gltf, node: Node, mesh_index: int, prim_index: int, reader: AccessorReader
) -> npt.NDArray[np.float64] | None:
    mesh = g.meshes[mesh_index]
    prim = mesh.primitives[prim_index]
    positions = reader.floats(prim.attributes["POSITION"])
    if positions is None:
        return None
    weights = node.weights or mesh.weights or []
    for weight, target in zip(weights, prim.targets or [], strict=False):
        if weight and "POSITION" in target:
            delta = reader.floats(target["POSITION"])
            if delta is not None:
                positions = positions + weight * delta
    return positions


def _skinned(
    g: Gltf,
    node: Node,
    attributes: dict[str, int],
    positions: npt.NDArray[np.float64],
    world: dict[int, Matrix],
    reader: AccessorReader,
) -> npt.NDArray[np.float64]:
    assert node.skin is not None
    skin = g.skins[node.skin]
    joints_world = np.stack([world[j] for j in skin.joints])
    if skin.inverse_bind_matrices is not None:
        ibm = reader.floats(skin.inverse_bind_matrices)
        assert ibm is not None
        inverse = ibm[: len(skin.joints)].reshape(-1, 4, 4).transpose(0, 2, 1)
        joint_mats = joints_world @ inverse
    else:
        joint_mats = joints_world
    sets = sum(1 for name in attributes if name.startswith("JOINTS_"))
    out = np.zeros_like(positions)
    for start in range(0, len(positions), _CHUNK):
        p = positions[start : start + _CHUNK]
        acc = np.zeros_like(p)
        for n in range(sets):
            joints = reader.raw(attributes[f"JOINTS_{n}"])
            weights = reader.floats(attributes[f"WEIGHTS_{n}"])
            assert joints is not None and weights is not None
            for k in range(4):
                j = joints[start : start + _CHUNK, k].astype(np.int64)
                w = weights[start : start + _CHUNK, k]
                mats = joint_mats[j]
                moved = np.einsum("nij,nj->ni", mats[:, :3, :3], p) + mats[:, :3, 3]
                acc += w[:, None] * moved
        out[start : start + _CHUNK] = acc
    return out


def scene_bounds(
    g: Gltf,
    order: tuple[int, ...],
    world: dict[int, Matrix],
    reader: AccessorReader,
) -> Box | None:
    """The box around every vertex of the scene in its rest pose, or None if there are none."""
    low = np.full(3, np.inf)
    high = np.full(3, -np.inf)
    for i in order:
        node = g.nodes[i]
        if node.mesh is None:
            continue
        for p, prim in enumerate(g.meshes[node.mesh].primitives):
            positions = _morphed(g, node, node.mesh, p, reader)
            if positions is None or not len(positions):
                continue
            if node.skin is not None:
                placed = _skinned(g, node, prim.attributes, positions, world, reader)
            else:
                m = world[i]
                placed = positions @ m[:3, :3].T + m[:3, 3]
            low = np.minimum(low, placed.min(axis=0))
            high = np.maximum(high, placed.max(axis=0))
    if not np.isfinite(low).all() or not np.isfinite(high).all():
        return None
    return Box(
        (float(low[0]), float(low[1]), float(low[2])),
        (float(high[0]), float(high[1]), float(high[2])),
    )
