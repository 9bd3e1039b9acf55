"""Uploads end to end: may this person upload here, receive the body within its share and
pace, check and fit the file away from the server process, and record the verdict with the
files it names.

The HTTP layer hands the request body to :meth:`ModelUploads.receiving`, which
holds an upload slot (:mod:`.slots`: at most ``--upload-concurrency`` at once,
at most ``--upload-concurrency-per-account`` for one account) and streams the
body to a temporary file under a size cap and a minimum rate
(:mod:`.receive`). Models are checked (:meth:`ModelUploads.process`) and
pictures decoded (:meth:`ModelUploads.reencode`) in the upload worker pool
(:mod:`.workers`), so neither holds up the sync tick nor grows the server's
memory. No model is accepted unvalidated: while the Khronos glTF-Validator
cannot run, every model upload is told to try again (HTTP 503). The row is
written after the files (atomic, fsynced) are on disk, in one transaction with
the draft change and the audit entry: a crash at any point leaves either
nothing or everything. It is written within
:attr:`UploadPolicy.record_within_s` of the files or not at all, which is what
lets :mod:`.orphans` remove files no row names once they are older than that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metaexpo.booths.editing import BoothEditing
from metaexpo.booths.files import FileKind, assets_root, register
from metaexpo.booths.images import ImageRole
from metaexpo.booths.images import reencode as reencode_picture
from metaexpo.booths.processing import ModelOutcome, process_model
from metaexpo.booths.receive import MinimumRate, receive_to_file, temp_folder
from metaexpo.booths.records import open_revision
from metaexpo.booths.slots import UploadSlots
from metaexpo.booths.states import RevisionState, UploadState, advance
from metaexpo.booths.views import UploadView, upload_view
from metaexpo.booths.workers import UploadWorkers
from metaexpo.errors import Busy, Conflict, Invalid, TooSlow
from metaexpo.models import GltfValidator, Limits, Slot, ValidatorError
from metaexpo.roles import Principal
from metaexpo.scenes import Booth
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.ids import new_id
from metaexpo.store.schema import Upload, utcnow

log = logging.getLogger(__name__)

MODEL_EXTENSIONS = (".glb", ".gltf", ".zip")
MAX_FILENAME_CHARS = 255
#: Retry-After (seconds) while the glTF validator cannot run: someone has to install it.
VALIDATOR_RETRY_S = 600


@dataclass(slots=True)
class UploadJob:
    """One upload while its request runs: the lifecycle's transient first steps, guarded."""

    booth_id: str
    filename: str
    state: UploadState = UploadState.RECEIVED

    def move(self, target: UploadState) -> None:
        """Advance the job (a move the lifecycle does not allow is a bug: Conflict)."""
        self.state = advance(f"upload of {self.filename!r}", self.state, target)


def check_filename(filename: str) -> str:
    """The uploader's file name, if it can name a model; :class:`Invalid` otherwise."""
    name = filename.strip()
    if not name or len(name) > MAX_FILENAME_CHARS or not name.lower().endswith(MODEL_EXTENSIONS):
        message = "name the file you upload: it must end in .glb, .gltf or .zip"
        raise Invalid(
            message, [{"code": "bad_file_name", "message": message, "where": "name", "limit": None}]
        )
    return name


def slot_for(booth: Booth) -> Slot:
    """The space a custom model gets in ``booth``: the slot's footprint and height."""
    return Slot(width=booth.footprint[0], depth=booth.footprint[1], height=booth.height)


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    """What bounds uploads: the slots, the slowest body accepted, and how long after its files
    were written an upload may still record them."""

    concurrency: int
    per_account: int
    rate: MinimumRate
    record_within_s: float


class RecordDeadline:
    """The time an upload has, from the start of its check, to record the files it stored."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.started = time.monotonic()

    def check(self, what: str) -> None:
        """:class:`Busy` if the deadline has passed: the files may be collected as orphans, so
        they must not be recorded (the uploader tries again and stores them afresh)."""
        spent = time.monotonic() - self.started
        if spent > self.limit_s:
            raise Busy(f"checking the {what} took too long ({spent:.0f} s); upload it again", 60)


class ModelUploads:
    """Receives exhibitors' uploads; checks, stores and records models; decodes pictures."""

    def __init__(
        self,
        db: Database,
        editing: BoothEditing,
        data_dir: Path,
        limits: Limits,
        policy: UploadPolicy,
        make_executor: Callable[[], Executor] | None,
        validator: GltfValidator | None = None,
    ) -> None:
        self.db = db
        self.editing = editing
        self.data_dir = data_dir
        self.store_root = assets_root(data_dir)
        self.limits = limits
        self.policy = policy
        self.slots = UploadSlots(policy.concurrency, policy.per_account)
        self.workers = UploadWorkers(make_executor)
        self.validator = validator if validator is not None else GltfValidator()

    @asynccontextmanager
    async def receiving(
        self, account: str, chunks: AsyncIterator[bytes], limit: int, what: str
    ) -> AsyncIterator[Path]:
        """Hold one of ``account``'s upload slots (a user id, or a forum speaker's key) and
        receive the body into a temporary file, removed after the block.

        Raises :class:`TooMany` (the account's share is taken), :class:`Busy`
        (no slot is free), :class:`TooLarge`, :class:`TooSlow` or
        :class:`Invalid` (empty body).
        """
        with self.slots.hold(account):
            try:
                path = await receive_to_file(
                    chunks, temp_folder(self.data_dir), limit, what, rate=self.policy.rate
                )
            except TooSlow:
                self.slots.refused["too_slow"] += 1
                raise
            try:
                yield path
            finally:
                path.unlink(missing_ok=True)

    def deadline(self) -> RecordDeadline:
        """Start the clock of an upload's check: its files must be recorded before it runs out."""
        return RecordDeadline(self.policy.record_within_s)

    async def reencode(self, path: Path, role: ImageRole) -> bytes:
        """The picture at ``path`` re-encoded for ``role``, decoded in the upload worker
        (:func:`metaexpo.booths.images.reencode`; :class:`Invalid` for a refused picture)."""
        return await self.workers.run(reencode_picture, path, role)

    def close(self) -> None:
        """Stop the worker processes (if they were started)."""
        self.workers.close()

    def check_allowed(self, principal: Principal, booth_id: str) -> Booth:
        """The booth, if ``principal`` may upload a model for it now (before the body is read)."""
        with self.db.reading() as session:
            booth = self.editing.check_access(session, principal, booth_id)
            current = open_revision(session, booth_id)
            if current is not None and current.state == RevisionState.SUBMITTED:
                raise Conflict(
                    f"revision {current.number} of booth {booth_id!r} is waiting for staff; "
                    "withdraw it before uploading a new model"
                )
            return booth

    async def process(
        self, principal: Principal, booth: Booth, path: Path, filename: str
    ) -> UploadView:
        """Check and store the upload at ``path``; the accepted upload's view, or
        :class:`Invalid` listing every problem (the refusal is recorded too)."""
        job = UploadJob(booth.id, filename)
        size = path.stat().st_size
        deadline = self.deadline()
        try:
            outcome = await self.workers.run(
                process_model,
                path,
                self.store_root,
                slot_for(booth),
                self.limits,
                filename,
                self.validator,
            )
        except ValidatorError as exc:
            log.error("model upload %r not checked, nothing stored: %s", filename, exc)
            raise Busy(
                "the server cannot check 3D models right now: its glTF validator is not "
                "working. Please tell the expo staff, and try again later.",
                VALIDATOR_RETRY_S,
            ) from exc
        if not outcome.accepted:
            job.move(UploadState.REFUSED)
            await asyncio.to_thread(self._record_refusal, principal, job, size, outcome)
            problems = outcome.report.get("problems", [])
            raise Invalid(
                f"the model was refused: {len(problems)} problem(s) to fix", list(problems)
            )
        job.move(UploadState.VALIDATED)
        job.move(UploadState.NORMALISED)
        deadline.check("model")
        return await asyncio.to_thread(self._record_accepted, principal, booth, job, size, outcome)

    def _new_row(
        self, principal: Principal, job: UploadJob, size: int, report: dict[str, Any]
    ) -> Upload:
        now = utcnow()
        return Upload(
            id=new_id(),
            booth_id=job.booth_id,
            user_id=principal.user_id,
            filename=job.filename,
            bytes=size,
            state=str(job.state),
            report=report,
            original_sha=None,
            model_sha=None,
            preview_sha=None,
            created_at=now,
            updated_at=now,
        )

    def _record_refusal(
        self, principal: Principal, job: UploadJob, size: int, outcome: ModelOutcome
    ) -> None:
        with self.db.transaction() as session:
            row = self._new_row(principal, job, size, outcome.report)
            session.add(row)
            codes = sorted({str(p.get("code")) for p in outcome.report.get("problems", [])})
            record(
                session,
                principal,
                Action.MODEL_REFUSED,
                job.booth_id,
                upload=row.id,
                filename=job.filename,
                problems=codes,
            )

    def _record_accepted(
        self, principal: Principal, booth: Booth, job: UploadJob, size: int, outcome: ModelOutcome
    ) -> UploadView:
        assert outcome.original is not None and outcome.model is not None
        with self.db.transaction() as session:
            # Checked again: the booth may have been taken away while the model was checked.
            self.editing.check_access(session, principal, booth.id)
            register(session, outcome.original.sha256, FileKind.ORIGINAL, outcome.original.size)
            register(session, outcome.model.sha256, FileKind.MODEL, outcome.model.size)
            if outcome.preview is not None:
                register(session, outcome.preview.sha256, FileKind.PREVIEW, outcome.preview.size)
            row = self._new_row(principal, job, size, outcome.report)
            row.original_sha = outcome.original.sha256
            row.model_sha = outcome.model.sha256
            row.preview_sha = None if outcome.preview is None else outcome.preview.sha256
            session.add(row)
            session.flush()
            revision = self.editing.attach_upload(session, principal, booth, row)
            record(
                session,
                principal,
                Action.MODEL_ACCEPTED,
                booth.id,
                upload=row.id,
                filename=job.filename,
                model=row.model_sha,
                revision=revision.number,
            )
            return upload_view(row)
