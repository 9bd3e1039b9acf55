"""The repository runs from any folder on any machine: no file names a machine's own paths.

A path such as a home or workspace folder works on the machine that wrote it
and breaks a fresh clone anywhere else (third-party data is found through
tests/fixtures.py instead). Every tracked text file is read, docs and bench
results included; nothing is allowed-listed.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

#: Folders that only exist on some machines: workspaces and home folders. System paths
#: that every Debian machine has (/usr/bin/chromium, /etc/...) and /tmp are not these.
#: Matched at the start of a path only, so URL paths such as ``/api/home/`` pass.
MACHINE_PATH = re.compile(
    r"""(?<![\w.~/-])/(?:work|root|home|Users|mnt|media)/   # POSIX workspaces and homes
      | [A-Za-z]:\\(?:Users|Documents\ and\ Settings)\\  # Windows homes""",
    re.VERBOSE,
)


def tracked_files() -> list[str]:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is needed to list the repository's files (apt-get install git)")
    listing = subprocess.run(
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False, timeout=60
    )
    if listing.returncode != 0:
        pytest.fail(f"git ls-files failed in {ROOT}: {listing.stderr.decode(errors='replace')}")
    return [name for name in listing.stdout.decode().split("\0") if name]


def machine_paths(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each line of ``text`` that names a machine-specific path."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('FIXTURES = Path("/' + 'work/shared/fixtures")', True),
        ("cd /" + "root/project", True),
        ("see `/" + "home/alice/notes.md`", True),
        ("open /" + "Users/bob/x.glb", True),
        ("C:\\" + "Users\\carol\\expo", True),
        ("https://example.org/home/index.html", False),
        ("../shared/fixtures/gltf-samples", False),
        ("#!/usr/bin/env bash", False),
        ("/tmp/booth.glb is refused as a path traversal", False),
        ("GET /api/rooms/main", False),
    ],
)
def test_machine_paths_are_recognised(text: str, found: bool) -> None:
    assert bool(machine_paths(text)) is found


def test_no_tracked_file_names_an_absolute_machine_path() -> None:
    offenders = []
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree but still in the index
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (GLB, PNG, fonts)
        for number, line in machine_paths(data.decode("utf-8", errors="replace")):
            offenders.append(f"{name}:{number}: {line[:160]}")
    assert not offenders, (
        "absolute machine paths in the repository (find shared data through "
        "tests/fixtures.py, ../shared relative to the repository, or an environment "
        "variable instead):\n" + "\n".join(offenders)
    )
