"""Every third-party module the code imports is declared in pyproject.toml.

A package that happens to be installed on a developer's machine but is missing
from the project's dependencies passes every test there and breaks a fresh
clone; this test names the module, the file that imports it and the list it
belongs in.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Our own packages, and the bench scripts, which import one another as siblings.
FIRST_PARTY = {"metaexpo", "tests"} | {p.stem for p in (ROOT / "bench").glob("*.py")}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*groups: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lists = [project["dependencies"]]
    lists += [project["optional-dependencies"][g] for g in groups]
    return {_normalise(re.split(r"[\[<>=!~; ]", req, maxsplit=1)[0]) for r in lists for req in r}


def _imports(folder: Path) -> dict[str, Path]:
    """Top-level third-party module name → the first file that imports it."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, path)
    return found


@pytest.mark.parametrize(
    ("folder", "groups"),
    [("server/metaexpo", ()), ("tests", ("dev", "postgres")), ("bench", ("dev",))],
)
def test_every_imported_module_is_a_declared_dependency(
    folder: str, groups: tuple[str, ...]
) -> None:
    declared = _declared(*groups)
    owners = packages_distributions()
    extras = "/".join(groups)
    where = "[project].dependencies" if not groups else f"dependencies or the {extras} extra"
    problems = []
    for module, path in sorted(_imports(ROOT / folder).items()):
        dists = {_normalise(d) for d in owners.get(module, [])}
        if not dists:
            problems.append(f"{module} (imported in {path.relative_to(ROOT)}) is not installed")
        elif not dists & declared:
            problems.append(
                f"{module} (imported in {path.relative_to(ROOT)}) comes from "
                f"{', '.join(sorted(dists))}, which is not in {where} of pyproject.toml"
            )
    assert not problems, "\n".join(problems)
