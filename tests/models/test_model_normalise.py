"""Fitting into a booth slot: the transform, what the output keeps, drops and repairs."""

from __future__ import annotations

import hashlib
import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metaexpo.khronos import GltfValidator
from metaexpo.models import Code, Slot, check_model, ingest_model, normalise_model, object_path
from metaexpo.models.bounds import Box
from metaexpo.models.normalise import FIT_NODE, fit_box
from tests.models.gltf_factory import (
    Doc,
    cube,
    cube_glb,
    fixture_input,
    glb,
    png,
    require_fixtures,
    textured_cube,
    write,
)

FIXTURES = require_fixtures()
MANIFEST = {e["file"]: e for e in json.loads((FIXTURES / "manifest.json").read_text())["files"]}


def _json(data: bytes) -> Doc:
    length = int.from_bytes(data[12:16], "little")
    result: Doc = json.loads(data[20 : 20 + length])
    return result


def _binary(data: bytes) -> bytes:
    length = int.from_bytes(data[12:16], "little")
    return data[28 + length :]


def _normalise(path: Path, slot: Slot | None = None) -> tuple[bytes, Any]:
    result = normalise_model(path, slot or Slot())
    assert result.glb is not None, [str(p) for p in result.check.problems]
    return result.glb, result


def _validate(tmp_path: Path, *outputs: bytes) -> None:
    paths = [write(tmp_path / f"validate-{n}.glb", data) for n, data in enumerate(outputs)]
    for report in GltfValidator().validate_files(paths):
        assert report.valid, str(report)


# --- the fit ---------------------------------------------------------------------------------


def test_fit_scales_uniformly_then_grounds_and_centres() -> None:
    fit = fit_box(Box((1.0, -2.0, 3.0), (3.0, 2.0, 4.0)), Slot(width=4, depth=4, height=2))
    assert fit.scale == pytest.approx(0.5)  # height 4 → 2 is the tightest
    assert fit.translation == pytest.approx((-1.0, 1.0, -1.75))
    assert fit.after.low == pytest.approx((-0.5, 0.0, -0.25))
    assert fit.after.high == pytest.approx((0.5, 2.0, 0.25))


def test_fit_grows_small_models_unless_told_not_to() -> None:
    box = Box((0.0, 0.0, 0.0), (0.1, 0.2, 0.1))
    assert fit_box(box, Slot()).scale == pytest.approx(20.0)
    assert fit_box(box, Slot(grow=False)).scale == 1.0
    assert fit_box(Box((0, 0, 0), (10, 1, 1)), Slot(grow=False)).scale == pytest.approx(0.4)


def test_flat_model_fits_by_its_other_axes() -> None:
    fit = fit_box(Box((-1.0, 0.0, -1.0), (1.0, 0.0, 1.0)), Slot(width=4, depth=2, height=3))
    assert fit.scale == pytest.approx(1.0)
    assert fit.after.size == pytest.approx((2.0, 0.0, 2.0))


def test_output_has_one_new_root_holding_the_fit(tmp_path: Path) -> None:
    data, result = _normalise(
        write(tmp_path / "c.glb", cube_glb()), Slot(width=2, depth=2, height=6)
    )
    doc = _json(data)
    assert doc["scenes"] == [{"nodes": [0]}]
    root = doc["nodes"][0]
    assert root["name"] == FIT_NODE and root["children"] == [1]
    assert root["scale"] == [2.0, 2.0, 2.0] and root["translation"] == [0.0, 1.0, 0.0]
    assert result.fit.after.size == pytest.approx((2.0, 2.0, 2.0))
    _validate(tmp_path, data)


# --- bounds in the rest pose -------------------------------------------------------------------


def test_skinned_vertices_are_placed_by_their_joints(tmp_path: Path) -> None:
    doc, binary = cube()
    joints = np.zeros((8, 4), "<u1").tobytes()
    weights = np.tile(np.array([1, 0, 0, 0], "<f4"), (8, 1)).tobytes()
    ibm = np.eye(4, dtype="<f4").T.tobytes()
    offset = len(binary)
    binary += joints + weights + ibm
    doc["bufferViews"] += [
        {"buffer": 0, "byteOffset": offset, "byteLength": 32, "target": 34962},
        {"buffer": 0, "byteOffset": offset + 32, "byteLength": 128, "target": 34962},
        {"buffer": 0, "byteOffset": offset + 160, "byteLength": 64},
    ]
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["accessors"] += [
        {"bufferView": 2, "componentType": 5121, "count": 8, "type": "VEC4"},
        {"bufferView": 3, "componentType": 5126, "count": 8, "type": "VEC4"},
        {"bufferView": 4, "componentType": 5126, "count": 1, "type": "MAT4"},
    ]
    doc["meshes"][0]["primitives"][0]["attributes"] |= {"JOINTS_0": 2, "WEIGHTS_0": 3}
    doc["nodes"] = [{"children": [1, 2]}, {"translation": [10, 0, 0]}, {"mesh": 0, "skin": 0}]
    doc["skins"] = [{"joints": [1], "inverseBindMatrices": 4}]
    path = write(tmp_path / "skinned.glb", glb(doc, binary))
    result = check_model(path)
    assert result.accepted, [str(p) for p in result.problems]
    assert result.stats.bounds == Box((9.5, -0.5, -0.5), (10.5, 0.5, 0.5))
    data, _ = _normalise(path)
    _validate(tmp_path, data)


def test_default_morph_weights_move_the_bounds(tmp_path: Path) -> None:
    doc, binary = cube()
    delta = np.tile(np.array([0, 1, 0], "<f4"), (8, 1)).tobytes()
    doc["bufferViews"].append(
        {"buffer": 0, "byteOffset": len(binary), "byteLength": 96, "target": 34962}
    )
    doc["accessors"].append(
        {
            "bufferView": 2,
            "componentType": 5126,
            "count": 8,
            "type": "VEC3",
            "min": [0, 1, 0],
            "max": [0, 1, 0],
        }
    )
    binary += delta
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["meshes"][0]["primitives"][0]["targets"] = [{"POSITION": 2}]
    doc["meshes"][0]["weights"] = [0.5]
    path = write(tmp_path / "morph.glb", glb(doc, binary))
    assert check_model(path).stats.bounds == Box((-0.5, 0.0, -0.5), (0.5, 1.0, 0.5))
    data, _ = _normalise(path)
    _validate(tmp_path, data)


# --- what is kept --------------------------------------------------------------------------


def test_textures_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = FIXTURES / "DamagedHelmet/glTF-Binary/DamagedHelmet.glb"
    data, result = _normalise(source)
    original = source.read_bytes()
    doc_in, doc_out = _json(original), _json(data)
    bin_in, bin_out = _binary(original), _binary(data)

    def images(doc: Doc, binary: bytes) -> list[bytes]:
        views = doc["bufferViews"]
        out = []
        for image in doc["images"]:
            view = views[image["bufferView"]]
            start = view.get("byteOffset", 0)
            out.append(binary[start : start + view["byteLength"]])
        return out

    assert images(doc_in, bin_in) == images(doc_out, bin_out)
    material_in, material_out = doc_in["materials"][0], doc_out["materials"][0]
    for key in ("name", "emissiveFactor", "normalTexture", "occlusionTexture", "emissiveTexture"):
        assert material_out[key] == material_in[key], key
    assert len(doc_out["textures"]) == len(doc_in["textures"])
    assert result.check.stats.texture_bytes == 5 * (2048 * 2048 * 4 * 4 // 3)


def test_output_keeps_only_what_the_scene_draws(tmp_path: Path) -> None:
    doc, binary = textured_cube(png())
    doc["nodes"][0]["extras"] = {"booth_id": "retail-01"}  # must not spoof the hall's own ids
    doc["nodes"][0]["camera"] = 0
    doc["cameras"] = [{"type": "perspective", "perspective": {"yfov": 1, "znear": 0.1}}]
    doc["nodes"].append({"name": "unused", "mesh": 0})
    doc["scenes"].append({"nodes": [1]})
    doc["materials"].append({"name": "unused"})
    doc["extras"] = {"tracking": "https://example.com/pixel.png"}
    doc["extensionsUsed"] = ["KHR_lights_punctual"]
    doc["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "point"}]}}
    data, result = _normalise(write(tmp_path / "c.glb", glb(doc, binary)))
    out = _json(data)
    assert len(out["nodes"]) == 2 and len(out["materials"]) == 1 and len(out["scenes"]) == 1
    assert "extras" not in json.dumps(out) and "camera" not in json.dumps(out)
    assert "extensions" not in out and "extensionsUsed" not in out
    assert {w.code for w in result.check.warnings} == {
        Code.CAMERAS_REMOVED,
        Code.SCENES_REMOVED,
        Code.UNUSED_DATA_REMOVED,
        Code.EXTENSION_REMOVED,
    }
    _validate(tmp_path, data)


def test_animations_are_removed_and_the_rest_pose_is_kept(tmp_path: Path) -> None:
    data, result = _normalise(FIXTURES / "BoxAnimated/glTF-Binary/BoxAnimated.glb")
    assert "animations" not in _json(data)
    assert Code.ANIMATIONS_REMOVED in {w.code for w in result.check.warnings}


def test_sparse_accessors_are_written_densely(tmp_path: Path) -> None:
    data, result = _normalise(
        FIXTURES / "SimpleSparseAccessor/glTF-Embedded/SimpleSparseAccessor.gltf"
    )
    out = _json(data)
    assert all("sparse" not in a for a in out["accessors"])
    position = out["accessors"][out["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]
    assert position["max"] == [6.0, 4.0, 0.0]  # the sparse values lift some vertices to y = 4
    assert result.fit.before.high[1] == pytest.approx(4.0)


def test_quantized_model_keeps_its_required_extension(tmp_path: Path) -> None:
    entry = MANIFEST["Duck/glTF-Quantized/Duck.gltf"]
    data, _ = _normalise(fixture_input(entry, tmp_path))
    out = _json(data)
    assert out["extensionsRequired"] == ["KHR_mesh_quantization"]
    assert "KHR_texture_transform" in out["extensionsUsed"]
    position = out["accessors"][out["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]
    assert position["componentType"] == 5123 and position["max"] == [16383, 15251, 11411]


def test_material_extensions_are_kept(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["extensionsUsed"] = ["KHR_materials_emissive_strength", "KHR_materials_unlit"]
    doc["materials"][0]["emissiveFactor"] = [1, 1, 1]
    doc["materials"][0]["extensions"] = {
        "KHR_materials_emissive_strength": {"emissiveStrength": 4},
        "KHR_materials_unlit": {},
        "VENDOR_unknown": {"x": 1},
    }
    data, _ = _normalise(write(tmp_path / "c.glb", glb(doc, binary)))
    out = _json(data)
    assert out["materials"][0]["extensions"] == {
        "KHR_materials_emissive_strength": {"emissiveStrength": 4.0},
        "KHR_materials_unlit": {},
    }
    assert out["extensionsUsed"] == ["KHR_materials_emissive_strength", "KHR_materials_unlit"]
    _validate(tmp_path, data)


def test_required_unknown_extension_is_refused(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["extensionsUsed"] = doc["extensionsRequired"] = ["VENDOR_magic"]
    result = check_model(write(tmp_path / "c.glb", glb(doc, binary)))
    assert [p.code for p in result.problems] == [Code.UNSUPPORTED_EXTENSION]


# --- repairs ---------------------------------------------------------------------------------


def test_small_exporter_slips_are_repaired(tmp_path: Path) -> None:
    doc, binary = cube()
    normals = np.tile(np.array([0, 2, 0], "<f4"), (8, 1))  # not unit length
    colours = np.tile(np.array([1.5, 0.5, -0.1, 1], "<f4"), (8, 1))  # outside 0..1
    offset = len(binary)
    binary += normals.tobytes() + colours.tobytes()
    doc["bufferViews"] += [
        {"buffer": 0, "byteOffset": offset, "byteLength": 96},
        {"buffer": 0, "byteOffset": offset + 96, "byteLength": 128},
    ]
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["accessors"] += [
        {"bufferView": 2, "componentType": 5126, "count": 8, "type": "VEC3"},
        {"bufferView": 3, "componentType": 5126, "count": 8, "type": "VEC4"},
    ]
    doc["meshes"][0]["primitives"][0]["attributes"] |= {"NORMAL": 2, "COLOR_0": 3}
    doc["accessors"][0]["max"] = [9, 9, 9]  # wrong bounds
    doc["nodes"][0]["rotation"] = [0, 0, 0, 0.999]  # not quite unit
    data, result = _normalise(write(tmp_path / "c.glb", glb(doc, binary)))
    assert {w.code for w in result.check.warnings} == {
        Code.VECTORS_REPAIRED,
        Code.COLORS_CLAMPED,
        Code.BOUNDS_CORRECTED,
        Code.ROTATION_RENORMALISED,
    }
    _validate(tmp_path, data)


def test_shared_vertex_view_gets_the_stride_it_implies(tmp_path: Path) -> None:
    doc, binary = cube()
    normals = np.tile(np.array([0, 1, 0], "<f4"), (8, 1)).tobytes()
    doc["bufferViews"][0]["byteLength"] = 192
    binary = binary[:96] + normals + binary[96:]
    doc["bufferViews"][1]["byteOffset"] = 192
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["accessors"].append(
        {"bufferView": 0, "byteOffset": 96, "componentType": 5126, "count": 8, "type": "VEC3"}
    )
    doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"] = 2
    data, _ = _normalise(write(tmp_path / "c.glb", glb(doc, binary)))
    assert {v.get("byteStride") for v in _json(data)["bufferViews"]} == {12, None}
    _validate(tmp_path, data)


# --- properties of the output ---------------------------------------------------------------


def test_normalising_twice_changes_nothing_more(tmp_path: Path) -> None:
    first, result = _normalise(FIXTURES / "Duck/glTF-Binary/Duck.glb")
    second, again = _normalise(write(tmp_path / "once.glb", first))
    assert again.fit.scale == pytest.approx(1.0, rel=1e-6)
    assert again.fit.after.low == pytest.approx(result.fit.after.low, abs=1e-5)
    assert again.fit.after.high == pytest.approx(result.fit.after.high, abs=1e-5)
    _validate(tmp_path, first, second)


def test_same_upload_gives_the_same_bytes(tmp_path: Path) -> None:
    source = FIXTURES / "CesiumMan/glTF-Binary/CesiumMan.glb"
    assert _normalise(source)[0] == _normalise(source)[0]


def test_copyright_travels_with_the_model(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["asset"]["copyright"] = "© 2024 Example Exhibitor, CC-BY-4.0"
    data, _ = _normalise(write(tmp_path / "c.glb", glb(doc, binary)))
    assert _json(data)["asset"]["copyright"] == "© 2024 Example Exhibitor, CC-BY-4.0"


def test_ingest_stores_the_original_and_the_fitted_model(tmp_path: Path) -> None:
    upload = write(tmp_path / "c.glb", cube_glb())
    store = tmp_path / "store"
    ingested = ingest_model(upload, store, Slot(width=3, depth=3, height=3))
    assert ingested.original == hashlib.sha256(upload.read_bytes()).hexdigest()
    assert object_path(store, ingested.original).read_bytes() == upload.read_bytes()
    assert ingested.normalised is not None
    assert object_path(store, ingested.normalised).read_bytes() == ingested.result.glb
    assert ingested.to_json()["normalised"] == ingested.normalised


def test_refused_upload_stores_nothing(tmp_path: Path) -> None:
    upload = write(tmp_path / "bad.glb", cube_glb()[:100])
    ingested = ingest_model(upload, tmp_path / "store")
    assert (ingested.original, ingested.normalised) == (None, None)
    assert not (tmp_path / "store").exists()


# --- running in workers ----------------------------------------------------------------------


def test_results_cross_process_boundaries(tmp_path: Path) -> None:
    result = normalise_model(FIXTURES / "Duck/glTF-Binary/Duck.glb")
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result


def test_concurrent_checks_in_threads_agree_with_sequential_ones(tmp_path: Path) -> None:
    uploads = [
        FIXTURES / name
        for name in (
            "Duck/glTF-Binary/Duck.glb",
            "CesiumMan/glTF-Binary/CesiumMan.glb",
            "Box/glTF-Draco-Binary/Box_Draco.glb",
            "MetalRoughSpheresNoTextures/glTF-Binary/MetalRoughSpheresNoTextures.glb",
        )
    ] * 3
    sequential = [normalise_model(path) for path in uploads]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(normalise_model, uploads))
    assert concurrent == sequential
