"""Read-only pictures of booths and revisions for the routers, pages and JSON API.

Built inside a transaction from rows, then handed out as frozen dataclasses
(rows must not leak out of their session); ``to_json`` gives the API shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from metaexpo.booths.files import FileKind, asset_url, url_or_none
from metaexpo.booths.records import login_of
from metaexpo.store.schema import BoothRevision, Upload


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class UploadView:
    """A model upload: its verdict and files."""

    id: str
    booth_id: str
    filename: str
    bytes: int
    state: str
    report: dict[str, Any]
    model_url: str | None
    preview_url: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "id": self.id,
            "booth": self.booth_id,
            "filename": self.filename,
            "bytes": self.bytes,
            "state": self.state,
            "model": self.model_url,
            "preview": self.preview_url,
            "report": self.report,
            "created_at": _iso(self.created_at),
        }


def upload_view(upload: Upload) -> UploadView:
    """The view of an upload row."""
    return UploadView(
        id=upload.id,
        booth_id=upload.booth_id,
        filename=upload.filename,
        bytes=upload.bytes,
        state=upload.state,
        report=upload.report,
        model_url=url_or_none(FileKind.MODEL, upload.model_sha),
        preview_url=url_or_none(FileKind.PREVIEW, upload.preview_sha),
        created_at=upload.created_at,
    )


@dataclass(frozen=True, slots=True)
class RevisionView:
    """One revision of a booth, with who made and who decided it."""

    id: int
    booth_id: str
    number: int
    state: str
    content: dict[str, Any]
    model_url: str | None
    logo_url: str | None
    poster_url: str | None
    screen_shas: list[str]
    upload: UploadView | None
    author: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None

    @property
    def preview_url(self) -> str | None:
        """The picture of the revision's model, if it has one."""
        return None if self.upload is None else self.upload.preview_url

    @property
    def screens(self) -> list[dict[str, str]]:
        """The screen's slideshow in order: each picture's id (its hash) and URL."""
        return [{"id": sha, "url": asset_url(FileKind.SCREEN, sha)} for sha in self.screen_shas]

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "id": self.id,
            "booth": self.booth_id,
            "number": self.number,
            "state": self.state,
            "content": self.content,
            "model": self.model_url,
            "preview": self.preview_url,
            "logo": self.logo_url,
            "poster": self.poster_url,
            "screens": self.screens,
            "upload": None if self.upload is None else self.upload.to_json(),
            "author": self.author,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "submitted_at": _iso(self.submitted_at),
            "decided_at": _iso(self.decided_at),
            "decided_by": self.decided_by,
            "reason": self.reason,
        }


def revision_view(session: Session, revision: BoothRevision) -> RevisionView:
    """The view of a revision row (looks up its upload and people)."""
    upload = session.get(Upload, revision.upload_id) if revision.upload_id else None
    return RevisionView(
        id=revision.id,
        booth_id=revision.booth_id,
        number=revision.number,
        state=revision.state,
        content=revision.content,
        model_url=url_or_none(FileKind.MODEL, revision.model_sha),
        logo_url=url_or_none(FileKind.LOGO, revision.logo_sha),
        poster_url=url_or_none(FileKind.POSTER, revision.poster_sha),
        screen_shas=list(revision.screen_shas),
        upload=None if upload is None else upload_view(upload),
        author=login_of(session, revision.author_id),
        created_at=revision.created_at,
        updated_at=revision.updated_at,
        submitted_at=revision.submitted_at,
        decided_at=revision.decided_at,
        decided_by=login_of(session, revision.decided_by),
        reason=revision.reason,
    )


@dataclass(frozen=True, slots=True)
class Workspace:
    """Everything the booth editor shows: the slot, what is live, what is being worked on.

    ``content`` is what the form starts from: the open revision's, else what
    a new draft would copy (the newest revision's, else the catalog's).
    """

    booth_id: str
    hall: str
    zone: str
    footprint: tuple[float, float]
    height: float
    templates: list[str]
    tags: dict[str, dict[str, str]]
    live: dict[str, Any]
    open: RevisionView | None
    last_decision: RevisionView | None
    content: dict[str, Any]
    owners: list[str] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        """Whether edits go straight into a draft (no submission is waiting)."""
        return self.open is None or self.open.state == "draft"

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "booth": self.booth_id,
            "hall": self.hall,
            "zone": self.zone,
            "slot": {"footprint": list(self.footprint), "height": self.height},
            "templates": self.templates,
            "tags": self.tags,
            "live": self.live,
            "open": None if self.open is None else self.open.to_json(),
            "last_decision": None if self.last_decision is None else self.last_decision.to_json(),
            "content": self.content,
            "editable": self.editable,
            "owners": self.owners,
        }


@dataclass(frozen=True, slots=True)
class BoothSummary:
    """One line of a booth list: who shows there and where its work stands."""

    booth_id: str
    hall: str
    zone: str
    name: dict[str, str]
    live_revision: int
    open_state: str | None
    open_revision_id: int | None
    refused_reason: str | None
    owners: list[str]

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "booth": self.booth_id,
            "hall": self.hall,
            "zone": self.zone,
            "name": self.name,
            "live_revision": self.live_revision,
            "open_state": self.open_state,
            "open_revision": self.open_revision_id,
            "refused_reason": self.refused_reason,
            "owners": self.owners,
        }
