"""The built-scenes manifest: which GLB serves which hall, for which catalog and builder.

It lives beside the GLBs (``<data_dir>/scenes/manifest.json``). The server
reads it at start-up to decide whether to rebuild, and ``GET /api/scenes``
shows it to clients. GLB file names are the first 20 hex digits of their
sha256, so a URL never changes meaning and can be cached forever.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

MANIFEST_NAME = "manifest.json"
#: Hex digits of the sha256 in a scene's file name and URL (80 bits: collisions are not a worry).
HASH_CHARS = 20

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SceneFile = Annotated[str, StringConstraints(pattern=rf"^[0-9a-f]{{{HASH_CHARS}}}\.glb$")]
NavGridFileName = Annotated[str, StringConstraints(pattern=rf"^[0-9a-f]{{{HASH_CHARS}}}\.json$")]


def scene_file_name(sha256: str) -> str:
    """The content-addressed file name of a GLB with this sha256."""
    return f"{sha256[:HASH_CHARS]}.glb"


def navgrid_file_name(sha256: str) -> str:
    """The content-addressed file name of a navigation grid with this sha256."""
    return f"{sha256[:HASH_CHARS]}.json"


def scene_url(file_name: str) -> str:
    """The URL path a scene file is served at."""
    return f"/scenes/{file_name}"


class NavGridFile(BaseModel):
    """One hall's navigation grid file (docs/scenes.md "The navigation grid")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: NavGridFileName
    sha256: Sha256
    bytes: int = Field(gt=0)
    cell: float = Field(gt=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    walkable_cells: int = Field(ge=0)

    @property
    def url(self) -> str:
        """Where clients fetch it."""
        return scene_url(self.file)


class HallScene(BaseModel):
    """One hall's built GLB and what it costs to load and draw."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: SceneFile
    sha256: Sha256
    bytes: int = Field(gt=0)
    draw_calls: int = Field(ge=0)
    triangles: int = Field(ge=0)
    vertices: int = Field(ge=0)
    signs: int = Field(ge=0)
    navgrid: NavGridFile

    @property
    def url(self) -> str:
        """Where clients fetch it."""
        return scene_url(self.file)


class SceneManifest(BaseModel):
    """Every hall's scene, built from the catalog with ``catalog_fingerprint`` by builder
    version ``builder_version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    catalog_fingerprint: str
    builder_version: int
    halls: dict[str, HallScene]

    def public(self) -> dict[str, object]:
        """The manifest as ``GET /api/scenes`` shows it (the client's contract)."""
        return {
            "catalog_fingerprint": self.catalog_fingerprint,
            "builder_version": self.builder_version,
            "halls": {
                hall_id: {
                    "url": scene.url,
                    "sha256": scene.sha256,
                    "bytes": scene.bytes,
                    "draw_calls": scene.draw_calls,
                    "triangles": scene.triangles,
                    "navgrid": {
                        "url": scene.navgrid.url,
                        "sha256": scene.navgrid.sha256,
                        "bytes": scene.navgrid.bytes,
                    },
                }
                for hall_id, scene in self.halls.items()
            },
        }


def dump_manifest(manifest: SceneManifest) -> bytes:
    """The manifest as UTF-8 JSON in a stable layout."""
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def read_manifest(scenes_dir: Path) -> SceneManifest | None:
    """The manifest in ``scenes_dir``, or None when it is missing or unreadable (then the
    scenes are simply rebuilt: the manifest is a cache of the build, not a source)."""
    try:
        return SceneManifest.model_validate_json((scenes_dir / MANIFEST_NAME).read_bytes())
    except (OSError, ValidationError):
        return None
