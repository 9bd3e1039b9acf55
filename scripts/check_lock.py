"""Check that the Python lock files still match pyproject.toml.

``requirements/run.txt`` (the service, and the container) and
``requirements/dev.txt`` (the service plus everything the tests need) are
made by ``scripts/lock`` from pyproject.toml. Each carries a digest of the
dependency lists it was made from; when those lists change and the lock
files do not, installs would quietly differ from what pyproject.toml asks
for, so this check fails and says what to run.

Standard library only: ``scripts/bootstrap`` runs it before anything is
installed. Exit 0 when fresh, 1 with a message when not.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"run.txt": ("postgres",), "dev.txt": ("postgres", "dev")}
DIGEST_LINE = re.compile(r"^# pyproject-digest: ([0-9a-f]{64})$", re.MULTILINE)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pyproject_digest(pyproject: Path, extras: tuple[str, ...]) -> str:
    """A digest of what a lock made for ``extras`` was resolved from."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    optional = project.get("optional-dependencies", {})
    basis = {
        "build": sorted(data.get("build-system", {}).get("requires", [])),
        "python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "extras": {name: sorted(optional.get(name, [])) for name in extras},
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def pins(lock_text: str) -> dict[str, set[str]]:
    """Package name → the versions a lock file pins (one per Python-version marker)."""
    found: dict[str, set[str]] = {}
    for name, version in PIN.findall(lock_text):
        found.setdefault(re.sub(r"[-_.]+", "-", name).lower(), set()).add(version)
    return found


def problems(root: Path = ROOT) -> list[str]:
    """Sentences describing every way the lock files disagree with pyproject.toml."""
    pyproject = root / "pyproject.toml"
    out: list[str] = []
    texts: dict[str, str] = {}
    for name, extras in LOCKS.items():
        path = root / "requirements" / name
        if not path.is_file():
            out.append(f"requirements/{name} is missing")
            continue
        text = path.read_text(encoding="utf-8")
        texts[name] = text
        match = DIGEST_LINE.search(text)
        if match is None:
            out.append(f"requirements/{name} has no '# pyproject-digest:' line")
        elif match.group(1) != pyproject_digest(pyproject, extras):
            out.append(
                f"requirements/{name} was made from other dependency lists than "
                "pyproject.toml now has"
            )
    if len(texts) == len(LOCKS):
        run, dev = pins(texts["run.txt"]), pins(texts["dev.txt"])
        for package in sorted(run.keys() & dev.keys()):
            if run[package] != dev[package]:
                out.append(
                    f"{package} is pinned to {sorted(run[package])} in run.txt but "
                    f"{sorted(dev[package])} in dev.txt"
                )
        for package in sorted(run.keys() - dev.keys()):
            out.append(f"{package} is in run.txt but not in dev.txt")
    return out


def main() -> int:
    """Print what is stale and how to fix it; exit 1 if anything is."""
    found = problems()
    if not found:
        return 0
    print("The Python lock files are out of date with pyproject.toml:", file=sys.stderr)
    for problem in found:
        print(f"  - {problem}", file=sys.stderr)
    print(
        "Run scripts/lock to refresh them (it keeps every pin it can), then scripts/test, "
        "and commit requirements/ with pyproject.toml.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
