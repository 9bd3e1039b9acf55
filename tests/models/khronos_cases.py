"""Models for the Khronos glTF-Validator gate, built with :mod:`tests.models.gltf_factory`.

The interesting one is :func:`clearcoat_normal_map_without_tangents`: our
own checks accept it (and normalisation keeps it as it is), but the
validator refuses the fitted GLB, so it proves that uploads really go
through the validator and not only through our checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.models.gltf_factory import Doc, cube, glb, png, textured_cube


def _with_normals(doc: Doc, binary: bytes) -> tuple[Doc, bytes]:
    normals = np.tile(np.array([0.0, 1.0, 0.0], dtype="<f4"), (8, 1)).tobytes()
    offset = len(binary)
    binary += normals
    doc["bufferViews"].append(
        {"buffer": 0, "byteOffset": offset, "byteLength": len(normals), "target": 34962}
    )
    view = len(doc["bufferViews"]) - 1
    doc["accessors"].append({"bufferView": view, "componentType": 5126, "count": 8, "type": "VEC3"})
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"] = len(doc["accessors"]) - 1
    return doc, binary


def clearcoat_normal_map_without_tangents() -> bytes:
    """A textured cube whose clearcoat has a normal map, with neither TANGENT nor a base
    normal map: the validator's MESH_PRIMITIVE_NO_TANGENT_SPACE error, which our checks
    do not look for."""
    doc, binary = _with_normals(*textured_cube(png()))
    doc["materials"][0]["extensions"] = {
        "KHR_materials_clearcoat": {"clearcoatFactor": 1.0, "clearcoatNormalTexture": {"index": 0}}
    }
    doc["extensionsUsed"] = ["KHR_materials_clearcoat"]
    return glb(doc, binary)


def _normal_mapped() -> tuple[Doc, bytes]:
    doc, binary = _with_normals(*textured_cube(png()))
    doc["materials"][0]["normalTexture"] = {"index": 0}
    return doc, binary


def normal_map_without_tangents() -> bytes:
    """A normal-mapped cube without TANGENT: valid, with the validator's warning
    MESH_PRIMITIVE_GENERATED_TANGENT_SPACE."""
    return glb(*_normal_mapped())


def normal_map_and_a_camera() -> bytes:
    """The normal-mapped cube plus a camera: a warning of ours (``cameras_removed``) and one
    of the validator's (MESH_PRIMITIVE_GENERATED_TANGENT_SPACE) on the fitted model."""
    doc, binary = _normal_mapped()
    doc["cameras"] = [{"type": "perspective", "perspective": {"yfov": 0.8, "znear": 0.1}}]
    doc["nodes"].append({"camera": 0, "translation": [0.0, 0.0, 3.0]})
    doc["scenes"][0]["nodes"].append(len(doc["nodes"]) - 1)
    return glb(doc, binary)


def cube_with_wrong_bounds() -> bytes:
    """The cube with a POSITION ``min`` that is not the data's: the validator's
    ACCESSOR_MIN_MISMATCH error (our pipeline repairs it: ``bounds_corrected``)."""
    doc, binary = cube()
    doc["accessors"][0]["min"] = [-2.0, -0.5, -0.5]
    return glb(doc, binary)


def cube_with_unused_accessor() -> bytes:
    """A valid cube with one accessor nothing uses: the validator's UNUSED_OBJECT info."""
    doc, binary = cube()
    extra: dict[str, Any] = dict(doc["accessors"][0])
    doc["accessors"].append(extra)
    return glb(doc, binary)
