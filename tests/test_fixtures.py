"""tests/fixtures.py: shared third-party data is found beside the repository or through
METAEXPO_FIXTURES, and a missing file fails the test with a message saying where it goes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests import fixtures
from tests.conftest import ROOT


def test_the_environment_variable_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gltf-samples").mkdir()
    (tmp_path / "gltf-samples" / "manifest.json").write_text("{}")
    monkeypatch.setenv(fixtures.ENV_VAR, str(tmp_path))
    assert fixtures.fixtures_dir() == tmp_path
    assert fixtures.shared_fixture("gltf-samples/manifest.json") == (
        tmp_path / "gltf-samples" / "manifest.json"
    )


def test_without_the_variable_the_folder_is_shared_fixtures_beside_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(fixtures.ENV_VAR, raising=False)
    assert fixtures.candidates()[0] == (ROOT.parent / "shared" / "fixtures").resolve()


def test_a_missing_fixture_fails_and_names_both_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(fixtures.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(pytest.fail.Exception) as failed:
        fixtures.shared_fixture("gltf-samples/Duck/glTF-Binary/Duck.glb")
    message = str(failed.value)
    assert str(tmp_path / "nowhere" / "gltf-samples" / "Duck" / "glTF-Binary" / "Duck.glb") in (
        message
    )
    assert "METAEXPO_FIXTURES" in message
    assert "../shared/fixtures" in message


def test_a_linked_worktree_also_looks_beside_its_main_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is needed for this test (apt-get install git)")

    def run(*args: str, cwd: Path) -> None:
        subprocess.run([git, *args], cwd=cwd, check=True, capture_output=True, timeout=60)

    main = tmp_path / "main"
    main.mkdir()
    run("init", "-q", "-b", "main", cwd=main)
    run(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "0",
        cwd=main,
    )
    run("worktree", "add", "-q", str(tmp_path / "wt" / "helper"), cwd=main)
    assert fixtures._main_checkout(tmp_path / "wt" / "helper") == main.resolve()
    assert fixtures._main_checkout(main) is None  # the main checkout has a .git folder

    monkeypatch.delenv(fixtures.ENV_VAR, raising=False)
    monkeypatch.setattr(fixtures, "ROOT", tmp_path / "wt" / "helper")
    shared = tmp_path / "shared" / "fixtures"
    assert fixtures.candidates() == [(tmp_path / "wt" / "shared" / "fixtures"), shared]
    (shared / "gltf-samples").mkdir(parents=True)
    assert fixtures.shared_fixture("gltf-samples") == shared / "gltf-samples"
