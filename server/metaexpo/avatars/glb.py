"""Pack an :class:`~metaexpo.avatars.model.AvatarModel` into GLB bytes with pygltflib.

Layout (the contract in ``avatars/README.md``): one scene whose single root
node ``avatar`` has the four part nodes as children, each with its own mesh
of one indexed triangle primitive (POSITION, NORMAL, COLOR_0 as float32,
u16 indices) and all using material 0: white, non-metallic PBR, so vertex
colours alone carry the look and every avatar can share one material in a
batched draw. The JSON has no timestamps and is written in a fixed order, so
equal models give equal bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pygltflib  # type: ignore[import-untyped]  # pygltflib ships no type information

from metaexpo.avatars.geometry import MeshData
from metaexpo.avatars.layout import LAYOUT_VERSION, ROOT_NODE
from metaexpo.avatars.model import AvatarModel

GENERATOR = "metaexpo.avatars"
COPYRIGHT = "Metaverse Zhejiang Expo project; Apache-2.0"

_ARRAY_BUFFER = 34962
_ELEMENT_ARRAY_BUFFER = 34963
_FLOAT = 5126
_UNSIGNED_SHORT = 5123


class _BinaryBuilder:
    """Accumulates the binary chunk, its buffer views and accessors."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.views: list[pygltflib.BufferView] = []
        self.accessors: list[pygltflib.Accessor] = []

    def _view(self, data: bytes, target: int) -> int:
        # Every view starts on a 4-byte boundary, as float accessors require.
        self.blob.extend(b"\x00" * (-len(self.blob) % 4))
        self.views.append(
            pygltflib.BufferView(
                buffer=0, byteOffset=len(self.blob), byteLength=len(data), target=target
            )
        )
        self.blob.extend(data)
        return len(self.views) - 1

    def vec3(self, values: npt.NDArray[np.float64], with_bounds: bool = False) -> int:
        """Store an n×3 float32 attribute; POSITION needs its exact min/max."""
        data = np.ascontiguousarray(values, dtype="<f4")
        accessor = pygltflib.Accessor(
            bufferView=self._view(data.tobytes(), _ARRAY_BUFFER),
            componentType=_FLOAT,
            count=len(data),
            type=pygltflib.VEC3,
        )
        if with_bounds:
            # Bounds of the float32 values actually stored, as the validator checks them.
            accessor.min = [float(v) for v in data.min(axis=0)]
            accessor.max = [float(v) for v in data.max(axis=0)]
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def indices(self, faces: npt.NDArray[np.int64]) -> int:
        """Store triangle indices as u16 (every avatar part is far below 65,535 vertices)."""
        if faces.max() >= 65535:
            raise ValueError("too many vertices for 16-bit indices")
        data = np.ascontiguousarray(faces.reshape(-1), dtype="<u2")
        self.accessors.append(
            pygltflib.Accessor(
                bufferView=self._view(data.tobytes(), _ELEMENT_ARRAY_BUFFER),
                componentType=_UNSIGNED_SHORT,
                count=len(data),
                type=pygltflib.SCALAR,
            )
        )
        return len(self.accessors) - 1

    def mesh(self, name: str, mesh: MeshData) -> pygltflib.Mesh:
        """One glTF mesh with a single triangle primitive using material 0."""
        attributes = pygltflib.Attributes(
            POSITION=self.vec3(mesh.positions, with_bounds=True),
            NORMAL=self.vec3(mesh.normals),
            COLOR_0=self.vec3(mesh.colours),
        )
        primitive = pygltflib.Primitive(
            attributes=attributes,
            indices=self.indices(mesh.indices),
            material=0,
            mode=pygltflib.TRIANGLES,
        )
        return pygltflib.Mesh(name=name, primitives=[primitive])


def _material() -> pygltflib.Material:
    """The one shared material: white base colour, so COLOR_0 is the colour."""
    return pygltflib.Material(
        name="avatar",
        pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.8
        ),
    )


def encode_glb(model: AvatarModel) -> bytes:
    """Serialise ``model`` as a binary glTF 2.0 file."""
    builder = _BinaryBuilder()
    meshes = [builder.mesh(part.name, part.mesh) for part in model.parts]
    root = pygltflib.Node(
        name=ROOT_NODE,
        children=list(range(1, len(model.parts) + 1)),
        extras={"avatar_id": model.spec.id, "version": LAYOUT_VERSION},
    )
    part_nodes = [
        pygltflib.Node(
            name=part.name, mesh=i, translation=list(part.translation), extras={"part": part.name}
        )
        for i, part in enumerate(model.parts)
    ]
    builder.blob.extend(b"\x00" * (-len(builder.blob) % 4))
    gltf = pygltflib.GLTF2(
        asset=pygltflib.Asset(version="2.0", generator=GENERATOR, copyright=COPYRIGHT),
        scene=0,
        scenes=[pygltflib.Scene(name=model.spec.id, nodes=[0])],
        nodes=[root, *part_nodes],
        meshes=meshes,
        materials=[_material()],
        accessors=builder.accessors,
        bufferViews=builder.views,
        buffers=[pygltflib.Buffer(byteLength=len(builder.blob))],
    )
    gltf.set_binary_blob(bytes(builder.blob))
    return b"".join(gltf.save_to_bytes())
