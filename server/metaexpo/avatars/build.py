"""Generate every avatar's GLB and thumbnail and the manifest into one folder.

This is the whole pipeline: spec → model → (GLB, PNG) → manifest entry.
Output is deterministic, so the committed ``avatars/`` folder can be checked
against a fresh build (``python -m metaexpo.avatars avatars --check``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from metaexpo.avatars.catalog import AVATARS
from metaexpo.avatars.glb import encode_glb
from metaexpo.avatars.layout import MAX_TRIANGLES
from metaexpo.avatars.manifest import (
    MANIFEST_NAME,
    AvatarEntry,
    AvatarManifest,
    AvatarName,
    dump_manifest,
    sha256_hex,
)
from metaexpo.avatars.model import build_model
from metaexpo.avatars.spec import AvatarSpec
from metaexpo.avatars.thumbnail import render_thumbnail
from metaexpo.errors import ConfigError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        # mkstemp creates 0600; these are public assets meant to be served and committed.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_avatars(out_dir: Path, specs: Sequence[AvatarSpec] = AVATARS) -> AvatarManifest:
    """Build ``specs`` into ``out_dir`` (``<id>.glb``, ``<id>.png``, ``manifest.json``).

    Raises :class:`~metaexpo.errors.ConfigError` if an avatar is over the
    triangle budget: that is a mistake in the catalog, not something to ship.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for spec in specs:
        model = build_model(spec)
        if model.triangle_count > MAX_TRIANGLES:
            raise ConfigError(
                f"avatar {spec.id!r} has {model.triangle_count} triangles (budget {MAX_TRIANGLES})"
            )
        glb = encode_glb(model)
        write_atomic(out_dir / f"{spec.id}.glb", glb)
        write_atomic(out_dir / f"{spec.id}.png", render_thumbnail(model))
        entries.append(
            AvatarEntry(
                id=spec.id,
                name=AvatarName(zh=spec.name_zh, en=spec.name_en),
                glb=f"{spec.id}.glb",
                thumbnail=f"{spec.id}.png",
                triangles=model.triangle_count,
                sha256=sha256_hex(glb),
                colors=spec.palette.as_dict(),
            )
        )
    manifest = AvatarManifest(version=1, avatars=entries)
    write_atomic(out_dir / MANIFEST_NAME, dump_manifest(manifest))
    return manifest
