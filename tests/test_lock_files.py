"""The lock files (requirements/*.txt) match pyproject.toml, and the check notices when not.

``scripts/bootstrap`` installs only from the lock files; this is the same
check it runs first, kept in the suite so a change to pyproject.toml without
``scripts/lock`` fails here with the command to run.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _check_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_lock_files_match_pyproject() -> None:
    assert _check_lock().problems(ROOT) == []


def _copy(tmp_path: Path) -> Path:
    (tmp_path / "requirements").mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for lock in ("run.txt", "dev.txt"):
        shutil.copy(ROOT / "requirements" / lock, tmp_path / "requirements")
    return tmp_path


def test_a_new_dependency_without_a_new_lock_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace("dependencies = [\n", 'dependencies = [\n  "six>=1.16",\n', 1)
    )
    found = _check_lock().problems(root)
    assert any("run.txt" in p and "other dependency lists" in p for p in found), found
    assert any("dev.txt" in p for p in found), found


def test_a_dev_only_change_leaves_the_service_lock_fresh(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("dev = [\n", 'dev = [\n  "six>=1.16",\n', 1))
    found = _check_lock().problems(root)
    assert found and all("dev.txt" in p for p in found), found


def test_run_and_dev_locks_that_pin_different_versions_are_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    run = root / "requirements" / "run.txt"
    run.write_text(run.read_text().replace("\nnumpy==", "\nnumpy==0.0.1+", 1))
    found = _check_lock().problems(root)
    assert any(p.startswith("numpy is pinned") for p in found), found


def test_the_bootstrap_checks_the_lock_before_installing() -> None:
    bootstrap = (ROOT / "scripts" / "bootstrap").read_text()
    check = bootstrap.index("scripts/check_lock.py")
    assert check < bootstrap.index("--require-hashes")
    assert '--require-hashes --no-deps -r "$lock"' in bootstrap
