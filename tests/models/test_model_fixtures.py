"""Every Khronos sample model: its documented verdict, and a validator-clean fit in the slot."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh

from metaexpo.khronos import GltfValidator, ValidationReport
from metaexpo.models import Code, NormaliseResult, Slot, check_model, normalise_model
from tests.models.gltf_factory import fixture_input, require_fixtures

ROOT = Path(__file__).resolve().parents[2]
MANIFEST: dict[str, Any] = json.loads((require_fixtures() / "manifest.json").read_text())
ENTRIES: list[dict[str, Any]] = MANIFEST["files"]

#: None = accepted; otherwise the code the refusal must include. docs/models.md has this table.
EXPECTED: dict[str, Code | None] = {
    "AnimatedMorphCube/glTF-Binary/AnimatedMorphCube.glb": None,
    "AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp.gltf": Code.UNSUPPORTED_IMAGE_FORMAT,
    "Avocado/glTF/Avocado.gltf": None,
    "Box/glTF-Binary/Box.glb": None,
    "Box/glTF-Draco/Box.gltf": Code.UNSUPPORTED_EXTENSION,
    "Box/glTF-Draco-Binary/Box_Draco.glb": Code.UNSUPPORTED_EXTENSION,
    "Box/glTF-Embedded/Box.gltf": None,
    "Box/glTF-Meshopt-Binary/BoxMeshopt.glb": Code.UNSUPPORTED_EXTENSION,
    "Box With Spaces/glTF/Box With Spaces.gltf": None,
    "BoxAnimated/glTF-Binary/BoxAnimated.glb": None,
    "BoxInterleaved/glTF-Binary/BoxInterleaved.glb": None,
    "BoxTextured/glTF/BoxTextured.gltf": None,
    "BoxTextured/glTF-Binary/BoxTextured.glb": None,
    "BoxTextured/glTF-Embedded/BoxTextured.gltf": None,
    "BoxVertexColors/glTF-Binary/BoxVertexColors.glb": None,
    "CesiumMan/glTF-Binary/CesiumMan.glb": None,
    "DamagedHelmet/glTF-Binary/DamagedHelmet.glb": None,
    "Duck/glTF-Binary/Duck.glb": None,
    "Duck/glTF-Draco/Duck.gltf": Code.UNSUPPORTED_EXTENSION,
    "Duck/glTF-Quantized/Duck.gltf": None,
    "Fox/glTF-Binary/Fox.glb": None,
    "MetalRoughSpheresNoTextures/glTF-Binary/MetalRoughSpheresNoTextures.glb": (
        Code.TOO_MANY_TRIANGLES
    ),
    "MorphPrimitivesTest/glTF-Binary/MorphPrimitivesTest.glb": None,
    "MultiUVTest/glTF-Binary/MultiUVTest.glb": None,
    "SimpleSparseAccessor/glTF/SimpleSparseAccessor.gltf": None,
    "SimpleSparseAccessor/glTF-Embedded/SimpleSparseAccessor.gltf": None,
    "TextureTransformTest/glTF/TextureTransformTest.gltf": None,
    "Unicode❤♻Test/glTF-Binary/Unicode❤♻Test.glb": None,
}
#: The Khronos glTF-Validator's warnings on the fitted model (kept and shown, never refused);
#: docs/models.md names them in the table.
KHRONOS_WARNINGS: dict[str, set[str]] = {
    "Box With Spaces/glTF/Box With Spaces.gltf": {"MESH_PRIMITIVE_GENERATED_TANGENT_SPACE"},
    "CesiumMan/glTF-Binary/CesiumMan.glb": {"NODE_SKINNED_MESH_NON_ROOT"},
    "DamagedHelmet/glTF-Binary/DamagedHelmet.glb": {"MESH_PRIMITIVE_GENERATED_TANGENT_SPACE"},
    "Fox/glTF-Binary/Fox.glb": {"NODE_SKINNED_MESH_NON_ROOT"},
}
SLOTS = {"kiosk": Slot(), "narrow": Slot(width=2.0, depth=1.0, height=3.0)}
#: Relative slack for float32 transforms when the output is re-read.
TOLERANCE = 1e-5


@dataclass
class Outcome:
    """One fixture normalised into one slot, its output file and the validator's report."""

    result: NormaliseResult
    output: Path | None
    report: ValidationReport | None = None


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    """All fixtures in both slots; the validator runs once over every output."""
    folder = tmp_path_factory.mktemp("fixtures")
    found: dict[tuple[str, str], Outcome] = {}
    for n, entry in enumerate(ENTRIES):
        upload = fixture_input(entry, folder / f"in{n}")
        for slot_name, slot in SLOTS.items():
            result = normalise_model(upload, slot)
            output = None
            if result.glb is not None:
                output = folder / f"out{n}-{slot_name}.glb"
                output.write_bytes(result.glb)
            found[entry["file"], slot_name] = Outcome(result, output)
    produced = [o for o in found.values() if o.output is not None]
    for outcome, report in zip(
        produced,
        GltfValidator().validate_files([o.output for o in produced if o.output]),
        strict=True,
    ):
        outcome.report = report
    return found


def test_every_manifest_file_has_a_documented_expectation() -> None:
    assert sorted(EXPECTED) == sorted(entry["file"] for entry in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_fixture_verdict_matches_expectation(
    entry: dict[str, Any], outcomes: dict[tuple[str, str], Outcome]
) -> None:
    check = outcomes[entry["file"], "kiosk"].result.check
    expected = EXPECTED[entry["file"]]
    if expected is None:
        assert check.accepted, [str(p) for p in check.problems]
        assert check.stats.triangles == entry["triangles_in_scene"]
        assert check.stats.materials <= entry["materials"]
        if entry["animations"]:
            assert Code.ANIMATIONS_REMOVED in {w.code for w in check.warnings}
    else:
        assert not check.accepted
        assert expected in {p.code for p in check.problems}, [str(p) for p in check.problems]
        for problem in check.problems:
            assert problem.message.endswith("."), problem
            assert problem.where


@pytest.mark.parametrize("slot_name", list(SLOTS))
@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if EXPECTED[e["file"]] is None],
    ids=[e["file"] for e in ENTRIES if EXPECTED[e["file"]] is None],
)
def test_accepted_fixture_is_validator_clean_and_inside_its_slot(
    entry: dict[str, Any], slot_name: str, outcomes: dict[tuple[str, str], Outcome]
) -> None:
    outcome = outcomes[entry["file"], slot_name]
    slot = SLOTS[slot_name]
    assert outcome.output is not None and outcome.report is not None
    assert outcome.report.valid, str(outcome.report)
    assert {w.code for w in outcome.report.warnings} == KHRONOS_WARNINGS.get(entry["file"], set())
    # Re-checking the output is an independent computation of its bounds (with skins and morphs).
    again = check_model(outcome.output)
    assert again.accepted, [str(p) for p in again.problems]
    bounds = again.stats.bounds
    assert bounds is not None
    _assert_inside(np.array(bounds.low), np.array(bounds.high), slot)
    if not {"skin", "morph"} & set(entry["features"]):
        # trimesh reads the file on its own (it ignores skins and morph weights).
        scene = trimesh.load(outcome.output, file_type="glb", force="scene")
        low, high = scene.bounds
        _assert_inside(low, high, slot)


def _assert_inside(low: np.ndarray, high: np.ndarray, slot: Slot) -> None:
    limit = np.array([slot.width / 2, slot.height, slot.depth / 2])
    slack = TOLERANCE * limit.max()
    assert low[1] == pytest.approx(0.0, abs=slack)  # standing on the floor
    assert (high[[0, 2]] + low[[0, 2]]) == pytest.approx([0.0, 0.0], abs=slack)  # centred
    assert high[0] <= limit[0] + slack and high[2] <= limit[2] + slack
    assert high[1] <= limit[1] + slack
    # Uniform scale to fit: at least one extent touches the slot.
    extents = (high - low) / np.array([slot.width, slot.height, slot.depth])
    assert extents.max() == pytest.approx(1.0, rel=TOLERANCE)


def test_docs_table_lists_every_fixture_with_its_verdict() -> None:
    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)` \| (accepted|refused: `[a-z_]+`) \|", text, re.M))
    for file, expected in EXPECTED.items():
        assert file in rows, f"docs/models.md has no row for {file}"
        assert rows[file] == ("accepted" if expected is None else f"refused: `{expected}`"), file
    details = dict(re.findall(r"^\| `([^`]+)` \| [^|]+ \| (.*) \|$", text, re.M))
    for file in EXPECTED:
        named = set(re.findall(r"Khronos warning `([A-Z_]+)`", details[file]))
        assert named == KHRONOS_WARNINGS.get(file, set()), file
