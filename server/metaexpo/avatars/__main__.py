"""Command line: ``python -m metaexpo.avatars OUT_DIR [--check]``.

Without ``--check`` it (re)generates the avatars into OUT_DIR. With it, it
builds into a scratch folder and compares, exiting 1 and naming each file
that is missing or differs, so CI can tell when the committed models are
stale. Either way the GLBs in OUT_DIR then go through the Khronos
glTF-Validator, which must find nothing at all (no error, warning or info):
exit 1 naming each issue otherwise, or exit 2 when the validator cannot run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from metaexpo.avatars.build import build_avatars
from metaexpo.avatars.manifest import MANIFEST_NAME, AvatarManifest
from metaexpo.khronos import GltfValidator, ValidatorError


def _differences(fresh_dir: Path, committed_dir: Path, names: list[str]) -> list[str]:
    problems = []
    for name in names:
        committed = committed_dir / name
        if not committed.is_file():
            problems.append(f"{committed}: missing")
        elif committed.read_bytes() != (fresh_dir / name).read_bytes():
            problems.append(f"{committed}: differs from a fresh build")
    return problems


def validate_avatars(out_dir: Path, manifest: AvatarManifest) -> int:
    """Run the Khronos glTF-Validator on every avatar GLB; the exit code (0 when all are clean).

    Avatars are generated, so any issue at all is a bug in the generator.
    """
    try:
        reports = GltfValidator().validate_files([out_dir / e.glb for e in manifest.avatars])
    except ValidatorError as exc:
        print(f"cannot validate the avatars: {exc}", file=sys.stderr)
        return 2
    unclean = [r for r in reports if r.issues or r.error_count or r.warning_count or r.info_count]
    for report in unclean:
        print(report, file=sys.stderr)
        for issue in report.infos:
            print(f"  {issue}", file=sys.stderr)
    if unclean:
        return 1
    version = reports[0].version if reports else ""
    print(f"Khronos glTF-Validator {version}: {len(reports)} GLBs without any issue")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the generator (or the check); returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m metaexpo.avatars", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="folder for the GLBs, PNGs and manifest.json")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir

    if not args.check:
        manifest = build_avatars(out_dir)
        for entry in manifest.avatars:
            size = (out_dir / entry.glb).stat().st_size
            name = f"{entry.name.zh} / {entry.name.en}"
            print(f"{entry.id:16} {entry.triangles:4} triangles {size:7} B  {name}")
        print(f"wrote {len(manifest.avatars)} avatars and {out_dir / MANIFEST_NAME}")
        return validate_avatars(out_dir, manifest)

    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        manifest = build_avatars(fresh)
        names = [MANIFEST_NAME] + [n for e in manifest.avatars for n in (e.glb, e.thumbnail)]
        problems = _differences(fresh, out_dir, names)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"avatars are stale: run `python -m metaexpo.avatars {out_dir}`", file=sys.stderr)
        return 1
    print(f"{out_dir}: all {len(names)} files up to date")
    return validate_avatars(out_dir, manifest)


if __name__ == "__main__":
    sys.exit(main())
