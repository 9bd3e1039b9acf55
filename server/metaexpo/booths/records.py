"""Queries and guarded state changes on booth revisions and uploads, inside a transaction.

The services compose these; each function takes the open session and
never commits. State changes go through :func:`metaexpo.booths.states.advance`,
so an impossible move raises :class:`~metaexpo.errors.Conflict`
instead of writing a state the lifecycle does not allow.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from metaexpo.booths.states import (
    OPEN_STATES,
    UPLOAD_FOLLOWS,
    UPLOAD_TRANSITIONS,
    RevisionState,
    UploadState,
    advance,
)
from metaexpo.store.schema import BoothRevision, LiveBooth, Upload, User, utcnow


def open_revision(session: Session, booth_id: str) -> BoothRevision | None:
    """The booth's revision being worked on (DRAFT or SUBMITTED), if any."""
    query = (
        select(BoothRevision)
        .where(BoothRevision.booth_id == booth_id)
        .where(BoothRevision.state.in_([str(s) for s in OPEN_STATES]))
        .order_by(BoothRevision.number.desc())
        .limit(1)
    )
    return session.scalar(query)


def latest_revision(session: Session, booth_id: str) -> BoothRevision | None:
    """The booth's newest revision in any state."""
    query = (
        select(BoothRevision)
        .where(BoothRevision.booth_id == booth_id)
        .order_by(BoothRevision.number.desc())
        .limit(1)
    )
    return session.scalar(query)


def next_number(session: Session, booth_id: str) -> int:
    """The number the booth's next revision gets (1 for the first)."""
    query = select(func.max(BoothRevision.number)).where(BoothRevision.booth_id == booth_id)
    return int(session.scalar(query) or 0) + 1


def live_revision(session: Session, booth_id: str) -> BoothRevision | None:
    """The revision the hall shows for the booth (None: the catalog's)."""
    live = session.get(LiveBooth, booth_id)
    return None if live is None else session.get(BoothRevision, live.revision_id)


def revisions_of(session: Session, booth_id: str, limit: int = 50) -> list[BoothRevision]:
    """The booth's revisions, newest first."""
    query = (
        select(BoothRevision)
        .where(BoothRevision.booth_id == booth_id)
        .order_by(BoothRevision.number.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def revisions_in(session: Session, state: RevisionState) -> list[BoothRevision]:
    """Every revision in ``state``, oldest first (the staff queue's order)."""
    query = (
        select(BoothRevision)
        .where(BoothRevision.state == str(state))
        .order_by(BoothRevision.submitted_at, BoothRevision.id)
    )
    return list(session.scalars(query))


def move_revision(revision: BoothRevision, target: RevisionState) -> None:
    """Move ``revision`` to ``target`` (guarded) and stamp it."""
    what = f"revision {revision.number} of booth {revision.booth_id!r}"
    revision.state = str(advance(what, RevisionState(revision.state), target))
    revision.updated_at = utcnow()


def move_upload(upload: Upload, target: UploadState) -> None:
    """Move ``upload`` to ``target`` (guarded) and stamp it."""
    upload.state = str(advance(f"upload {upload.id}", UploadState(upload.state), target))
    upload.updated_at = utcnow()


def follow_revision(session: Session, revision: BoothRevision, keep: str | None = None) -> None:
    """Move the revision's upload along with the revision's new state, where that applies.

    An upload carried over from an earlier revision (say, the live one) is
    already further along and stays as it is; ``keep`` names an upload that
    must not move (the one a newer live revision still shows).
    """
    if revision.upload_id is None or revision.upload_id == keep:
        return
    target = UPLOAD_FOLLOWS.get(RevisionState(revision.state))
    upload = session.get(Upload, revision.upload_id)
    if target is None or upload is None:
        return
    if target in UPLOAD_TRANSITIONS[UploadState(upload.state)]:
        move_upload(upload, target)


def login_of(session: Session, user_id: str | None) -> str | None:
    """The sign-in name of an account id (None stays None)."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return None if user is None else user.login
