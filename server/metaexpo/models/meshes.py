"""Mesh primitives: attribute names and formats, equal counts, indices, morph targets, UV sets.

Also decides how every used buffer view is used (vertex data, indices or
other data). A view used two ways, or strided where striding is not
allowed, is refused; a vertex view shared by several accessors of one
element size but missing its ``byteStride`` is repaired (the stride it
implies is written out), because that mistake is common and harmless.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from metaexpo.models.layout import element_size
from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.reach import Reach
from metaexpo.models.references import material_texture_infos
from metaexpo.models.schema import (
    BYTE,
    FLOAT,
    SHORT,
    UNSIGNED_BYTE,
    UNSIGNED_INT,
    UNSIGNED_SHORT,
    Accessor,
    Gltf,
)

_FIX = "Export the model again from your 3D tool."
_SEMANTIC = re.compile(
    r"^(POSITION|NORMAL|TANGENT|(TEXCOORD|COLOR|JOINTS|WEIGHTS)_(0|[1-9][0-9]*))$"
)
_SETS = ("TEXCOORD", "COLOR", "JOINTS", "WEIGHTS")
_TARGET_SEMANTICS = {"POSITION", "NORMAL", "TANGENT"}

Format = tuple[str, int, bool]


def _formats(types: tuple[str, ...], comps: tuple[tuple[int, bool], ...]) -> set[Format]:
    return {(t, c, n) for t in types for c, n in comps}


_FLOAT = ((FLOAT, False),)
_UNORM = ((UNSIGNED_BYTE, True), (UNSIGNED_SHORT, True))
_SNORM = ((BYTE, True), (SHORT, True))
_ANY_SMALL = tuple(
    (c, n) for c in (BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT) for n in (False, True)
)
_SIGNED = tuple((c, n) for c in (BYTE, SHORT) for n in (False, True))

#: Allowed (type, componentType, normalized) per semantic: core glTF, then what
#: KHR_mesh_quantization adds.
CORE_FORMATS: dict[str, set[Format]] = {
    "POSITION": _formats(("VEC3",), _FLOAT),
    "NORMAL": _formats(("VEC3",), _FLOAT),
    "TANGENT": _formats(("VEC4",), _FLOAT),
    "TEXCOORD": _formats(("VEC2",), _FLOAT + _UNORM),
    "COLOR": _formats(("VEC3", "VEC4"), _FLOAT + _UNORM),
    "JOINTS": _formats(("VEC4",), ((UNSIGNED_BYTE, False), (UNSIGNED_SHORT, False))),
    "WEIGHTS": _formats(("VEC4",), _FLOAT + _UNORM),
}
QUANTIZED_FORMATS: dict[str, set[Format]] = {
    "POSITION": _formats(("VEC3",), _ANY_SMALL),
    "NORMAL": _formats(("VEC3",), _SNORM),
    "TANGENT": _formats(("VEC4",), _SNORM),
    "TEXCOORD": _formats(("VEC2",), _ANY_SMALL),
}
TARGET_FORMATS: dict[str, set[Format]] = {
    name: _formats(("VEC3",), _FLOAT) for name in _TARGET_SEMANTICS
}
QUANTIZED_TARGET_FORMATS: dict[str, set[Format]] = {
    name: _formats(("VEC3",), _SIGNED) for name in _TARGET_SEMANTICS
}


class ViewUse(StrEnum):
    """How a buffer view is used; each view may be used one way only."""

    VERTEX = "vertex data"
    INDEX = "indices"
    OTHER = "other data"


@dataclass(slots=True)
class MeshFacts:
    """What the mesh checks learnt: the byteStride to add to shared vertex views."""

    added_strides: dict[int, int] = field(default_factory=dict)


def semantic_set(semantic: str) -> str:
    """``TEXCOORD_1`` → ``TEXCOORD``; ``POSITION`` → ``POSITION``."""
    return semantic.rsplit("_", 1)[0] if semantic.startswith(_SETS) else semantic


def _format(a: Accessor) -> Format:
    return (a.type, a.component_type, a.normalized)


def _describe(fmt: Format) -> str:
    names = {
        BYTE: "byte",
        UNSIGNED_BYTE: "unsigned byte",
        SHORT: "short",
        UNSIGNED_SHORT: "unsigned short",
        UNSIGNED_INT: "unsigned int",
        FLOAT: "float",
    }
    return f"{fmt[0]} of {names[fmt[1]]}{' (normalized)' if fmt[2] else ''}"


def check_meshes(g: Gltf, reach: Reach, limits: Limits, findings: Findings) -> MeshFacts:
    """Check every used mesh primitive; record problems and return what was learnt."""
    quantization = "KHR_mesh_quantization" in (g.extensions_used or [])
    facts = MeshFacts()
    uses: dict[int, set[ViewUse]] = {}
    vertex_view_accessors: dict[int, set[int]] = {}

    roles: dict[int, str] = {}

    def role(accessor: int, semantic: str, where: str) -> None:
        # One accessor, one meaning: bounds and repairs are per accessor, so an accessor read
        # as both NORMAL and POSITION (legal, but never written by real exporters) is refused.
        known = roles.setdefault(accessor, semantic)
        if known != semantic:
            findings.error(
                Code.BAD_ATTRIBUTE,
                f"Accessor {accessor} is used both as {known} and as {semantic}. {_FIX}",
                where,
            )

    def use(accessor: int, how: ViewUse) -> None:
        view = g.accessors[accessor].buffer_view
        if view is not None:
            uses.setdefault(view, set()).add(how)
            if how is ViewUse.VERTEX:
                vertex_view_accessors.setdefault(view, set()).add(accessor)

    for m in reach.meshes:
        mesh = g.meshes[m]
        target_counts = {len(p.targets or []) for p in mesh.primitives}
        if len(target_counts) > 1:
            findings.error(
                Code.BAD_MORPH_TARGETS,
                f"The primitives of this mesh have different numbers of morph targets. {_FIX}",
                f"/meshes/{m}",
            )
        targets = max(target_counts)
        if targets > limits.max_morph_targets:
            findings.error(
                Code.TOO_MANY_MORPH_TARGETS,
                f"This mesh has {targets} morph targets; at most {limits.max_morph_targets} "
                "are accepted.",
                f"/meshes/{m}",
                f"{limits.max_morph_targets} morph targets",
            )
        if mesh.weights is not None and len(mesh.weights) != targets:
            findings.error(
                Code.BAD_MORPH_TARGETS,
                f"The mesh has {len(mesh.weights)} default weights for {targets} morph targets. "
                f"{_FIX}",
                f"/meshes/{m}/weights",
            )
        for p, prim in enumerate(mesh.primitives):
            where = f"/meshes/{m}/primitives/{p}"
            _check_primitive(g, where, prim.attributes, quantization, findings)
            for name, a in prim.attributes.items():
                use(a, ViewUse.VERTEX)
                role(a, semantic_set(name), f"{where}/attributes/{name}")
                if not name.startswith("_"):
                    _check_vertex_alignment(g, a, f"{where}/attributes/{name}", findings)
            for t, target in enumerate(prim.targets or []):
                _check_target(
                    g, f"{where}/targets/{t}", target, prim.attributes, quantization, findings
                )
                for name, a in target.items():
                    use(a, ViewUse.VERTEX)
                    role(a, f"morph target {name}", f"{where}/targets/{t}/{name}")
                    _check_vertex_alignment(g, a, f"{where}/targets/{t}/{name}", findings)
            if prim.indices is not None:
                _check_indices(g, prim.indices, f"{where}/indices", findings)
                use(prim.indices, ViewUse.INDEX)
            if prim.material is not None:
                _check_uv_sets(g, prim.material, prim.attributes, where, findings)
    for s in reach.skins:
        ibm = g.skins[s].inverse_bind_matrices
        if ibm is not None:
            use(ibm, ViewUse.OTHER)
    for a in reach.accessors:
        sparse = g.accessors[a].sparse
        if sparse is not None:
            for view in (sparse.indices.buffer_view, sparse.values.buffer_view):
                uses.setdefault(view, set()).add(ViewUse.OTHER)
    for im in reach.images:
        image_view = g.images[im].buffer_view
        if image_view is not None:
            uses.setdefault(image_view, set()).add(ViewUse.OTHER)
    _settle_views(g, uses, vertex_view_accessors, facts, findings)
    return facts


def _check_primitive(
    g: Gltf,
    where: str,
    attributes: dict[str, int],
    quantization: bool,
    findings: Findings,
) -> None:
    if "POSITION" not in attributes:
        findings.error(
            Code.BAD_ATTRIBUTE, f"This primitive has no POSITION attribute. {_FIX}", where
        )
    counts = {g.accessors[a].count for a in attributes.values()}
    if len(counts) > 1:
        findings.error(
            Code.COUNT_MISMATCH,
            f"The attributes of this primitive have different vertex counts ({sorted(counts)}). "
            f"{_FIX}",
            f"{where}/attributes",
        )
    sets: dict[str, list[int]] = {}
    for name, a in attributes.items():
        at = f"{where}/attributes/{name}"
        accessor = g.accessors[a]
        if name.startswith("_"):
            if accessor.component_type == UNSIGNED_INT:
                findings.error(
                    Code.BAD_ATTRIBUTE,
                    f"Vertex attributes cannot use 32-bit unsigned integers. {_FIX}",
                    at,
                )
            continue
        match = _SEMANTIC.match(name)
        if match is None:
            findings.error(
                Code.BAD_ATTRIBUTE,
                f"'{name[:40]}' is not a glTF attribute name (custom ones start with '_'). {_FIX}",
                at,
            )
            continue
        base = semantic_set(name)
        if match.group(3) is not None:
            sets.setdefault(base, []).append(int(match.group(3)))
        allowed = CORE_FORMATS[base] | (
            QUANTIZED_FORMATS.get(base, set()) if quantization else set()
        )
        fmt = _format(accessor)
        if fmt not in allowed:
            findings.error(
                Code.BAD_ATTRIBUTE,
                f"{name} is stored as {_describe(fmt)}, which glTF does not allow"
                f"{'' if quantization else ' without KHR_mesh_quantization'}. {_FIX}",
                at,
            )
        if name == "POSITION" and (accessor.min is None or accessor.max is None):
            findings.error(
                Code.MISSING_BOUNDS,
                f"The POSITION accessor has no min/max bounds, which glTF requires. {_FIX}",
                f"/accessors/{a}",
            )
    for base, numbers in sets.items():
        if sorted(numbers) != list(range(len(numbers))):
            findings.error(
                Code.BAD_ATTRIBUTE,
                f"{base} attributes must be numbered 0, 1, 2 … without gaps. {_FIX}",
                f"{where}/attributes",
            )
    if len(sets.get("JOINTS", [])) != len(sets.get("WEIGHTS", [])):
        findings.error(
            Code.BAD_SKIN,
            f"This primitive has a different number of JOINTS and WEIGHTS attributes. {_FIX}",
            f"{where}/attributes",
        )


def _check_target(
    g: Gltf,
    where: str,
    target: dict[str, int],
    base: dict[str, int],
    quantization: bool,
    findings: Findings,
) -> None:
    for name, a in target.items():
        at = f"{where}/{name}"
        if name not in _TARGET_SEMANTICS:
            findings.error(
                Code.BAD_MORPH_TARGETS,
                f"Morph targets may change POSITION, NORMAL and TANGENT only, not {name[:40]}. "
                f"{_FIX}",
                at,
            )
            continue
        if name not in base:
            findings.error(
                Code.BAD_MORPH_TARGETS,
                f"The morph target changes {name}, which the primitive does not have. {_FIX}",
                at,
            )
            continue
        accessor = g.accessors[a]
        if accessor.count != g.accessors[base[name]].count:
            findings.error(
                Code.COUNT_MISMATCH,
                f"The morph target has {accessor.count:,} vertices, the primitive "
                f"{g.accessors[base[name]].count:,}. {_FIX}",
                at,
            )
        allowed = TARGET_FORMATS[name] | (QUANTIZED_TARGET_FORMATS[name] if quantization else set())
        if _format(accessor) not in allowed:
            findings.error(
                Code.BAD_MORPH_TARGETS,
                f"The morph target's {name} is stored as {_describe(_format(accessor))}, "
                f"which glTF does not allow. {_FIX}",
                at,
            )


def _check_indices(g: Gltf, a: int, where: str, findings: Findings) -> None:
    accessor = g.accessors[a]
    if (
        accessor.type != "SCALAR"
        or accessor.normalized
        or accessor.component_type not in (UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT)
    ):
        findings.error(
            Code.BAD_INDICES,
            f"Indices must be unsigned 8, 16 or 32-bit integers, one per vertex reference; "
            f"these are {_describe(_format(accessor))}. {_FIX}",
            where,
        )


def _check_vertex_alignment(g: Gltf, a: int, where: str, findings: Findings) -> None:
    accessor = g.accessors[a]
    if accessor.buffer_view is None:
        return
    view = g.buffer_views[accessor.buffer_view]
    stride = view.byte_stride if view.byte_stride is not None else element_size(accessor)
    if (view.byte_offset + accessor.byte_offset) % 4 or stride % 4:
        findings.error(
            Code.ACCESSOR_MISALIGNED,
            f"Vertex data must start on, and step by, multiples of 4 bytes. {_FIX}",
            where,
        )


def _check_uv_sets(
    g: Gltf, material: int, attributes: dict[str, int], where: str, findings: Findings
) -> None:
    for at, info in material_texture_infos(g.materials[material], f"/materials/{material}"):
        if f"TEXCOORD_{info.uv_set}" not in attributes:
            findings.error(
                Code.MISSING_TEXCOORD,
                f"Material {material} maps a texture with UV set {info.uv_set}, but the "
                f"primitive at {where} has no TEXCOORD_{info.uv_set}. Unwrap the mesh (add UVs) "
                "or remove the texture.",
                at,
            )


def _settle_views(
    g: Gltf,
    uses: dict[int, set[ViewUse]],
    vertex_view_accessors: dict[int, set[int]],
    facts: MeshFacts,
    findings: Findings,
) -> None:
    for view_index, how in sorted(uses.items()):
        view = g.buffer_views[view_index]
        where = f"/bufferViews/{view_index}"
        if len(how) > 1:
            listed = " and ".join(sorted(h.value for h in how))
            findings.error(
                Code.BUFFER_VIEW_USAGE_CONFLICT,
                f"This buffer view is used for both {listed}; each view may hold one kind. {_FIX}",
                where,
            )
            continue
        (kind,) = how
        if kind is not ViewUse.VERTEX:
            if view.byte_stride is not None:
                findings.error(
                    Code.INVALID_BYTE_STRIDE,
                    f"Only vertex data may be strided, but this view holds {kind.value}. {_FIX}",
                    f"{where}/byteStride",
                )
            continue
        accessors = vertex_view_accessors.get(view_index, set())
        if view.byte_stride is None and len(accessors) > 1:
            sizes = {element_size(g.accessors[a]) for a in accessors}
            if len(sizes) == 1:
                facts.added_strides[view_index] = sizes.pop()
            else:
                findings.error(
                    Code.INVALID_BYTE_STRIDE,
                    "Several vertex attributes share this buffer view, which then needs a "
                    f"byteStride. {_FIX}",
                    where,
                )
