"""What staff do with submissions: list, review, approve or refuse, and publish to the hall.

Approving and publishing are two commits: APPROVED records staff's decision,
LIVE makes the hall show it (the previous live revision RETIRED, the live
pointer moved). The caller announces the returned payload to every
connected client. If the server stops between the two commits,
:meth:`BoothModeration.publish_pending` finishes the job at the next start,
so an approval is never lost. Before publishing, every file the revision
names is checked on disk: a row never sends visitors to a missing file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from metaexpo.booths.files import assets_root
from metaexpo.booths.live import LiveBooths, revision_payload
from metaexpo.booths.records import follow_revision, live_revision, move_revision, revisions_in
from metaexpo.booths.states import RevisionState
from metaexpo.booths.views import RevisionView, revision_view
from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.models import object_path
from metaexpo.roles import Principal, require_staff
from metaexpo.scenes import Catalog, CatalogError
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import BoothRevision, LiveBooth, utcnow

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 1000


class BoothModeration:
    """Staff's side of booth changes."""

    def __init__(self, db: Database, catalog: Catalog, live: LiveBooths, data_dir: Path) -> None:
        self.db = db
        self.catalog = catalog
        self.live = live
        self.store_root = assets_root(data_dir)

    def queue(self, principal: Principal) -> list[RevisionView]:
        """Submissions waiting for a decision, oldest first."""
        require_staff(principal)
        with self.db.reading() as session:
            return [
                revision_view(session, r) for r in revisions_in(session, RevisionState.SUBMITTED)
            ]

    def review(self, principal: Principal, revision_id: int) -> tuple[RevisionView, dict[str, Any]]:
        """A revision and the booth's live payload, to compare before deciding."""
        require_staff(principal)
        with self.db.reading() as session:
            revision = self._revision(session, revision_id)
            booth = self.catalog.booth(revision.booth_id)
            return revision_view(session, revision), self.live.payload(session, booth)

    def approve(self, principal: Principal, revision_id: int) -> None:
        """Record staff's approval of a SUBMITTED revision (publish it next)."""
        require_staff(principal)
        with self.db.transaction() as session:
            revision = self._revision(session, revision_id)
            self._check_files(revision)
            move_revision(revision, RevisionState.APPROVED)
            revision.decided_at = utcnow()
            revision.decided_by = principal.user_id
            follow_revision(session, revision)
            record(session, principal, Action.APPROVED, revision.booth_id, revision=revision.number)

    def refuse(self, principal: Principal, revision_id: int, reason: str) -> None:
        """Refuse a SUBMITTED revision with a reason the exhibitor will read."""
        require_staff(principal)
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON_CHARS:
            raise Invalid(
                f"give the exhibitor a reason (1-{MAX_REASON_CHARS} characters) so they can "
                "fix the booth"
            )
        with self.db.transaction() as session:
            revision = self._revision(session, revision_id)
            move_revision(revision, RevisionState.REFUSED)
            revision.decided_at = utcnow()
            revision.decided_by = principal.user_id
            revision.reason = reason
            follow_revision(session, revision)
            record(
                session,
                principal,
                Action.REFUSED,
                revision.booth_id,
                revision=revision.number,
                reason=reason,
            )

    def publish(self, revision_id: int, actor: Principal | str) -> dict[str, Any]:
        """Make an APPROVED revision the booth's live one; returns the booth announcement.

        Publishing a revision that is already live (another node's start-up
        finished the job first) returns its announcement again.
        """
        with self.db.transaction() as session:
            revision = self._revision(session, revision_id)
            pointer = session.get(LiveBooth, revision.booth_id)
            if (
                revision.state == RevisionState.LIVE
                and pointer
                and pointer.revision_id == revision.id
            ):
                return revision_payload(self.catalog.booth(revision.booth_id), revision)
            return self._publish(session, revision, actor)

    def publish_pending(self) -> list[dict[str, Any]]:
        """Publish every APPROVED revision (left by a stop between approval and publication)."""
        payloads = []
        with self.db.transaction() as session:
            for revision in revisions_in(session, RevisionState.APPROVED):
                try:
                    payloads.append(self._publish(session, revision, "server start"))
                except (Conflict, CatalogError) as exc:
                    log.error("cannot publish booth %s: %s", revision.booth_id, exc)
        return payloads

    def _publish(
        self, session: Session, revision: BoothRevision, actor: Principal | str
    ) -> dict[str, Any]:
        self._check_files(revision)
        booth = self.catalog.booth(revision.booth_id)
        previous = live_revision(session, booth.id)
        if previous is not None and previous.id != revision.id:
            move_revision(previous, RevisionState.RETIRED)
            follow_revision(session, previous, keep=revision.upload_id)
        move_revision(revision, RevisionState.LIVE)
        follow_revision(session, revision)
        pointer = session.get(LiveBooth, booth.id)
        if pointer is None:
            session.add(
                LiveBooth(booth_id=booth.id, revision_id=revision.id, published_at=utcnow())
            )
        else:
            pointer.revision_id = revision.id
            pointer.published_at = utcnow()
        record(session, actor, Action.PUBLISHED, booth.id, revision=revision.number)
        return revision_payload(booth, revision)

    def _revision(self, session: Session, revision_id: int) -> BoothRevision:
        revision = session.get(BoothRevision, revision_id)
        if revision is None:
            raise NotFound(f"there is no booth revision {revision_id}")
        return revision

    def _check_files(self, revision: BoothRevision) -> None:
        for sha in (
            revision.model_sha,
            revision.logo_sha,
            revision.poster_sha,
            *revision.screen_shas,
        ):
            if sha is not None and not object_path(self.store_root, sha).is_file():
                raise Conflict(
                    f"revision {revision.number} of booth {revision.booth_id!r} names a file "
                    f"that is not on disk ({sha[:12]}…); ask the exhibitor to upload it again"
                )
