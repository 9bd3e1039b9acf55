"""The booth files the server keeps: fitted models, originals, logos, posters, screen images,
previews.

Bytes live content-addressed under ``<data-dir>/assets/objects/`` (written
atomically by :func:`metaexpo.models.store_blob`); a ``stored_files`` row
says what each file is and whether and how it may be served. Public files
are served at ``/assets/<sha256>.<ext>`` and cached forever; originals (an
upload exactly as sent) are kept for moderation and re-fitting, never served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from metaexpo.models import object_path
from metaexpo.store.schema import StoredFile, utcnow

ASSETS_SUBDIR = "assets"
ASSET_NAME = re.compile(r"^([0-9a-f]{64})\.(glb|png|jpg)$")


class FileKind(StrEnum):
    """What a stored file is."""

    MODEL = "model"
    ORIGINAL = "original"
    LOGO = "logo"
    POSTER = "poster"
    SCREEN = "screen"
    PREVIEW = "preview"


@dataclass(frozen=True, slots=True)
class Format:
    """How a kind of file is served: extension and media type (None: not served)."""

    extension: str | None
    media_type: str


FORMATS: dict[FileKind, Format] = {
    FileKind.MODEL: Format("glb", "model/gltf-binary"),
    FileKind.ORIGINAL: Format(None, "application/octet-stream"),
    FileKind.LOGO: Format("png", "image/png"),
    FileKind.POSTER: Format("jpg", "image/jpeg"),
    FileKind.SCREEN: Format("jpg", "image/jpeg"),
    FileKind.PREVIEW: Format("png", "image/png"),
}


def assets_root(data_dir: Path) -> Path:
    """Where the files are (the store root of :mod:`metaexpo.models.store`)."""
    return data_dir / ASSETS_SUBDIR


def asset_url(kind: FileKind, sha256: str) -> str:
    """The URL a public file is served at."""
    extension = FORMATS[kind].extension
    assert extension is not None, f"{kind} files are not served"
    return f"/assets/{sha256}.{extension}"


def url_or_none(kind: FileKind, sha256: str | None) -> str | None:
    """:func:`asset_url`, or None when there is no file."""
    return None if sha256 is None else asset_url(kind, sha256)


def sha_of_url(url: str) -> str | None:
    """The hash in a public file's URL (``/assets/<sha256>.<ext>``), or None."""
    match = ASSET_NAME.match(url.removeprefix("/assets/"))
    return None if match is None else match.group(1)


def register(session: Session, sha256: str, kind: FileKind, size: int) -> None:
    """Record a stored file (idempotent). Call only after the bytes are on disk.

    The same bytes stored once as an original and once as a public kind are
    served (the public kind wins): they are the same bytes either way.
    """
    existing = session.get(StoredFile, sha256)
    if existing is None:
        session.add(
            StoredFile(
                sha256=sha256,
                kind=str(kind),
                media_type=FORMATS[kind].media_type,
                bytes=size,
                created_at=utcnow(),
            )
        )
    elif existing.kind == FileKind.ORIGINAL and kind != FileKind.ORIGINAL:
        existing.kind = str(kind)
        existing.media_type = FORMATS[kind].media_type
    # Written now: rows that name the file are flushed after it (its foreign keys need it).
    session.flush()


def servable(session: Session, name: str, data_dir: Path) -> tuple[Path, str, str] | None:
    """(path, sha256, media type) of the public file named ``<sha256>.<ext>``, or None."""
    match = ASSET_NAME.match(name)
    if match is None:
        return None
    sha256, extension = match.groups()
    row = session.get(StoredFile, sha256)
    if row is None:
        return None
    fmt = FORMATS[FileKind(row.kind)]
    if fmt.extension != extension:
        return None
    return object_path(assets_root(data_dir), sha256), sha256, fmt.media_type
