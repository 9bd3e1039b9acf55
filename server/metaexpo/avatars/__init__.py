"""Avatar models: generated low-poly GLBs, their thumbnails and the manifest.

The generator (``python -m metaexpo.avatars OUT_DIR``, or
:func:`metaexpo.avatars.build.build_avatars`) turns the specs in
``catalog`` into GLB files that follow the node layout in ``layout``. The
server only needs :func:`load_avatar_manifest`, which is re-exported here and
imports nothing heavier than pydantic; the geometry modules (trimesh,
pygltflib, Pillow) load only when building.
"""

from __future__ import annotations

from metaexpo.avatars.manifest import (
    MANIFEST_NAME,
    AvatarEntry,
    AvatarManifest,
    AvatarName,
    load_avatar_manifest,
)

__all__ = ["MANIFEST_NAME", "AvatarEntry", "AvatarManifest", "AvatarName", "load_avatar_manifest"]
