"""The Khronos glTF-Validator wrapper: typed verdicts on real files, and clear errors when
the validator cannot run (no node, no npm package, a script that gives no report)."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from metaexpo.khronos import (
    WEB_DIR,
    GltfValidator,
    Severity,
    ValidatorFailed,
    ValidatorUnavailable,
)
from tests.models.gltf_factory import cube_glb, write
from tests.models.khronos_cases import (
    clearcoat_normal_map_without_tangents,
    cube_with_unused_accessor,
    cube_with_wrong_bounds,
    normal_map_without_tangents,
)

VALIDATOR = GltfValidator()


def test_a_valid_glb_has_no_issue_and_names_the_validator_version() -> None:
    report = VALIDATOR.validate_glb(cube_glb(), "cube.glb")
    assert report.valid
    assert (report.error_count, report.warning_count, report.info_count) == (0, 0, 0)
    assert report.issues == ()
    assert report.name == "cube.glb"
    assert report.version.startswith("2.")


def test_a_rejected_glb_lists_each_error_with_its_code_and_pointer() -> None:
    report = VALIDATOR.validate_glb(cube_with_wrong_bounds())
    assert not report.valid
    assert report.error_count == 1
    (error,) = report.errors
    assert error.severity is Severity.ERROR
    assert (error.code, error.pointer) == ("ACCESSOR_MIN_MISMATCH", "/accessors/0/min/0")
    assert "does not match actual minimum" in error.message


def test_an_error_our_checks_do_not_look_for_is_found() -> None:
    report = VALIDATOR.validate_glb(clearcoat_normal_map_without_tangents())
    assert [(e.code, e.pointer) for e in report.errors] == [
        ("MESH_PRIMITIVE_NO_TANGENT_SPACE", "/meshes/0/primitives/0/material")
    ]


def test_warnings_and_infos_are_kept_apart_from_errors() -> None:
    warned = VALIDATOR.validate_glb(normal_map_without_tangents())
    assert warned.valid and warned.errors == ()
    assert [w.code for w in warned.warnings] == ["MESH_PRIMITIVE_GENERATED_TANGENT_SPACE"]
    assert warned.warnings[0].severity is Severity.WARNING
    informed = VALIDATOR.validate_glb(cube_with_unused_accessor())
    assert informed.valid and informed.warnings == ()
    assert [(i.code, i.pointer) for i in informed.infos] == [("UNUSED_OBJECT", "/accessors/2")]


def test_files_get_one_report_each_in_the_order_given(tmp_path: Path) -> None:
    good = write(tmp_path / "good.glb", cube_glb())
    bad = write(tmp_path / "bad.glb", cube_with_wrong_bounds())
    reports = VALIDATOR.validate_files([bad, good, bad])
    assert [r.name for r in reports] == [str(bad), str(good), str(bad)]
    assert [r.valid for r in reports] == [False, True, False]
    assert VALIDATOR.validate_files([]) == []


def test_bytes_that_are_not_gltf_are_an_error_in_the_report() -> None:
    report = VALIDATOR.validate_glb(b"this is not a model")
    assert not report.valid
    assert report.errors and report.errors[0].message


def test_an_upload_problem_says_who_found_it() -> None:
    (error,) = VALIDATOR.validate_glb(clearcoat_normal_map_without_tangents()).errors
    assert error.as_problem() == {
        "code": "MESH_PRIMITIVE_NO_TANGENT_SPACE",
        "message": error.message,
        "where": "/meshes/0/primitives/0/material",
        "limit": None,
        "source": "khronos",
    }


def test_reports_validators_and_errors_cross_process_boundaries() -> None:
    report = VALIDATOR.validate_glb(normal_map_without_tangents())
    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(VALIDATOR)) == VALIDATOR
    error = pickle.loads(pickle.dumps(ValidatorUnavailable("run scripts/bootstrap")))
    assert isinstance(error, ValidatorUnavailable) and str(error) == "run scripts/bootstrap"


def test_without_node_on_path_the_error_says_to_run_bootstrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ValidatorUnavailable, match=r"`node` is not on PATH.*scripts/bootstrap"):
        VALIDATOR.validate_glb(cube_glb())


def _web_dir(tmp_path: Path, script: str | None = None, *, package: bool = True) -> Path:
    web = tmp_path / "web"
    tools = web / "tools"
    tools.mkdir(parents=True)
    if script is None:
        shutil.copy(WEB_DIR / "tools" / "validate-gltf.mjs", tools)
    else:
        (tools / "validate-gltf.mjs").write_text(script, encoding="utf-8")
    if package:
        (web / "node_modules" / "gltf-validator").mkdir(parents=True)
    return web


def test_without_the_npm_package_the_error_says_to_run_bootstrap(tmp_path: Path) -> None:
    validator = GltfValidator(_web_dir(tmp_path, package=False))
    with pytest.raises(ValidatorUnavailable, match=r"gltf-validator is not installed.*bootstrap"):
        validator.validate_glb(cube_glb())


def test_without_the_script_the_error_names_the_web_folder(tmp_path: Path) -> None:
    with pytest.raises(ValidatorUnavailable, match=r"validate-gltf\.mjs is missing.*--web-dir"):
        GltfValidator(tmp_path).validate_glb(cube_glb())


def test_a_validator_that_gives_no_report_is_a_failure_with_its_message(tmp_path: Path) -> None:
    crashing = "console.error('out of memory, pretend'); process.exit(3);\n"
    validator = GltfValidator(_web_dir(tmp_path, crashing))
    with pytest.raises(ValidatorFailed, match=r"exit status 3.*out of memory, pretend"):
        validator.validate_glb(cube_glb())


def test_a_validator_that_prints_garbage_is_a_failure(tmp_path: Path) -> None:
    validator = GltfValidator(_web_dir(tmp_path, "console.log('{not json');\n"))
    with pytest.raises(ValidatorFailed, match="unreadable report"):
        validator.validate_glb(cube_glb())
