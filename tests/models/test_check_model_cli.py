"""``metaexpo check-model`` / ``python -m metaexpo.models``: exit codes, output, --normalise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metaexpo.models.cli import main
from tests.conftest import ROOT, TIME_FACTOR
from tests.models.gltf_factory import cube, cube_glb, glb, require_fixtures, write

FIXTURES = require_fixtures()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "cube.glb", cube_glb())


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    doc, binary = cube()
    doc["nodes"][0]["mesh"] = 4
    doc["accessors"][0]["count"] = 0
    return write(tmp_path / "bad.glb", glb(doc, binary))


def test_accepted_model_exits_0_with_a_summary(
    good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ACCEPTED") and "12 triangles" in out


def test_refused_model_exits_1_and_lists_every_problem(
    bad: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("REFUSED")
    assert "/accessors/0/count" in out and "invalid_property" in out


def test_json_output_is_exactly_one_object(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["accepted"] is False
    assert {"triangles", "materials", "textures", "bytes", "nodes"} <= set(data["stats"])
    for problem in data["problems"]:
        assert set(problem) == {"code", "message", "where", "limit"}


def test_json_output_of_an_accepted_model(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(good), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["accepted"] is True and data["problems"] == []
    assert data["stats"]["triangles"] == 12 and data["stats"]["bytes"] == good.stat().st_size


def test_normalise_writes_the_fitted_model(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fitted.glb"
    args = [str(good), "--normalise", str(out), "--footprint", "2", "3", "--height", "1", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fit"]["scale"] == pytest.approx(1.0)
    assert data["fit"]["bounds_after"] == {"min": [-0.5, 0.0, -0.5], "max": [0.5, 1.0, 0.5]}
    assert data["output_bytes"] == out.stat().st_size
    assert main([str(out)]) == 0


def test_refused_model_is_not_written(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "fitted.glb"
    assert main([str(bad), "--normalise", str(out)]) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["missing.glb"],
        ["{good}", "--footprint", "2"],
        ["{good}", "--footprint", "2", "x"],
        ["{good}", "--height", "-1"],
        ["{good}", "--height", "0"],
        ["{good}", "--bogus"],
    ],
)
def test_usage_errors_exit_2(
    good: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(good=good) for a in args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err


def test_python_dash_m_runs_the_command(good: Path, tmp_path: Path) -> None:
    draco = FIXTURES / "Box/glTF-Draco-Binary/Box_Draco.glb"
    for path, status in ((good, 0), (draco, 1), (tmp_path / "nope.glb", 2)):
        done = subprocess.run(
            [sys.executable, "-m", "metaexpo.models", str(path), "--json"],
            capture_output=True,
            text=True,
            timeout=60 * TIME_FACTOR,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == status, done.stderr
        if status != 2:
            assert json.loads(done.stdout)["accepted"] is (status == 0)
