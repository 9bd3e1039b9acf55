"""Write an accepted model as a new GLB fitted into its booth slot.

The fit is one new root node, ``metaexpo_fit``, holding a uniform scale and
a translation, with the scene's roots as its children: the exhibitor's
nodes, meshes, materials and textures are kept as they are (texture bytes
are copied, not re-encoded), so the look is exactly what was uploaded.

The output is written from the validated models, not copied from the
upload: only what the default scene draws is included and renumbered;
extras, cameras, animations, unknown properties and removed extensions are
gone; every image is embedded with its true MIME type; sparse and repaired
accessors are written out densely; POSITION bounds are the computed ones.
One buffer, the GLB binary chunk, holds all data, every view 4-byte aligned.
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt

from metaexpo.models import glb
from metaexpo.models.analysis import Analysis
from metaexpo.models.bounds import Box
from metaexpo.models.layout import element_size
from metaexpo.models.limits import Slot
from metaexpo.models.meshes import CORE_FORMATS, ViewUse, semantic_set
from metaexpo.models.results import Fit
from metaexpo.models.schema import (
    ARRAY_BUFFER,
    COMPONENT_DTYPE,
    ELEMENT_ARRAY_BUFFER,
    Accessor,
    Gltf,
)

GENERATOR = "metaexpo.models (Metaverse Zhejiang Expo booth normaliser)"
FIT_NODE = "metaexpo_fit"
JsonObject = dict[str, object]


def fit_box(box: Box, slot: Slot) -> Fit:
    """Scale and translation that put ``box`` on the floor, centred, inside ``slot``."""
    sx, sy, sz = box.size
    ratios = [
        limit / extent
        for limit, extent in ((slot.width, sx), (slot.height, sy), (slot.depth, sz))
        if extent > 0
    ]
    scale = min(ratios)
    if not slot.grow:
        scale = min(scale, 1.0)
    cx = (box.low[0] + box.high[0]) / 2
    cz = (box.low[2] + box.high[2]) / 2
    translation = (-scale * cx, -scale * box.low[1], -scale * cz)
    after = Box(
        (-scale * sx / 2, 0.0, -scale * sz / 2),
        (scale * sx / 2, scale * sy, scale * sz / 2),
    )
    return Fit(slot, scale, translation, box, after)


class _Blob:
    """The output binary chunk, built view by view on 4-byte boundaries."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.views: list[JsonObject] = []

    def add(
        self,
        payload: bytes | memoryview,
        *,
        stride: int | None = None,
        target: int | None = None,
    ) -> int:
        self.data.extend(b"\x00" * (-len(self.data) % 4))
        view: JsonObject = {"buffer": 0, "byteLength": len(payload)}
        if self.data:
            view["byteOffset"] = len(self.data)
        if stride is not None:
            view["byteStride"] = stride
        if target is not None:
            view["target"] = target
        self.data.extend(payload)
        self.views.append(view)
        return len(self.views) - 1


def _dense_bytes(
    values: npt.NDArray[np.generic], accessor: Accessor, vertex: bool
) -> tuple[bytes, int | None]:
    """Tightly packed element data; vertex data padded to a 4-byte stride when needed."""
    data = np.ascontiguousarray(values, dtype=COMPONENT_DTYPE[accessor.component_type])
    elem = element_size(accessor)
    if not vertex or elem % 4 == 0:
        return data.tobytes(), None
    stride = elem + (-elem % 4)
    padded = np.zeros((len(data), stride), dtype=np.uint8)
    padded[:, :elem] = data.view(np.uint8).reshape(len(data), elem)
    return padded.tobytes(), stride


def _accessor_uses(g: Gltf, analysis: Analysis) -> dict[int, ViewUse]:
    uses: dict[int, ViewUse] = {}
    for m in analysis.reach.meshes:
        for prim in g.meshes[m].primitives:
            for a in prim.attributes.values():
                uses[a] = ViewUse.VERTEX
            for target in prim.targets or []:
                for a in target.values():
                    uses[a] = ViewUse.VERTEX
            if prim.indices is not None:
                uses[prim.indices] = ViewUse.INDEX
    for s in analysis.reach.skins:
        ibm = g.skins[s].inverse_bind_matrices
        if ibm is not None:
            uses[ibm] = ViewUse.OTHER
    return uses


_TARGETS = {ViewUse.VERTEX: ARRAY_BUFFER, ViewUse.INDEX: ELEMENT_ARRAY_BUFFER}


def _write_accessors(analysis: Analysis, blob: _Blob) -> list[JsonObject]:
    g = analysis.g
    uses = _accessor_uses(g, analysis)
    copied_views: dict[int, int] = {}
    out: list[JsonObject] = []
    for a in analysis.reach.accessors:
        accessor = g.accessors[a]
        use = uses.get(a, ViewUse.OTHER)
        entry: JsonObject = {
            "componentType": accessor.component_type,
            "count": accessor.count,
            "type": accessor.type,
        }
        if accessor.normalized:
            entry["normalized"] = True
        replaced = analysis.data.replaced.get(a)
        if replaced is not None or accessor.sparse is not None:
            values = replaced if replaced is not None else analysis.reader.raw(a)
            assert values is not None  # data checks passed, so sparse data was readable
            payload, stride = _dense_bytes(values, accessor, use is ViewUse.VERTEX)
            entry["bufferView"] = blob.add(payload, stride=stride, target=_TARGETS.get(use))
        elif accessor.buffer_view is not None:
            v = accessor.buffer_view
            if v not in copied_views:
                view = g.buffer_views[v]
                data = analysis.buffers[view.buffer][
                    view.byte_offset : view.byte_offset + view.byte_length
                ]
                stride = view.byte_stride or analysis.meshes.added_strides.get(v)
                copied_views[v] = blob.add(data, stride=stride, target=_TARGETS.get(use))
            entry["bufferView"] = copied_views[v]
            if accessor.byte_offset:
                entry["byteOffset"] = accessor.byte_offset
        if a in analysis.data.bounds:
            low, high = analysis.data.bounds[a]
            entry["min"], entry["max"] = low, high
        if accessor.name:
            entry["name"] = accessor.name
        out.append(entry)
    return out


def _write_images(analysis: Analysis, blob: _Blob) -> list[JsonObject]:
    out: list[JsonObject] = []
    for i in analysis.reach.images:
        image = analysis.images[i]
        entry: JsonObject = {
            "bufferView": blob.add(image.data),
            "mimeType": str(image.header.format),
        }
        name = analysis.g.images[i].name
        if name:
            entry["name"] = name
        out.append(entry)
    return out


def _remap_textures(value: object, textures: dict[int, int]) -> object:
    """Renumber texture references ({"index": n}) and drop emptied ``extensions`` objects."""
    if isinstance(value, dict):
        remapped = {
            k: _remap_textures(v, textures)
            for k, v in value.items()
            if not (k == "extensions" and v == {})
        }
        if "index" in remapped and isinstance(value.get("index"), int):
            remapped["index"] = textures[value["index"]]
        return remapped
    if isinstance(value, list):
        return [_remap_textures(v, textures) for v in value]
    return value


def _write_materials(analysis: Analysis, textures: dict[int, int]) -> list[JsonObject]:
    out: list[JsonObject] = []
    for m in analysis.reach.materials:
        material = analysis.g.materials[m]
        dumped = material.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        if material.extensions is not None:
            # Extension objects may be legitimately empty ({} for unlit): keep them as dumped.
            dumped["extensions"] = material.extensions.model_dump(by_alias=True, exclude_none=True)
            if not dumped["extensions"]:
                del dumped["extensions"]
        out.append(_remap_textures(dumped, textures))  # type: ignore[arg-type]
    return out


def _write_nodes(analysis: Analysis, fit: Fit, maps: dict[str, dict[int, int]]) -> list[JsonObject]:
    g = analysis.g
    nodes: list[JsonObject] = [
        {
            "name": FIT_NODE,
            "children": [maps["nodes"][r] for r in analysis.graph.roots],
            "translation": list(fit.translation),
            "scale": [fit.scale, fit.scale, fit.scale],
        }
    ]
    for i in analysis.reach.nodes:
        node = g.nodes[i]
        entry: JsonObject = {}
        if node.name:
            entry["name"] = node.name
        if node.children:
            entry["children"] = [maps["nodes"][c] for c in node.children]
        if node.matrix is not None:
            entry["matrix"] = node.matrix
        else:
            if node.translation is not None:
                entry["translation"] = node.translation
            rotation = analysis.rotations.get(i, node.rotation)
            if rotation is not None:
                entry["rotation"] = rotation
            if node.scale is not None:
                entry["scale"] = node.scale
        if node.mesh is not None:
            entry["mesh"] = maps["meshes"][node.mesh]
            if node.skin is not None:
                entry["skin"] = maps["skins"][node.skin]
            if node.weights is not None:
                entry["weights"] = node.weights
        nodes.append(entry)
    return nodes


def _write_meshes(analysis: Analysis, maps: dict[str, dict[int, int]]) -> list[JsonObject]:
    out: list[JsonObject] = []
    acc = maps["accessors"]
    for m in analysis.reach.meshes:
        mesh = analysis.g.meshes[m]
        primitives: list[JsonObject] = []
        for prim in mesh.primitives:
            entry: JsonObject = {"attributes": {k: acc[v] for k, v in prim.attributes.items()}}
            if prim.indices is not None:
                entry["indices"] = acc[prim.indices]
            if prim.material is not None:
                entry["material"] = maps["materials"][prim.material]
            if prim.mode != 4:
                entry["mode"] = prim.mode
            if prim.targets:
                entry["targets"] = [{k: acc[v] for k, v in t.items()} for t in prim.targets]
            primitives.append(entry)
        mesh_entry: JsonObject = {"primitives": primitives}
        if mesh.weights is not None:
            mesh_entry["weights"] = mesh.weights
        if mesh.name:
            mesh_entry["name"] = mesh.name
        out.append(mesh_entry)
    return out


def _write_textures(analysis: Analysis, maps: dict[str, dict[int, int]]) -> list[JsonObject]:
    out: list[JsonObject] = []
    for t in analysis.reach.textures:
        texture = analysis.g.textures[t]
        entry: JsonObject = {}
        if texture.sampler is not None:
            entry["sampler"] = maps["samplers"][texture.sampler]
        if texture.source is not None:
            entry["source"] = maps["images"][texture.source]
        if texture.name:
            entry["name"] = texture.name
        out.append(entry)
    return out


def _write_skins(analysis: Analysis, maps: dict[str, dict[int, int]]) -> list[JsonObject]:
    out: list[JsonObject] = []
    for s in analysis.reach.skins:
        skin = analysis.g.skins[s]
        entry: JsonObject = {"joints": [maps["nodes"][j] for j in skin.joints]}
        if skin.inverse_bind_matrices is not None:
            entry["inverseBindMatrices"] = maps["accessors"][skin.inverse_bind_matrices]
        if skin.name:
            entry["name"] = skin.name
        out.append(entry)
    return out


def _extensions_used(materials: list[JsonObject], quantized: bool) -> list[str]:
    used: set[str] = set()
    for material in materials:
        extensions = material.get("extensions")
        if isinstance(extensions, dict):
            used.update(extensions)
    if "KHR_texture_transform" in json.dumps(materials):
        used.add("KHR_texture_transform")
    if quantized:
        used.add("KHR_mesh_quantization")
    return sorted(used)


def _uses_quantization(g: Gltf, analysis: Analysis) -> bool:
    for m in analysis.reach.meshes:
        for prim in g.meshes[m].primitives:
            for name, a in prim.attributes.items():
                accessor = g.accessors[a]
                formats = CORE_FORMATS.get(semantic_set(name))
                fmt = (accessor.type, accessor.component_type, accessor.normalized)
                if formats is not None and fmt not in formats:
                    return True
            for target in prim.targets or []:
                for a in target.values():
                    if g.accessors[a].component_type != 5126:
                        return True
    return False


def build_glb(analysis: Analysis, fit: Fit) -> bytes:
    """The fitted, self-contained GLB for an accepted model."""
    g = analysis.g
    reach = analysis.reach
    maps = {
        "nodes": {old: new + 1 for new, old in enumerate(reach.nodes)},
        "meshes": {old: new for new, old in enumerate(reach.meshes)},
        "skins": {old: new for new, old in enumerate(reach.skins)},
        "materials": {old: new for new, old in enumerate(reach.materials)},
        "textures": {old: new for new, old in enumerate(reach.textures)},
        "images": {old: new for new, old in enumerate(reach.images)},
        "samplers": {old: new for new, old in enumerate(reach.samplers)},
        "accessors": {old: new for new, old in enumerate(reach.accessors)},
    }
    blob = _Blob()
    accessors = _write_accessors(analysis, blob)
    images = _write_images(analysis, blob)
    materials = _write_materials(analysis, maps["textures"])
    textures = _write_textures(analysis, maps)
    samplers = [
        g.samplers[s].model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        for s in reach.samplers
    ]
    skins = _write_skins(analysis, maps)
    asset: JsonObject = {"version": "2.0", "generator": GENERATOR}
    if g.asset.copyright:
        asset["copyright"] = g.asset.copyright  # credits and licences travel with the model
    scene = g.scenes[analysis.graph.scene]
    scene_entry: JsonObject = {"nodes": [0]}
    if scene.name:
        scene_entry["name"] = scene.name
    document: JsonObject = {"asset": asset}
    used = _extensions_used(materials, _uses_quantization(g, analysis))
    if used:
        document["extensionsUsed"] = used
    if "KHR_mesh_quantization" in used:
        document["extensionsRequired"] = ["KHR_mesh_quantization"]
    document |= {
        "scene": 0,
        "scenes": [scene_entry],
        "nodes": _write_nodes(analysis, fit, maps),
        "meshes": _write_meshes(analysis, maps),
    }
    for key, items in (
        ("skins", skins),
        ("materials", materials),
        ("textures", textures),
        ("images", images),
        ("samplers", samplers),
        ("accessors", accessors),
        ("bufferViews", blob.views),
    ):
        if items:
            document[key] = items
    if blob.data:
        document["buffers"] = [{"byteLength": len(blob.data)}]
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Lone surrogates (from \ud800-style escapes in names) cannot be UTF-8: replace them.
    return glb.write_glb(text.encode("utf-8", "replace"), blob.data)
