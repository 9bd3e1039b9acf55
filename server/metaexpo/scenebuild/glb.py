"""Pack a scene graph into GLB bytes with pygltflib.

Attributes per primitive: POSITION and NORMAL as float32, COLOR_0 as
normalised unsigned bytes (RGBA; vertex colours are linear, as glTF
specifies), TEXCOORD_0 as float32 where the part has UVs, an
application-specific label (``_ROLE``, ``_REGION``) as unsigned bytes where
the part has one, and indices as u16 when they fit, else u32. Every accessor
has its own 4-byte-aligned buffer view with its target set. The images the
used materials name (the sign atlas placeholder, the floor patterns) are
embedded as PNGs. Meshes with the same key are written once and shared by
their nodes.

The JSON has no timestamps and is written in a fixed order, so equal graphs
give equal bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pygltflib  # type: ignore[import-untyped]  # pygltflib ships no type information

from metaexpo.scenebuild.graph import Primitive, SceneMesh, SceneNode
from metaexpo.scenebuild.materials import ATLAS_TEXTURE, MATERIALS

GENERATOR = "metaexpo.scenebuild"
COPYRIGHT = "Metaverse Zhejiang Expo project; Apache-2.0"

_ARRAY_BUFFER = 34962
_ELEMENT_ARRAY_BUFFER = 34963
_FLOAT = 5126
_UNSIGNED_BYTE = 5121
_UNSIGNED_SHORT = 5123
_UNSIGNED_INT = 5125
_LINEAR = 9729
_LINEAR_MIPMAP_LINEAR = 9987
_CLAMP_TO_EDGE = 33071
_REPEAT = 10497
_UNLIT = "KHR_materials_unlit"
#: The largest index a u16 index buffer may hold (65535 is the primitive-restart value).
_MAX_U16_INDEX = 65534


class _Packer:
    """Accumulates the binary chunk, buffer views, accessors and meshes."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.views: list[pygltflib.BufferView] = []
        self.accessors: list[pygltflib.Accessor] = []
        self.meshes: list[pygltflib.Mesh] = []
        self.mesh_index: dict[str, int] = {}
        self.materials = [material.name for material in MATERIALS]
        self.used_materials: set[str] = set()

    def view(self, data: bytes, target: int | None, stride: int | None = None) -> int:
        """Append ``data`` as a buffer view starting on a 4-byte boundary."""
        self.blob.extend(b"\x00" * (-len(self.blob) % 4))
        self.views.append(
            pygltflib.BufferView(
                buffer=0,
                byteOffset=len(self.blob),
                byteLength=len(data),
                byteStride=stride,
                target=target,
            )
        )
        self.blob.extend(data)
        return len(self.views) - 1

    def attribute(
        self,
        values: npt.NDArray[np.generic],
        dtype: str,
        component: int,
        kind: str,
        *,
        normalized: bool = False,
        bounds: bool = False,
    ) -> int:
        """Store a vertex attribute; POSITION needs the exact min/max of the stored values."""
        data = np.ascontiguousarray(values, dtype=dtype)
        raw, stride = data.tobytes(), None
        element = data.itemsize * (data.shape[1] if data.ndim > 1 else 1)
        if element % 4:
            # Vertex attribute elements must start on 4-byte boundaries: pad each one.
            stride = element + (-element % 4)
            rows = data.reshape(len(data), -1).view(np.uint8)
            padded = np.zeros((len(data), stride), dtype=np.uint8)
            padded[:, :element] = rows
            raw = padded.tobytes()
        accessor = pygltflib.Accessor(
            bufferView=self.view(raw, _ARRAY_BUFFER, stride),
            componentType=component,
            count=len(data),
            type=kind,
            normalized=True if normalized else None,
        )
        if bounds:
            accessor.min = [float(v) for v in data.min(axis=0)]
            accessor.max = [float(v) for v in data.max(axis=0)]
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def indices(self, faces: npt.NDArray[np.int64]) -> int:
        """Store triangle indices, u16 when every index fits."""
        small = int(faces.max()) <= _MAX_U16_INDEX
        data = np.ascontiguousarray(faces.reshape(-1), dtype="<u2" if small else "<u4")
        self.accessors.append(
            pygltflib.Accessor(
                bufferView=self.view(data.tobytes(), _ELEMENT_ARRAY_BUFFER),
                componentType=_UNSIGNED_SHORT if small else _UNSIGNED_INT,
                count=len(data),
                type=pygltflib.SCALAR,
            )
        )
        return len(self.accessors) - 1

    def primitive(self, primitive: Primitive) -> pygltflib.Primitive:
        """One triangle primitive with its attributes and material."""
        part = primitive.part
        attributes = pygltflib.Attributes(
            POSITION=self.attribute(part.positions, "<f4", _FLOAT, pygltflib.VEC3, bounds=True),
            NORMAL=self.attribute(part.normals, "<f4", _FLOAT, pygltflib.VEC3),
        )
        if part.colours is not None:
            attributes.COLOR_0 = self.attribute(
                part.colours, "u1", _UNSIGNED_BYTE, pygltflib.VEC4, normalized=True
            )
        if part.uvs is not None:
            attributes.TEXCOORD_0 = self.attribute(part.uvs, "<f4", _FLOAT, pygltflib.VEC2)
        if part.labels is not None and part.label_name is not None:
            # Application-specific attributes start with "_" (glTF 2.0, 3.7.2.1).
            setattr(
                attributes,
                part.label_name,
                self.attribute(part.labels, "u1", _UNSIGNED_BYTE, pygltflib.SCALAR),
            )
        self.used_materials.add(primitive.material)
        return pygltflib.Primitive(
            attributes=attributes,
            indices=self.indices(part.indices),
            material=self.materials.index(primitive.material),
            mode=pygltflib.TRIANGLES,
        )

    def mesh(self, mesh: SceneMesh) -> int:
        """The index of ``mesh``, writing it the first time its key is seen."""
        found = self.mesh_index.get(mesh.key)
        if found is None:
            primitives = [self.primitive(primitive) for primitive in mesh.primitives]
            self.meshes.append(pygltflib.Mesh(name=mesh.key, primitives=primitives))
            found = self.mesh_index[mesh.key] = len(self.meshes) - 1
        return found


def _material(index: int, textures: dict[str, int]) -> pygltflib.Material:
    spec = MATERIALS[index]
    pbr = pygltflib.PbrMetallicRoughness(
        baseColorFactor=list(spec.base_colour),
        metallicFactor=spec.metallic,
        roughnessFactor=spec.roughness,
    )
    if spec.texture is not None:
        pbr.baseColorTexture = pygltflib.TextureInfo(index=textures[spec.texture])
    material = pygltflib.Material(name=spec.name, pbrMetallicRoughness=pbr)
    if spec.emissive is not None:
        material.emissiveFactor = list(spec.emissive)
    if spec.alpha != "OPAQUE":
        material.alphaMode = spec.alpha
    if spec.double_sided:
        material.doubleSided = True
    if spec.unlit:
        material.extensions = {_UNLIT: {}}
    return material


def encode_glb(root: SceneNode, images: dict[str, bytes]) -> bytes:
    """Serialise the graph under ``root`` (one scene, ``root`` its only root node) as GLB.

    ``images`` maps texture keys (MaterialSpec.texture) to PNG bytes; only those the used
    materials name are embedded. The sign atlas is clamped, the floor patterns repeat.
    """
    packer = _Packer()
    nodes: list[SceneNode] = list(root.walk())
    position = {id(node): index for index, node in enumerate(nodes)}
    gltf_nodes = []
    for node in nodes:
        gltf_node = pygltflib.Node(
            name=node.name,
            children=[position[id(child)] for child in node.children] or None,
            mesh=packer.mesh(node.mesh) if node.mesh is not None else None,
            translation=list(node.translation) if node.translation is not None else None,
            rotation=list(node.rotation) if node.rotation is not None else None,
            extras=dict(node.extras) if node.extras else None,
        )
        gltf_nodes.append(gltf_node)
    # Keep only the materials in use, renumbered in their fixed order.
    used = [i for i, spec in enumerate(MATERIALS) if spec.name in packer.used_materials]
    renumber = {old: new for new, old in enumerate(used)}
    for mesh in packer.meshes:
        for primitive in mesh.primitives:
            primitive.material = renumber[primitive.material]
    images_out: list[pygltflib.Image] = []
    textures_out: list[pygltflib.Texture] = []
    samplers = [
        pygltflib.Sampler(
            magFilter=_LINEAR, minFilter=_LINEAR_MIPMAP_LINEAR, wrapS=wrap, wrapT=wrap
        )
        for wrap in (_CLAMP_TO_EDGE, _REPEAT)
    ]
    texture_index: dict[str, int] = {}
    for i in used:
        key = MATERIALS[i].texture
        if key is None or key in texture_index:
            continue
        name = "sign-atlas" if key == ATLAS_TEXTURE else f"floor-{key}"
        images_out.append(
            pygltflib.Image(
                bufferView=packer.view(images[key], None), mimeType="image/png", name=name
            )
        )
        sampler = 0 if key == ATLAS_TEXTURE else 1
        textures_out.append(
            pygltflib.Texture(sampler=sampler, source=len(images_out) - 1, name=name)
        )
        texture_index[key] = len(textures_out) - 1
    used_samplers = sorted({t.sampler for t in textures_out})
    for texture in textures_out:
        texture.sampler = used_samplers.index(texture.sampler)
    samplers = [samplers[i] for i in used_samplers]
    unlit = any(MATERIALS[i].unlit for i in used)
    packer.blob.extend(b"\x00" * (-len(packer.blob) % 4))
    gltf = pygltflib.GLTF2(
        asset=pygltflib.Asset(version="2.0", generator=GENERATOR, copyright=COPYRIGHT),
        scene=0,
        scenes=[pygltflib.Scene(name=root.name, nodes=[0])],
        nodes=gltf_nodes,
        meshes=packer.meshes,
        materials=[_material(i, texture_index) for i in used],
        textures=textures_out,
        images=images_out,
        samplers=samplers,
        extensionsUsed=[_UNLIT] if unlit else [],
        accessors=packer.accessors,
        bufferViews=packer.views,
        buffers=[pygltflib.Buffer(byteLength=len(packer.blob))],
    )
    gltf.set_binary_blob(bytes(packer.blob))
    return b"".join(gltf.save_to_bytes())
