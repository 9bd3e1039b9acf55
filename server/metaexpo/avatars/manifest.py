"""The avatar manifest: its typed model, its loader (with file checks) and its writer.

``avatars/manifest.json`` lists every avatar the service offers, with the
GLB's sha256 so the HTTP layer can serve it under a content-addressed URL and
a stale or hand-edited file is caught at start-up rather than in a browser.
This module needs only pydantic, so the server can load the manifest without
the geometry libraries the generator uses.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from metaexpo.errors import ConfigError

MANIFEST_NAME = "manifest.json"
#: Must match ``layout.MAX_TRIANGLES``; repeated here to keep this module free of geometry imports.
MAX_TRIANGLES = 800

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$")]
# Bare file names only: a manifest must not point outside its own folder.
GlbName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*\.glb$")]
PngName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*\.png$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class AvatarName(BaseModel):
    """An avatar's display name in both UI languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: Text
    en: Text


class AvatarEntry(BaseModel):
    """One avatar: its id (a slug), names, files, triangle count, GLB hash and palette."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    name: AvatarName
    glb: GlbName
    thumbnail: PngName
    triangles: int = Field(ge=1, le=MAX_TRIANGLES)
    sha256: Sha256
    colors: dict[str, HexColour] = Field(default_factory=dict)


class AvatarManifest(BaseModel):
    """The whole manifest (format version 1); ids and file names are unique."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1]
    avatars: list[AvatarEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AvatarManifest:
        for field in ("id", "glb", "thumbnail"):
            values = [getattr(entry, field) for entry in self.avatars]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate avatar {field}: {', '.join(duplicates)}")
        return self

    def find(self, avatar_id: str) -> AvatarEntry | None:
        """The entry with ``avatar_id``, or None (e.g. to check a visitor's choice at join)."""
        return next((entry for entry in self.avatars if entry.id == avatar_id), None)


def sha256_hex(data: bytes) -> str:
    """Lowercase hex sha256 of ``data``: the manifest's content hash."""
    return hashlib.sha256(data).hexdigest()


def dump_manifest(manifest: AvatarManifest) -> bytes:
    """The manifest as UTF-8 JSON, in a stable layout (so regenerating changes no bytes)."""
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def load_avatar_manifest(avatars_dir: Path) -> AvatarManifest:
    """Read and validate ``avatars_dir/manifest.json`` and check every file it names.

    Raises :class:`~metaexpo.errors.ConfigError` naming the file and the entry
    when the manifest is missing or invalid, a file is missing, or a GLB's
    sha256 differs from the manifest's.
    """
    path = avatars_dir / MANIFEST_NAME
    regenerate = f"regenerate with `python -m metaexpo.avatars {avatars_dir}`"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the avatar manifest ({exc.strerror}); {regenerate}"
        ) from exc
    try:
        manifest = AvatarManifest.model_validate_json(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid avatar manifest: {exc}") from exc

    for entry in manifest.avatars:
        where = f"{path}: avatar {entry.id!r}"
        thumbnail = avatars_dir / entry.thumbnail
        if not thumbnail.is_file():
            raise ConfigError(f"{where}: thumbnail {thumbnail} is missing; {regenerate}")
        glb = avatars_dir / entry.glb
        try:
            actual = sha256_hex(glb.read_bytes())
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read {glb} ({exc.strerror}); {regenerate}") from exc
        if actual != entry.sha256:
            raise ConfigError(
                f"{where}: {glb} has sha256 {actual} but the manifest says {entry.sha256};"
                f" {regenerate}"
            )
    return manifest
