"""Build every hall's GLB from the catalog, and rebuild only when something changed.

``build_scenes`` always builds; ``ensure_scenes`` (run at server start)
returns the existing manifest when it was made from the same catalog
fingerprint and builder version and its files are intact, and builds
otherwise. This module itself is light (the geometry stack is imported only
when building), so the server can call it at every start. Files (each
hall's GLB and navigation grid) are content-addressed and written
atomically, and old ones are left in place, so a URL a client already holds
keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from metaexpo.scenebuild.atomic import write_atomic
from metaexpo.scenebuild.manifest import (
    MANIFEST_NAME,
    HallScene,
    NavGridFile,
    SceneManifest,
    dump_manifest,
    navgrid_file_name,
    read_manifest,
    scene_file_name,
)
from metaexpo.scenebuild.version import BUILDER_VERSION
from metaexpo.scenes import Catalog

log = logging.getLogger(__name__)

#: Built scenes live in this folder of the data folder.
SCENES_SUBDIR = "scenes"


def build_scenes(catalog: Catalog, out_dir: Path) -> SceneManifest:
    """Build every hall of ``catalog`` into ``out_dir`` and write its manifest there."""
    # The geometry stack loads only when something is built: a server whose scenes are
    # current starts without paying for it.
    from metaexpo.scenebuild.pipeline import build_hall  # noqa: PLC0415

    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    halls: dict[str, HallScene] = {}
    for hall in catalog.halls:
        built = build_hall(catalog, hall)
        sha256 = hashlib.sha256(built.glb).hexdigest()
        name = scene_file_name(sha256)
        target = out_dir / name
        if not _intact(target, sha256, len(built.glb)):
            write_atomic(target, built.glb)
        grid_bytes = built.navgrid.to_json()
        grid_sha = hashlib.sha256(grid_bytes).hexdigest()
        grid_target = out_dir / navgrid_file_name(grid_sha)
        if not _intact(grid_target, grid_sha, len(grid_bytes)):
            write_atomic(grid_target, grid_bytes)
        halls[hall.id] = HallScene(
            file=name,
            sha256=sha256,
            bytes=len(built.glb),
            draw_calls=built.draw_calls,
            triangles=built.triangles,
            vertices=built.vertices,
            signs=built.signs,
            navgrid=NavGridFile(
                file=grid_target.name,
                sha256=grid_sha,
                bytes=len(grid_bytes),
                cell=built.navgrid.cell,
                width=built.navgrid.width,
                height=built.navgrid.height,
                walkable_cells=int(built.navgrid.walkable.sum()),
            ),
        )
    manifest = SceneManifest(
        catalog_fingerprint=catalog.fingerprint, builder_version=BUILDER_VERSION, halls=halls
    )
    write_atomic(out_dir / MANIFEST_NAME, dump_manifest(manifest))
    log.info(
        "built %d hall scene(s) in %.2f s: %s",
        len(halls),
        time.perf_counter() - started,
        ", ".join(f"{h} {s.bytes / 1e6:.2f} MB {s.draw_calls} draws" for h, s in halls.items()),
    )
    return manifest


def _intact(path: Path, sha256: str, size: int) -> bool:
    """Whether ``path`` holds exactly the bytes with ``sha256``."""
    try:
        if path.stat().st_size != size:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def is_current(manifest: SceneManifest, catalog: Catalog, scenes_dir: Path) -> bool:
    """Whether ``manifest`` was built from ``catalog`` by this builder and its files are intact."""
    return (
        manifest.catalog_fingerprint == catalog.fingerprint
        and manifest.builder_version == BUILDER_VERSION
        and set(manifest.halls) == {hall.id for hall in catalog.halls}
        and all(
            _intact(scenes_dir / scene.file, scene.sha256, scene.bytes)
            and _intact(scenes_dir / scene.navgrid.file, scene.navgrid.sha256, scene.navgrid.bytes)
            for scene in manifest.halls.values()
        )
    )


def ensure_scenes(catalog: Catalog, data_dir: Path, *, force: bool = False) -> SceneManifest:
    """The scenes of ``catalog`` under ``data_dir/scenes``, built only if missing or stale.

    Slow (seconds) when it builds: call it off the event loop.
    """
    scenes_dir = data_dir / SCENES_SUBDIR
    manifest = None if force else read_manifest(scenes_dir)
    if manifest is not None and is_current(manifest, catalog, scenes_dir):
        log.info("scenes are up to date (catalog %s)", catalog.fingerprint[:12])
        return manifest
    return build_scenes(catalog, scenes_dir)
