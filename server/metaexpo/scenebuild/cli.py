"""``metaexpo build-scenes``: build the halls' GLBs into the data folder and report on them.

Prints, per hall, the file, its size, draw calls, triangles and the Khronos
validator's verdict (when Node.js and the validator are installed), or the
same as JSON with ``--json``. A broken catalog raises CatalogError, which the
command line turns into the list of problems and exit status 2.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from metaexpo.errors import ConfigError
from metaexpo.khronos import GltfValidator, ValidationReport, ValidatorError
from metaexpo.scenebuild.build import SCENES_SUBDIR, build_scenes, ensure_scenes
from metaexpo.scenes import load_catalog


def run_build(scenes_dir: Path, data_dir: Path, *, force: bool, as_json: bool) -> None:
    """Build (or, unless ``force``, reuse) the scenes of the catalog in ``scenes_dir``.

    Raises ConfigError when a built scene fails validation, so the command exits 2.
    """
    catalog = load_catalog(scenes_dir)
    started = time.perf_counter()
    out_dir = data_dir / SCENES_SUBDIR
    manifest = build_scenes(catalog, out_dir) if force else ensure_scenes(catalog, data_dir)
    seconds = time.perf_counter() - started
    files = {hall_id: out_dir / scene.file for hall_id, scene in manifest.halls.items()}
    reports: dict[str, ValidationReport] = {}
    unavailable = ""
    try:
        found = GltfValidator().validate_files(list(files.values()))
        reports = dict(zip(files, found, strict=True))
    except ValidatorError as exc:
        unavailable = str(exc)
    if as_json:
        document = {
            "scenes_dir": str(out_dir),
            "seconds": round(seconds, 3),
            **manifest.public(),
            "validation": {hall_id: report.to_json() for hall_id, report in reports.items()},
            "validator_unavailable": unavailable or None,
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(f"scenes in {out_dir} ({seconds:.2f} s, catalog {catalog.fingerprint[:12]}):")
        for hall_id, scene in manifest.halls.items():
            report = reports.get(hall_id)
            verdict = (
                f"validator: {report.error_count} errors, {report.warning_count} warnings"
                if report is not None
                else "validator: not run"
            )
            print(
                f"  {hall_id:<12} {scene.url}  {scene.bytes / 1e6:.2f} MB  "
                f"{scene.draw_calls} draw calls  {scene.triangles} triangles  {verdict}"
            )
        if unavailable:
            print(f"  ({unavailable})", file=sys.stderr)
    failed = [report for report in reports.values() if not report.valid]
    if failed:
        raise ConfigError(
            "built scenes fail the glTF validator:\n" + "\n".join(str(r) for r in failed)
        )
