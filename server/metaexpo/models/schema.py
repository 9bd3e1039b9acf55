"""The glTF 2.0 JSON schema, as strict pydantic models: types, ranges and enums checked in one go.

Only the properties the pipeline understands are declared; unknown ones
(and every ``extras``) are ignored, which is also how the normalised output
is sanitised: it is written from these models, so nothing undeclared can
pass through. Integers written as ``3.0`` are accepted (some exporters do
that), strings, booleans, NaN and infinities where numbers belong are not.
``animations`` and ``cameras`` are not modelled: they are dropped.

Extensions are modelled only where they are kept (materials and texture
references, see :class:`MaterialExtensions`); elsewhere they are dropped
with the other unknown properties. Which extensions refuse a model is
decided in :mod:`.extensions`. Cross-object rules (indices in range, byte
ranges, node graph) are in :mod:`.structure`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

BYTE = 5120
UNSIGNED_BYTE = 5121
SHORT = 5122
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125
FLOAT = 5126
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963

#: Bytes per component, by componentType.
COMPONENT_SIZE = {BYTE: 1, UNSIGNED_BYTE: 1, SHORT: 2, UNSIGNED_SHORT: 2, UNSIGNED_INT: 4, FLOAT: 4}
#: numpy dtype per componentType (glTF is little-endian).
COMPONENT_DTYPE = {
    BYTE: "<i1",
    UNSIGNED_BYTE: "<u1",
    SHORT: "<i2",
    UNSIGNED_SHORT: "<u2",
    UNSIGNED_INT: "<u4",
    FLOAT: "<f4",
}
#: Components per element, by accessor type.
TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}


def _integral(value: object) -> object:
    # JSON has one number type; 3.0 where an integer belongs is harmless, 3.5 is not.
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def _unique(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("the list names the same item twice")
    return values


Int = Annotated[int, BeforeValidator(_integral)]
Index = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
Count = Annotated[int, BeforeValidator(_integral), Field(ge=1)]
UniqueIndices = Annotated[list[Index], AfterValidator(_unique)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
ComponentType = Annotated[Literal[5120, 5121, 5122, 5123, 5125, 5126], BeforeValidator(_integral)]
AccessorType = Literal["SCALAR", "VEC2", "VEC3", "VEC4", "MAT2", "MAT3", "MAT4"]


class GltfModel(BaseModel):
    """Base: strict types, camelCase JSON names, unknown properties dropped, immutable."""

    model_config = ConfigDict(
        strict=True,
        allow_inf_nan=False,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )


class Asset(GltfModel):
    """``asset``: the glTF version and credits (``copyright`` is kept in the output)."""

    version: str
    min_version: str | None = None
    generator: str | None = None
    copyright: str | None = None


class Buffer(GltfModel):
    """A block of binary data: the GLB chunk (no uri), a data: URI or a file in the zip."""

    uri: str | None = None
    byte_length: Count
    name: str | None = None


class BufferView(GltfModel):
    """A byte range of a buffer, optionally strided (vertex data only)."""

    buffer: Index
    byte_offset: Index = 0
    byte_length: Count
    byte_stride: Annotated[Int, Field(ge=4, le=252, multiple_of=4)] | None = None
    target: Annotated[Literal[34962, 34963], BeforeValidator(_integral)] | None = None
    name: str | None = None


class SparseIndices(GltfModel):
    """Where a sparse accessor's changed element indices are."""

    buffer_view: Index
    byte_offset: Index = 0
    component_type: Annotated[Literal[5121, 5123, 5125], BeforeValidator(_integral)]


class SparseValues(GltfModel):
    """Where a sparse accessor's replacement values are."""

    buffer_view: Index
    byte_offset: Index = 0


class Sparse(GltfModel):
    """Elements of an accessor replaced by other values."""

    count: Count
    indices: SparseIndices
    values: SparseValues


class Accessor(GltfModel):
    """A typed view of elements in a buffer view (or all zeros, plus sparse changes)."""

    buffer_view: Index | None = None
    byte_offset: Index = 0
    component_type: ComponentType
    normalized: bool = False
    count: Count
    type: AccessorType
    max: Annotated[list[float], Field(min_length=1, max_length=16)] | None = None
    min: Annotated[list[float], Field(min_length=1, max_length=16)] | None = None
    sparse: Sparse | None = None
    name: str | None = None


class TextureTransform(GltfModel):
    """``KHR_texture_transform``: UV offset, rotation and scale, optionally another UV set."""

    offset: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    rotation: float | None = None
    scale: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    tex_coord: Index | None = None


class TextureInfoExtensions(GltfModel):
    """The extensions kept on a texture reference; any other is dropped."""

    texture_transform: TextureTransform | None = Field(None, alias="KHR_texture_transform")


class TextureInfo(GltfModel):
    """A material's reference to a texture and the UV set it uses."""

    index: Index
    tex_coord: Index = 0
    extensions: TextureInfoExtensions | None = None

    @property
    def uv_set(self) -> int:
        """The UV set actually sampled (``KHR_texture_transform`` may override ``texCoord``)."""
        ext = self.extensions
        transform = ext.texture_transform if ext is not None else None
        if transform is not None and transform.tex_coord is not None:
            return transform.tex_coord
        return self.tex_coord


class NormalTextureInfo(TextureInfo):
    """The normal map reference, with its strength."""

    scale: float = 1.0


class OcclusionTextureInfo(TextureInfo):
    """The occlusion map reference, with its strength."""

    strength: Unit = 1.0


class PbrMetallicRoughness(GltfModel):
    """The core PBR material parameters."""

    base_color_factor: Annotated[list[Unit], Field(min_length=4, max_length=4)] | None = None
    base_color_texture: TextureInfo | None = None
    metallic_factor: Unit = 1.0
    roughness_factor: Unit = 1.0
    metallic_roughness_texture: TextureInfo | None = None


class EmissiveStrength(GltfModel):
    """``KHR_materials_emissive_strength``: emission brighter than 1."""

    emissive_strength: Annotated[float, Field(ge=0.0)] = 1.0


class Unlit(GltfModel):
    """``KHR_materials_unlit``: no lighting (an empty object)."""


class Clearcoat(GltfModel):
    """``KHR_materials_clearcoat``: a clear lacquer layer."""

    clearcoat_factor: Unit = 0.0
    clearcoat_texture: TextureInfo | None = None
    clearcoat_roughness_factor: Unit = 0.0
    clearcoat_roughness_texture: TextureInfo | None = None
    clearcoat_normal_texture: NormalTextureInfo | None = None


class Transmission(GltfModel):
    """``KHR_materials_transmission``: glass-like see-through surfaces."""

    transmission_factor: Unit = 0.0
    transmission_texture: TextureInfo | None = None


class Volume(GltfModel):
    """``KHR_materials_volume``: thickness and attenuation of transmissive volumes."""

    thickness_factor: Annotated[float, Field(ge=0.0)] = 0.0
    thickness_texture: TextureInfo | None = None
    attenuation_distance: Annotated[float, Field(gt=0.0)] | None = None
    attenuation_color: Annotated[list[Unit], Field(min_length=3, max_length=3)] | None = None


def _ior(value: float) -> float:
    if value != 0.0 and value < 1.0:
        raise ValueError("ior must be 0 or at least 1")
    return value


class Ior(GltfModel):
    """``KHR_materials_ior``: index of refraction."""

    ior: Annotated[float, AfterValidator(_ior)] = 1.5


class Specular(GltfModel):
    """``KHR_materials_specular``: strength and colour of specular reflection."""

    specular_factor: Unit = 1.0
    specular_texture: TextureInfo | None = None
    specular_color_factor: (
        Annotated[list[Annotated[float, Field(ge=0.0)]], Field(min_length=3, max_length=3)] | None
    ) = None
    specular_color_texture: TextureInfo | None = None


class Sheen(GltfModel):
    """``KHR_materials_sheen``: cloth-like back-scattering."""

    sheen_color_factor: Annotated[list[Unit], Field(min_length=3, max_length=3)] | None = None
    sheen_color_texture: TextureInfo | None = None
    sheen_roughness_factor: Unit = 0.0
    sheen_roughness_texture: TextureInfo | None = None


class MaterialExtensions(GltfModel):
    """The material extensions kept (three.js renders them all); any other is dropped."""

    emissive_strength: EmissiveStrength | None = Field(
        None, alias="KHR_materials_emissive_strength"
    )
    unlit: Unlit | None = Field(None, alias="KHR_materials_unlit")
    clearcoat: Clearcoat | None = Field(None, alias="KHR_materials_clearcoat")
    transmission: Transmission | None = Field(None, alias="KHR_materials_transmission")
    volume: Volume | None = Field(None, alias="KHR_materials_volume")
    ior: Ior | None = Field(None, alias="KHR_materials_ior")
    specular: Specular | None = Field(None, alias="KHR_materials_specular")
    sheen: Sheen | None = Field(None, alias="KHR_materials_sheen")


class Material(GltfModel):
    """A material: core PBR, maps, alpha handling and the kept extensions."""

    name: str | None = None
    extensions: MaterialExtensions | None = None
    pbr_metallic_roughness: PbrMetallicRoughness | None = None
    normal_texture: NormalTextureInfo | None = None
    occlusion_texture: OcclusionTextureInfo | None = None
    emissive_texture: TextureInfo | None = None
    emissive_factor: Annotated[list[Unit], Field(min_length=3, max_length=3)] | None = None
    alpha_mode: Literal["OPAQUE", "MASK", "BLEND"] = "OPAQUE"
    alpha_cutoff: Annotated[float, Field(ge=0.0)] | None = None
    double_sided: bool = False


class Primitive(GltfModel):
    """Geometry drawn with one material."""

    attributes: Annotated[dict[str, Index], Field(min_length=1)]
    indices: Index | None = None
    material: Index | None = None
    mode: Annotated[Literal[0, 1, 2, 3, 4, 5, 6], BeforeValidator(_integral)] = 4
    targets: (
        Annotated[list[Annotated[dict[str, Index], Field(min_length=1)]], Field(min_length=1)]
        | None
    ) = None


class Mesh(GltfModel):
    """A set of primitives drawn together, with default morph weights."""

    primitives: Annotated[list[Primitive], Field(min_length=1)]
    weights: Annotated[list[float], Field(min_length=1)] | None = None
    name: str | None = None


class Node(GltfModel):
    """A node of the scene graph: a transform, children, and maybe a mesh and skin."""

    camera: Index | None = None
    children: UniqueIndices | None = None
    skin: Index | None = None
    matrix: Annotated[list[float], Field(min_length=16, max_length=16)] | None = None
    mesh: Index | None = None
    rotation: (
        Annotated[list[Annotated[float, Field(ge=-1.0, le=1.0)]], Field(min_length=4, max_length=4)]
        | None
    ) = None
    scale: Annotated[list[float], Field(min_length=3, max_length=3)] | None = None
    translation: Annotated[list[float], Field(min_length=3, max_length=3)] | None = None
    weights: Annotated[list[float], Field(min_length=1)] | None = None
    name: str | None = None


class Skin(GltfModel):
    """Joints and their inverse bind matrices."""

    inverse_bind_matrices: Index | None = None
    skeleton: Index | None = None
    joints: Annotated[UniqueIndices, Field(min_length=1)]
    name: str | None = None


class Scene(GltfModel):
    """The root nodes of one scene."""

    nodes: UniqueIndices | None = None
    name: str | None = None


class Sampler(GltfModel):
    """Texture filtering and wrapping."""

    mag_filter: Annotated[Literal[9728, 9729], BeforeValidator(_integral)] | None = None
    min_filter: (
        Annotated[Literal[9728, 9729, 9984, 9985, 9986, 9987], BeforeValidator(_integral)] | None
    ) = None
    wrap_s: Annotated[Literal[33071, 33648, 10497], BeforeValidator(_integral)] = 10497
    wrap_t: Annotated[Literal[33071, 33648, 10497], BeforeValidator(_integral)] = 10497
    name: str | None = None


class Texture(GltfModel):
    """An image plus a sampler."""

    sampler: Index | None = None
    source: Index | None = None
    name: str | None = None


class Image(GltfModel):
    """Image data: a file in the zip, a data: URI or a buffer view (with a MIME type)."""

    uri: str | None = None
    mime_type: str | None = None
    buffer_view: Index | None = None
    name: str | None = None


class Gltf(GltfModel):
    """A whole glTF 2.0 document as far as the pipeline reads it."""

    asset: Asset
    scene: Index | None = None
    scenes: list[Scene] = []
    nodes: list[Node] = []
    meshes: list[Mesh] = []
    accessors: list[Accessor] = []
    buffer_views: list[BufferView] = []
    buffers: list[Buffer] = []
    materials: list[Material] = []
    textures: list[Texture] = []
    images: list[Image] = []
    samplers: list[Sampler] = []
    skins: list[Skin] = []
    animations: list[Any] = []
    cameras: list[Any] = []
    extensions_used: list[str] | None = None
    extensions_required: list[str] | None = None

    def default_scene(self) -> int | None:
        """The scene a viewer shows: ``scene``, else the first one, else None."""
        if self.scene is not None:
            return self.scene
        return 0 if self.scenes else None
