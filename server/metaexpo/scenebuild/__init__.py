"""The scene builder: the catalog's halls as GLB files the web client loads.

``ensure_scenes(catalog, data_dir)`` is what the server calls at start-up: it
returns the :class:`SceneManifest` of ``<data_dir>/scenes/``, building the
GLBs only when the catalog or the builder changed. ``build_scenes`` always
builds. The node layout and sign atlas the client relies on are described
in ``docs/scenes.md`` and :mod:`metaexpo.scenebuild.hall`.
"""

from __future__ import annotations

from metaexpo.scenebuild.build import SCENES_SUBDIR, build_scenes, ensure_scenes
from metaexpo.scenebuild.manifest import HallScene, SceneManifest, read_manifest
from metaexpo.scenebuild.version import BUILDER_VERSION

__all__ = [
    "BUILDER_VERSION",
    "SCENES_SUBDIR",
    "HallScene",
    "SceneManifest",
    "build_scenes",
    "ensure_scenes",
    "read_manifest",
]
