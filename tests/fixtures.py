"""Where the shared third-party test data lives: beside the repository, never inside it.

The Khronos glTF sample models are not ours to commit, so they stay in the
team's ``shared/fixtures`` folder. Tests find it through ``METAEXPO_FIXTURES``
or, by default, at ``../shared/fixtures`` relative to the repository root (for
a linked git worktree, also relative to its main checkout). A test that needs
a missing fixture fails, never skips, and says where to put it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Environment variable that names the shared fixtures folder (wins over the default).
ENV_VAR = "METAEXPO_FIXTURES"
#: The default place, relative to the repository: ``<repo>/../shared/fixtures``.
RELATIVE = Path("..") / "shared" / "fixtures"


def _main_checkout(repo: Path) -> Path | None:
    """The main working tree when ``repo`` is a linked ``git worktree``, else None.

    A linked worktree's ``.git`` is a file naming its git dir, whose ``commondir``
    points at the main repository's ``.git``; read, not asked of git, so no git
    binary is needed.
    """
    dot_git = repo / ".git"
    if not dot_git.is_file():
        return None
    text = dot_git.read_text(errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    git_dir = (repo / text.removeprefix("gitdir:").strip()).resolve()
    common = git_dir / "commondir"
    if not common.is_file():
        return None
    return (git_dir / common.read_text().strip()).resolve().parent


def candidates() -> list[Path]:
    """Where the fixtures are looked for, in order."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return [Path(configured)]
    places = [(ROOT / RELATIVE).resolve()]
    main = _main_checkout(ROOT)
    if main is not None and (main / RELATIVE).resolve() not in places:
        places.append((main / RELATIVE).resolve())
    return places


def fixtures_dir() -> Path:
    """The shared fixtures folder: the first candidate that exists (else the first one)."""
    places = candidates()
    return next((p for p in places if p.is_dir()), places[0])


def missing_message(relative: str) -> str:
    """What to do when ``relative`` is not in the shared fixtures folder."""
    looked = ", ".join(str(p / relative) for p in candidates())
    configured = os.environ.get(ENV_VAR, "").strip()
    setting = f"{ENV_VAR}={configured}" if configured else f"{ENV_VAR} is not set"
    return (
        f"shared test fixture {relative!r} not found (looked at {looked}; {setting}). "
        f"Put the shared fixtures folder (with {relative} inside) at {RELATIVE.as_posix()} "
        f"next to the repository root, or set {ENV_VAR} to the folder's path."
    )


def shared_fixture(relative: str) -> Path:
    """The path of one shared fixture (a file or folder under the fixtures folder).

    Fails the calling test (or the collection of its module) when it is missing.
    """
    path = fixtures_dir() / relative
    if not path.exists():
        pytest.fail(missing_message(relative), pytrace=False)
    return path
