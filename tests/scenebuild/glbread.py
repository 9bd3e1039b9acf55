"""Reading built GLBs back in tests: accessors, parents and world transforms of nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pygltflib

_DTYPES = {5126: "<f4", 5123: "<u2", 5125: "<u4", 5121: "u1"}
_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


class Glb:
    """A loaded GLB with lookups by node name and helpers for its arrays."""

    def __init__(self, path: Path) -> None:
        self.gltf = pygltflib.GLTF2.load_from_bytes(path.read_bytes())
        self.blob = self.gltf.binary_blob()
        self.nodes: list[Any] = self.gltf.nodes
        self.parent: dict[int, int] = {}
        for index, node in enumerate(self.nodes):
            for child in node.children or []:
                self.parent[child] = index
        self.by_name = {node.name: i for i, node in enumerate(self.nodes)}

    def node(self, name: str) -> Any:
        """The node called ``name``."""
        return self.nodes[self.by_name[name]]

    def extras(self, index: int) -> dict[str, Any]:
        """The node's extras (empty if none)."""
        return dict(self.nodes[index].extras or {})

    def ancestors(self, index: int) -> list[int]:
        """Parent, grandparent, … up to the root."""
        found = []
        while index in self.parent:
            index = self.parent[index]
            found.append(index)
        return found

    def accessor(self, index: int) -> np.ndarray:
        """The accessor's values as a (count × width) array (normalised bytes stay bytes)."""
        accessor = self.gltf.accessors[index]
        view = self.gltf.bufferViews[accessor.bufferView]
        start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
        dtype = np.dtype(_DTYPES[accessor.componentType])
        width = _WIDTHS[accessor.type]
        element = width * dtype.itemsize
        stride = view.byteStride or element
        rows = np.frombuffer(
            self.blob[start : start + (accessor.count - 1) * stride + element], dtype=np.uint8
        )
        padded = np.zeros(accessor.count * stride, dtype=np.uint8)
        padded[: len(rows)] = rows
        data = padded.reshape(accessor.count, stride)[:, :element].copy()
        return data.view(dtype).reshape(accessor.count, width)

    def local_matrix(self, index: int) -> np.ndarray:
        """The node's own 4×4 transform."""
        node = self.nodes[index]
        matrix = np.eye(4)
        if node.rotation:
            x, y, z, w = node.rotation
            matrix[:3, :3] = [
                [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
            ]
        if node.translation:
            matrix[:3, 3] = node.translation
        return matrix

    def world_matrix(self, index: int) -> np.ndarray:
        """The node's transform in scene space."""
        matrix = self.local_matrix(index)
        for ancestor in self.ancestors(index):
            matrix = self.local_matrix(ancestor) @ matrix
        return matrix

    def primitives(self, index: int) -> list[Any]:
        """The primitives of the node's mesh (none if it has no mesh)."""
        node = self.nodes[index]
        return [] if node.mesh is None else list(self.gltf.meshes[node.mesh].primitives)

    def world_triangles(self, index: int) -> np.ndarray:
        """Every triangle of the node's mesh in scene space, (m × 3 × 3)."""
        matrix = self.world_matrix(index)
        found = []
        for primitive in self.primitives(index):
            positions = self.accessor(primitive.attributes.POSITION).astype(np.float64)
            positions = positions @ matrix[:3, :3].T + matrix[:3, 3]
            faces = self.accessor(primitive.indices).reshape(-1, 3).astype(np.int64)
            found.append(positions[faces])
        return np.concatenate(found) if found else np.zeros((0, 3, 3))

    def material_name(self, primitive: Any) -> str:
        """The name of the primitive's material."""
        return str(self.gltf.materials[primitive.material].name)
