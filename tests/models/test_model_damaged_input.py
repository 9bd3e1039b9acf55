"""Damaged and mutated files: each gets a clean verdict, never an exception.

Truncations (every prefix of a small GLB), random byte damage, and random
JSON values put anywhere in real documents. Mutants that are accepted must
still normalise into GLBs the Khronos validator passes with zero errors.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metaexpo.khronos import GltfValidator
from metaexpo.models import Code, check_model, normalise_model
from tests.models.gltf_factory import (
    cube,
    cube_glb,
    embedded,
    glb,
    gltf_zip,
    png,
    require_fixtures,
    textured_cube,
)

BOX = (require_fixtures() / "Box/glTF-Binary/Box.glb").read_bytes()
_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def test_every_prefix_of_a_small_glb_is_refused_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "box.glb"
    for length in range(len(BOX)):
        path.write_bytes(BOX[:length])
        result = check_model(path)
        assert not result.accepted, length
        codes = {p.code for p in result.problems}
        expected = Code.EMPTY_FILE if length == 0 else Code.TRUNCATED
        assert codes == {expected}, (length, codes)


def test_every_prefix_of_a_textured_glb_is_refused(tmp_path: Path) -> None:
    data = glb(*textured_cube(png(16, 16)))
    path = tmp_path / "tex.glb"
    for length in range(0, len(data), 7):
        path.write_bytes(data[:length])
        assert not check_model(path).accepted, length


@given(cut=st.integers(min_value=0))
@_SETTINGS
def test_any_prefix_of_a_zip_is_refused(tmp_path: Path, cut: int) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    data = gltf_zip(doc, {"cube.bin": binary})
    path = tmp_path / "box.zip"
    path.write_bytes(data[: cut % len(data)])
    assert not check_model(path).accepted


@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), max_size=6))
@_SETTINGS
def test_random_byte_damage_never_raises(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(BOX)
    for where, mask in flips:
        data[where % len(data)] ^= mask
    path = tmp_path / "damaged.glb"
    path.write_bytes(bytes(data))
    result = normalise_model(path)
    assert result.check.accepted == (result.glb is not None)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _split_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    length = int.from_bytes(data[12:16], "little")
    doc = json.loads(data[20 : 20 + length])
    binary = data[28 + length :] if len(data) > 20 + length else b""
    return doc, binary


def _bases() -> dict[str, tuple[dict[str, Any], bytes | None]]:
    doc, binary = cube()
    fixtures = require_fixtures()
    return {
        "embedded-cube": (embedded(doc, binary), None),
        "textured-cube": textured_cube(png(8, 8)),
        "skinned-man": _split_glb((fixtures / "CesiumMan/glTF-Binary/CesiumMan.glb").read_bytes()),
        "morph-cube": _split_glb(
            (fixtures / "AnimatedMorphCube/glTF-Binary/AnimatedMorphCube.glb").read_bytes()
        ),
    }


BASES = _bases()


@given(data=st.data(), base=st.sampled_from(sorted(BASES)))
@_SETTINGS
def test_any_json_value_anywhere_is_a_clean_verdict(
    tmp_path: Path, data: st.DataObject, base: str
) -> None:
    doc, binary = copy.deepcopy(BASES[base])
    paths = [p for p in _paths(doc) if p and not (p[0] == "buffers" and p[-1] == "uri")]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(_JSON)
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    upload = tmp_path / "fuzz.glb"
    upload.write_bytes(glb(doc, binary) if binary is not None else json.dumps(doc).encode())
    result = normalise_model(upload)
    assert result.check.accepted == (result.glb is not None)
    for problem in result.check.problems:
        assert problem.code and problem.message and problem.where


def test_accepted_fuzz_survivors_are_validator_clean(tmp_path: Path) -> None:
    # A few hand-picked legal variations of the cube, normalised and validated together.
    variants = []
    for edit in (
        {"nodes": [{"mesh": 0, "scale": [2, 0.5, 1]}]},
        {"nodes": [{"mesh": 0, "rotation": [0, 0.7071068, 0, 0.7071068]}]},
        {"nodes": [{"mesh": 0, "matrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 5, 6, 7, 1]}]},
        {"extras": {"booth": "retail-01"}, "scene": 0},
    ):
        doc, binary = cube()
        doc.update(edit)
        variants.append(glb(doc, binary))
    variants.append(cube_glb())
    outputs = []
    for n, data in enumerate(variants):
        upload = tmp_path / f"v{n}.glb"
        upload.write_bytes(data)
        result = normalise_model(upload)
        assert result.glb is not None, [str(p) for p in result.check.problems]
        out = tmp_path / f"v{n}.out.glb"
        out.write_bytes(result.glb)
        outputs.append(out)
    for report in GltfValidator().validate_files(outputs):
        assert report.valid, str(report)


def _mutant_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice([0, 1, 2, 3, -1, 4, 5, 7, 8, 100, 5126, 5123, 5121, 34962, 34963, 9987])
    if roll < 0.5:
        return rng.choice([0.0, 0.5, 1.0, 2.0, -1.0, 1e-9, 1e9])
    if roll < 0.6:
        return rng.choice([True, False, None])
    if roll < 0.75:
        return rng.choice(["VEC3", "SCALAR", "MAT4", "VEC2", "VEC4", "BLEND", "MASK", "", "x"])
    if roll < 0.9 and depth < 2:
        return [_mutant_value(rng, depth + 1) for _ in range(rng.choice([1, 2, 3, 4, 16]))]
    return {}


def test_accepted_mutants_normalise_to_validator_clean_glbs(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    outputs = []
    for n in range(300):
        doc, binary = copy.deepcopy(BASES[rng.choice(sorted(BASES))])
        for _ in range(rng.choice([1, 1, 2, 3])):
            paths = [p for p in _paths(doc) if p and not (p[0] == "buffers" and p[-1] == "uri")]
            path = rng.choice(paths)
            target: Any = doc
            for part in path[:-1]:
                target = target[part]
            old = target[path[-1]]
            if isinstance(old, int | float) and not isinstance(old, bool) and rng.random() < 0.5:
                target[path[-1]] = old + rng.choice([-1, 1, 2])
            else:
                target[path[-1]] = _mutant_value(rng)
        upload = tmp_path / f"in{n}.glb"
        upload.write_bytes(glb(doc, binary) if binary is not None else json.dumps(doc).encode())
        result = normalise_model(upload)
        if result.glb is not None:
            out = tmp_path / f"out{n}.glb"
            out.write_bytes(result.glb)
            outputs.append(out)
    assert len(outputs) > 20  # the mutations leave enough valid models to make the point
    for report in GltfValidator().validate_files(outputs):
        assert report.valid, str(report)
