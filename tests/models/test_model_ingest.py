"""Ingest is the upload's last step: the fitted GLB must pass the Khronos glTF-Validator
before anything is stored; its errors refuse, its warnings stay in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaexpo.khronos import GltfValidator
from metaexpo.models import ValidatorUnavailable, check_model, ingest_model, normalise_model
from tests.models.gltf_factory import cube_glb, write
from tests.models.khronos_cases import (
    clearcoat_normal_map_without_tangents,
    normal_map_without_tangents,
)


def _stored(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def test_a_fit_only_the_khronos_validator_rejects_is_refused_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    upload = write(tmp_path / "clearcoat.glb", clearcoat_normal_map_without_tangents())
    # Our own checks accept the model and fit it: only the validator can refuse it.
    assert check_model(upload).accepted
    fitted = normalise_model(upload)
    assert fitted.glb is not None
    assert not GltfValidator().validate_glb(fitted.glb).valid

    ingested = ingest_model(upload, tmp_path / "store", filename="clearcoat.glb")

    assert not ingested.accepted
    assert (ingested.original, ingested.normalised) == (None, None)
    assert _stored(tmp_path / "store") == []
    assert ingested.khronos is not None and ingested.khronos.name == "clearcoat.glb"
    report = ingested.to_json()
    assert report["accepted"] is False
    assert report["problems"] == [
        {
            "code": "MESH_PRIMITIVE_NO_TANGENT_SPACE",
            "message": "Material requires a tangent space but the mesh primitive does not "
            "provide it and the material does not contain a normal map to generate it.",
            "where": "/meshes/0/primitives/0/material",
            "limit": None,
            "source": "khronos",
        }
    ]
    assert report["khronos"]["errors"] == 1
    assert (report["original"], report["normalised"]) == (None, None)


def test_validator_warnings_are_kept_with_an_accepted_upload(tmp_path: Path) -> None:
    upload = write(tmp_path / "normal-map.glb", normal_map_without_tangents())
    ingested = ingest_model(upload, tmp_path / "store")
    assert ingested.accepted and ingested.normalised is not None
    report = ingested.to_json()
    assert report["accepted"] is True and report["problems"] == []
    khronos = [w for w in report["warnings"] if w.get("source") == "khronos"]
    assert [(w["code"], w["where"]) for w in khronos] == [
        ("MESH_PRIMITIVE_GENERATED_TANGENT_SPACE", "/meshes/0/primitives/0/material")
    ]
    assert report["khronos"] == {
        "errors": 0,
        "warnings": 1,
        "infos": 0,
        "truncated": False,
        "validator": ingested.khronos.version if ingested.khronos else None,
    }


def test_a_model_our_checks_refuse_never_reaches_the_validator(tmp_path: Path) -> None:
    upload = write(tmp_path / "cut.glb", cube_glb()[:100])
    ingested = ingest_model(upload, tmp_path / "store")
    assert ingested.khronos is None
    assert ingested.to_json()["khronos"] is None


def test_without_the_validator_ingest_raises_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = write(tmp_path / "cube.glb", cube_glb())
    monkeypatch.setenv("PATH", str(tmp_path / "no-node-here"))
    with pytest.raises(ValidatorUnavailable, match="scripts/bootstrap"):
        ingest_model(upload, tmp_path / "store")
    assert _stored(tmp_path / "store") == []
