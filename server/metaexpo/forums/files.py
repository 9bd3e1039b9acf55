"""The forums' stored files: slide pictures and replay audio, content-addressed like booth files.

Bytes are written by :func:`metaexpo.models.store_blob` (atomic, fsynced)
into the same store as booth files; a ``forum_files`` row, written after
the bytes are on disk, says what a file is and how it is served:
``/api/forums/files/<sha256>.<ext>``, cached forever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from metaexpo.store.schema import ForumFile, utcnow

FILE_NAME = re.compile(r"^([0-9a-f]{64})\.(jpg|ogg)$")


class ForumFileKind(StrEnum):
    """What a forum file is."""

    SLIDE = "slide"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class Format:
    """How a kind of file is served."""

    extension: str
    media_type: str


FORMATS = {
    ForumFileKind.SLIDE: Format("jpg", "image/jpeg"),
    ForumFileKind.AUDIO: Format("ogg", "audio/ogg"),
}


def file_url(kind: ForumFileKind, sha256: str) -> str:
    """Where a forum file is served."""
    return f"/api/forums/files/{sha256}.{FORMATS[kind].extension}"


def register(session: Session, sha256: str, kind: ForumFileKind, size: int) -> None:
    """Record a stored file (idempotent); only after its bytes are on disk."""
    if session.get(ForumFile, sha256) is None:
        session.add(
            ForumFile(
                sha256=sha256,
                kind=str(kind),
                media_type=FORMATS[kind].media_type,
                bytes=size,
                created_at=utcnow(),
            )
        )
        session.flush()


def servable(session: Session, name: str) -> tuple[str, str] | None:
    """(sha256, media type) of the forum file named ``<sha256>.<ext>``, or None."""
    match = FILE_NAME.match(name)
    if match is None:
        return None
    sha256, extension = match.groups()
    row = session.get(ForumFile, sha256)
    if row is None or FORMATS[ForumFileKind(row.kind)].extension != extension:
        return None
    return sha256, row.media_type
