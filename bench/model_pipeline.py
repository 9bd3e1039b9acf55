"""Time the exhibitor model pipeline on a ~20 MB GLB (BENCHMARKS.md: validation + fit ≤ 2 s).

The test model is built from the fixtures: an icosphere subdivided to
81,920 triangles, written unindexed with POSITION, NORMAL, TANGENT, two UV
sets and COLOR_0 (so the geometry alone is ~18 MB, as with CAD exports),
textured with DamagedHelmet's five 2048 × 2048 JPEGs.
It stays inside every default budget, so the whole pipeline runs. The
fixtures come from ``../shared/fixtures`` beside the repository, or from the
folder in ``METAEXPO_FIXTURES``. Usage:

    .venv/bin/python bench/model_pipeline.py [--runs 5] [--keep PATH]

Prints one JSON line: the file size and the median seconds of ``check_model``,
of ``normalise_model`` (which includes the check), of the Khronos
glTF-Validator on the fitted GLB (a ``node`` process, as an upload runs it),
and of normalisation plus validation together: what an upload costs before
its files are stored, and what the target is about. On a shared machine the
wall-clock times depend on the load (printed too), so the CPU seconds of the
same steps are printed beside them: ``process_time`` for the Python steps,
the children's ``getrusage`` for the validator's node process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh

from metaexpo.models import GltfValidator, Slot, check_model, normalise_model

# The shared fixtures are found the way the tests find them (tests/fixtures.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fixtures import shared_fixture


def _helmet_images() -> list[bytes]:
    data = shared_fixture("gltf-samples/DamagedHelmet/glTF-Binary/DamagedHelmet.glb").read_bytes()
    length = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20 : 20 + length])
    binary = data[28 + length :]
    images = []
    for image in doc["images"]:
        view = doc["bufferViews"][image["bufferView"]]
        start = view.get("byteOffset", 0)
        images.append(binary[start : start + view["byteLength"]])
    return images


def build_model(seed: int = 7) -> bytes:
    """The benchmark GLB (deterministic)."""
    sphere = trimesh.creation.icosphere(subdivisions=6, radius=0.6)
    corners = sphere.vertices[sphere.faces].reshape(-1, 3)  # unindexed: 3 vertices a triangle
    normals = corners / np.linalg.norm(corners, axis=1, keepdims=True)
    uv = np.stack(
        [
            0.5 + np.arctan2(normals[:, 2], normals[:, 0]) / (2 * np.pi),
            0.5 - np.arcsin(normals[:, 1]) / np.pi,
        ],
        axis=1,
    )
    tangents = np.cross(normals, [0.0, 1.0, 0.0])
    tangents[np.linalg.norm(tangents, axis=1) < 1e-6] = (1.0, 0.0, 0.0)
    tangents /= np.linalg.norm(tangents, axis=1, keepdims=True)
    tangents = np.hstack([tangents, np.ones((len(tangents), 1))])
    rng = np.random.default_rng(seed)
    colours = np.hstack([rng.random((len(corners), 3)), np.ones((len(corners), 1))])
    attributes = {
        "POSITION": corners,
        "NORMAL": normals,
        "TANGENT": tangents,
        "TEXCOORD_0": uv,
        "TEXCOORD_1": uv[:, ::-1],
        "COLOR_0": colours,
    }
    images = _helmet_images()

    blob = bytearray()
    views: list[dict[str, object]] = []
    accessors: list[dict[str, object]] = []

    def add(payload: bytes, target: int | None = None) -> int:
        blob.extend(b"\x00" * (-len(blob) % 4))
        view: dict[str, object] = {"buffer": 0, "byteOffset": len(blob), "byteLength": len(payload)}
        if target:
            view["target"] = target
        views.append(view)
        blob.extend(payload)
        return len(views) - 1

    indices = {}
    for name, values in attributes.items():
        data = np.ascontiguousarray(values, dtype="<f4")
        accessor: dict[str, object] = {
            "bufferView": add(data.tobytes(), 34962),
            "componentType": 5126,
            "count": len(data),
            "type": {2: "VEC2", 3: "VEC3", 4: "VEC4"}[data.shape[1]],
        }
        if name == "POSITION":
            accessor["min"] = data.min(axis=0).tolist()
            accessor["max"] = data.max(axis=0).tolist()
        accessors.append(accessor)
        indices[name] = len(accessors) - 1
    image_entries = [
        {
            "bufferView": add(data),
            "mimeType": "image/png" if data[:4] == b"\x89PNG" else "image/jpeg",
        }
        for data in images
    ]
    doc = {
        "asset": {"version": "2.0", "generator": "bench/model_pipeline.py"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "sphere"}],
        "meshes": [{"primitives": [{"attributes": indices, "material": 0}]}],
        "materials": [
            {
                "pbrMetallicRoughness": {
                    "baseColorTexture": {"index": 0},
                    "metallicRoughnessTexture": {"index": 1},
                },
                "emissiveTexture": {"index": 2},
                "emissiveFactor": [1, 1, 1],
                "occlusionTexture": {"index": 3},
                "normalTexture": {"index": 4},
            }
        ],
        "textures": [{"source": i, "sampler": 0} for i in range(len(image_entries))],
        "samplers": [{"magFilter": 9729, "minFilter": 9987}],
        "images": image_entries,
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": len(blob)}],
    }
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    blob.extend(b"\x00" * (-len(blob) % 4))
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    body += struct.pack("<II", len(blob), 0x004E4942) + bytes(blob)
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Build the model, time the pipeline, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="also write the benchmark GLB here")
    args = parser.parse_args()
    data = build_model()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "booth.glb"
        path.write_bytes(data)
        if args.keep:
            args.keep.write_bytes(data)
        validator = GltfValidator()
        check_times, normalise_times, khronos_times, totals = [], [], [], []
        normalise_cpu, khronos_cpu = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            check = check_model(path)
            check_times.append(time.perf_counter() - started)
            started, cpu = time.perf_counter(), time.process_time()
            result = normalise_model(path, Slot())
            normalise_times.append(time.perf_counter() - started)
            normalise_cpu.append(time.process_time() - cpu)
            assert check.accepted and result.glb is not None, [str(p) for p in check.problems]
            started, cpu = time.perf_counter(), _children_cpu()
            khronos = validator.validate_glb(result.glb)
            khronos_times.append(time.perf_counter() - started)
            khronos_cpu.append(_children_cpu() - cpu)
            totals.append(normalise_times[-1] + khronos_times[-1])
        assert khronos.valid, str(khronos)
    print(
        json.dumps(
            {
                "benchmark": "exhibitor GLB validation + normalisation",
                "file_bytes": len(data),
                "triangles": check.stats.triangles,
                "textures": check.stats.textures,
                "runs": args.runs,
                "check_s_median": round(statistics.median(check_times), 4),
                "check_and_normalise_s_median": round(statistics.median(normalise_times), 4),
                "khronos_validation_s_median": round(statistics.median(khronos_times), 4),
                "check_normalise_and_khronos_s_median": round(statistics.median(totals), 4),
                "cpu_s_median": {
                    "check_and_normalise": round(statistics.median(normalise_cpu), 4),
                    "khronos_validation": round(statistics.median(khronos_cpu), 4),
                },
                "khronos": khronos.summary(),
                "output_bytes": len(result.glb),
                "target_s": 2.0,
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
