"""What exhibitors (and staff) do to a booth before staff decide: edit, attach files, submit.

Every method checks, in its own transaction, that the principal may work on
the booth (staff: any booth; an exhibitor: the booths assigned to them),
writes the change and its audit entry together, and returns a fresh view.
Edits land in the booth's one open DRAFT, created on the first edit as a
copy of the newest revision (or of the catalog); a SUBMITTED revision is
frozen until the exhibitor withdraws it or staff decide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from metaexpo.booths import screens
from metaexpo.booths.content import catalog_content, fitting_templates, parse_content
from metaexpo.booths.files import FileKind, register
from metaexpo.booths.images import ImageRole
from metaexpo.booths.live import LiveBooths
from metaexpo.booths.processing import StoredBlob
from metaexpo.booths.records import (
    latest_revision,
    move_revision,
    move_upload,
    next_number,
    open_revision,
    revisions_of,
)
from metaexpo.booths.states import RevisionState, UploadState
from metaexpo.booths.views import BoothSummary, RevisionView, Workspace, revision_view
from metaexpo.errors import Conflict, NotFound
from metaexpo.roles import Principal, require_booth_access
from metaexpo.scenes import Booth, Catalog
from metaexpo.store import Database
from metaexpo.store.accounts import all_owners, booths_of
from metaexpo.store.audit import Action, record
from metaexpo.store.database import is_unique_violation
from metaexpo.store.schema import BoothRevision, Upload, utcnow

_T = TypeVar("_T")


class BoothEditing:
    """Editing booths: drafts, files, submission."""

    def __init__(self, db: Database, catalog: Catalog, live: LiveBooths) -> None:
        self.db = db
        self.catalog = catalog
        self.live = live

    # --- access -------------------------------------------------------------------------------

    def booth(self, booth_id: str) -> Booth:
        """The catalog's booth; :class:`NotFound` if there is none."""
        for booth in self.catalog.booths:
            if booth.id == booth_id:
                return booth
        raise NotFound(f"there is no booth {booth_id!r}")

    def check_access(self, session: Session, principal: Principal, booth_id: str) -> Booth:
        """The booth, if ``principal`` may work on it (:class:`Forbidden` / :class:`NotFound`)."""
        booth = self.booth(booth_id)
        owned = () if principal.is_staff else booths_of(session, principal.user_id)
        require_booth_access(principal, booth_id, owned)
        return booth

    def _write(self, work: Callable[[Session], _T]) -> _T:
        try:
            with self.db.transaction() as session:
                return work(session)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            # Two people opened a draft of the same booth at the same moment; the other won.
            raise Conflict(
                "the booth was changed by someone else at the same moment; reload and try again"
            ) from None

    # --- looking ------------------------------------------------------------------------------

    def summaries(self, principal: Principal) -> list[BoothSummary]:
        """The booths ``principal`` works on (all of them for staff), in catalog order."""
        with self.db.reading() as session:
            owned = set(booths_of(session, principal.user_id))
            owners = all_owners(session)
            live = LiveBooths.live_rows(session)
            result = []
            for booth in self.catalog.booths:
                if not principal.is_staff and booth.id not in owned:
                    continue
                current = open_revision(session, booth.id)
                latest = latest_revision(session, booth.id)
                live_rev = live.get(booth.id)
                name = (live_rev.content if live_rev else {}).get("exhibitor", {}).get("name")
                result.append(
                    BoothSummary(
                        booth_id=booth.id,
                        hall=booth.hall,
                        zone=booth.zone,
                        name=name or {"zh": booth.exhibitor.name.zh, "en": booth.exhibitor.name.en},
                        live_revision=live_rev.number if live_rev else 0,
                        open_state=current.state if current else None,
                        open_revision_id=current.id if current else None,
                        refused_reason=(
                            latest.reason
                            if latest is not None and latest.state == RevisionState.REFUSED
                            else None
                        ),
                        owners=owners.get(booth.id, []),
                    )
                )
            return result

    def workspace(self, principal: Principal, booth_id: str) -> Workspace:
        """What the booth editor shows for ``booth_id``."""
        with self.db.reading() as session:
            booth = self.check_access(session, principal, booth_id)
            return self._workspace(session, booth)

    def _workspace(self, session: Session, booth: Booth) -> Workspace:
        current = open_revision(session, booth.id)
        latest = latest_revision(session, booth.id)
        decided = next(
            (
                r
                for r in revisions_of(session, booth.id, limit=10)
                if r.state in (RevisionState.REFUSED, RevisionState.LIVE, RevisionState.RETIRED)
            ),
            None,
        )
        if current is not None:
            content = current.content
        elif latest is not None:
            content = latest.content
        else:
            content = catalog_content(self.catalog, booth).model_dump(mode="json")
        owners = all_owners(session).get(booth.id, [])
        return Workspace(
            booth_id=booth.id,
            hall=booth.hall,
            zone=booth.zone,
            footprint=booth.footprint,
            height=booth.height,
            templates=list(fitting_templates(booth)),
            tags={tag: {"zh": t.zh, "en": t.en} for tag, t in self.catalog.tags.items()},
            live=self.live.payload(session, booth),
            open=None if current is None else revision_view(session, current),
            last_decision=None if decided is None else revision_view(session, decided),
            content=content,
            owners=owners,
        )

    def history(self, principal: Principal, booth_id: str) -> list[RevisionView]:
        """The booth's revisions, newest first."""
        with self.db.reading() as session:
            self.check_access(session, principal, booth_id)
            return [revision_view(session, r) for r in revisions_of(session, booth_id)]

    # --- editing ------------------------------------------------------------------------------

    def draft(self, session: Session, principal: Principal, booth: Booth) -> BoothRevision:
        """The booth's DRAFT, created as a copy of the newest revision if there is none.

        :class:`Conflict` while a submission waits for staff.
        """
        current = open_revision(session, booth.id)
        if current is not None and current.state == RevisionState.SUBMITTED:
            raise Conflict(
                f"revision {current.number} of booth {booth.id!r} is waiting for staff; "
                "withdraw it to make changes"
            )
        if current is not None:
            return current
        base = latest_revision(session, booth.id)
        now = utcnow()
        revision = BoothRevision(
            booth_id=booth.id,
            number=next_number(session, booth.id),
            state=str(RevisionState.DRAFT),
            content=(
                base.content
                if base is not None
                else catalog_content(self.catalog, booth).model_dump(mode="json")
            ),
            upload_id=base.upload_id if base else None,
            model_sha=base.model_sha if base else None,
            logo_sha=base.logo_sha if base else None,
            poster_sha=base.poster_sha if base else None,
            screen_shas=list(base.screen_shas) if base else [],
            author_id=principal.user_id,
            created_at=now,
            updated_at=now,
            submitted_at=None,
            decided_at=None,
            decided_by=None,
            reason=None,
        )
        session.add(revision)
        session.flush()
        return revision

    def save_content(self, principal: Principal, booth_id: str, data: Any) -> Workspace:
        """Replace the draft's texts, links, template and colours with ``data`` (validated)."""

        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            content = parse_content(data, self.catalog, booth)
            revision = self.draft(session, principal, booth)
            revision.content = content.model_dump(mode="json")
            revision.updated_at = utcnow()
            record(session, principal, Action.DRAFT_EDITED, booth_id, revision=revision.number)
            return self._workspace(session, booth)

        return self._write(work)

    def attach_upload(
        self, session: Session, principal: Principal, booth: Booth, upload: Upload
    ) -> BoothRevision:
        """Make the (accepted, stored) ``upload`` the draft's model; the previous one, if it
        was only ever in drafts, is superseded."""
        revision = self.draft(session, principal, booth)
        previous = session.get(Upload, revision.upload_id) if revision.upload_id else None
        if previous is not None and previous.state == UploadState.NORMALISED:
            move_upload(previous, UploadState.SUPERSEDED)
        revision.upload_id = upload.id
        revision.model_sha = upload.model_sha
        revision.updated_at = utcnow()
        return revision

    def remove_model(self, principal: Principal, booth_id: str) -> Workspace:
        """Go back to the template booth in the draft."""

        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            revision = self.draft(session, principal, booth)
            previous = session.get(Upload, revision.upload_id) if revision.upload_id else None
            if previous is not None and previous.state == UploadState.NORMALISED:
                move_upload(previous, UploadState.SUPERSEDED)
            revision.upload_id = None
            revision.model_sha = None
            revision.updated_at = utcnow()
            record(session, principal, Action.MODEL_REMOVED, booth_id, revision=revision.number)
            return self._workspace(session, booth)

        return self._write(work)

    def set_image(
        self, principal: Principal, booth_id: str, role: ImageRole, blob: StoredBlob | None
    ) -> Workspace:
        """Put a stored logo or poster into the draft (``None`` removes it)."""

        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            revision = self.draft(session, principal, booth)
            sha = None
            if blob is not None:
                kind = FileKind.LOGO if role is ImageRole.LOGO else FileKind.POSTER
                register(session, blob.sha256, kind, blob.size)
                sha = blob.sha256
            if role is ImageRole.LOGO:
                revision.logo_sha = sha
            else:
                revision.poster_sha = sha
            revision.updated_at = utcnow()
            action = Action.IMAGE_SET if blob is not None else Action.IMAGE_REMOVED
            record(
                session,
                principal,
                action,
                booth_id,
                image=str(role),
                sha256=sha,
                revision=revision.number,
            )
            return self._workspace(session, booth)

        return self._write(work)

    # --- the screen's slideshow (booths/screens.py) ------------------------------------------

    def check_screen_room(self, principal: Principal, booth_id: str) -> None:
        """:class:`Invalid` if the booth's next draft could not take another screen image (asked
        before a picture is received, so a full screen costs no upload)."""
        with self.db.reading() as session:
            self.check_access(session, principal, booth_id)
            base = open_revision(session, booth_id) or latest_revision(session, booth_id)
            screens.check_room(base.screen_shas if base is not None else [])

    def add_screen(self, principal: Principal, booth_id: str, blob: StoredBlob) -> Workspace:
        """Add a stored screen image at the end of the draft's slideshow."""

        def change(session: Session, revision: BoothRevision) -> list[str]:
            updated = screens.with_added(revision.screen_shas, blob.sha256)
            register(session, blob.sha256, FileKind.SCREEN, blob.size)
            return updated

        return self._screens(principal, booth_id, change, Action.IMAGE_SET, blob.sha256)

    def remove_screen(self, principal: Principal, booth_id: str, sha: str) -> Workspace:
        """Take the screen image ``sha`` out of the draft's slideshow."""
        return self._screens(
            principal,
            booth_id,
            lambda _s, revision: screens.without(revision.screen_shas, sha),
            Action.IMAGE_REMOVED,
            sha,
        )

    def move_screen(self, principal: Principal, booth_id: str, sha: str, step: int) -> Workspace:
        """Move the screen image ``sha`` ``step`` places in the slideshow (negative: earlier)."""
        return self._screens(
            principal,
            booth_id,
            lambda _s, revision: screens.moved(revision.screen_shas, sha, step),
            Action.SCREENS_ORDERED,
            sha,
        )

    def order_screens(self, principal: Principal, booth_id: str, order: object) -> Workspace:
        """Put the draft's screen images in ``order`` (each image's id exactly once)."""
        return self._screens(
            principal,
            booth_id,
            lambda _s, revision: screens.reordered(revision.screen_shas, order),
            Action.SCREENS_ORDERED,
            None,
        )

    def _screens(
        self,
        principal: Principal,
        booth_id: str,
        change: Callable[[Session, BoothRevision], list[str]],
        action: Action,
        sha: str | None,
    ) -> Workspace:
        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            revision = self.draft(session, principal, booth)
            # A new list, not an edit in place: the JSON column notices assignments only.
            revision.screen_shas = change(session, revision)
            revision.updated_at = utcnow()
            record(
                session,
                principal,
                action,
                booth_id,
                image=str(ImageRole.SCREEN),
                sha256=sha,
                screens=list(revision.screen_shas),
                revision=revision.number,
            )
            return self._workspace(session, booth)

        return self._write(work)

    def submit(self, principal: Principal, booth_id: str) -> Workspace:
        """Send the draft to staff for approval."""

        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            revision = open_revision(session, booth_id)
            if revision is None:
                raise Conflict(f"booth {booth_id!r} has no draft to submit; make a change first")
            move_revision(revision, RevisionState.SUBMITTED)
            revision.submitted_at = utcnow()
            record(session, principal, Action.SUBMITTED, booth_id, revision=revision.number)
            return self._workspace(session, booth)

        return self._write(work)

    def withdraw(self, principal: Principal, booth_id: str) -> Workspace:
        """Take a submission back into a draft (before staff decide)."""

        def work(session: Session) -> Workspace:
            booth = self.check_access(session, principal, booth_id)
            revision = open_revision(session, booth_id)
            if revision is None or revision.state != RevisionState.SUBMITTED:
                raise Conflict(f"booth {booth_id!r} has no submission waiting for staff")
            move_revision(revision, RevisionState.DRAFT)
            revision.submitted_at = None
            record(session, principal, Action.WITHDRAWN, booth_id, revision=revision.number)
            return self._workspace(session, booth)

        return self._write(work)
