"""The back office of one app: database, keys, accounts, booths, uploads, built at start-up.

:meth:`BackOffice.open` runs in the lifespan (in a worker thread: it
migrates the database and may hash files): it clears what an interrupted
upload left, opens the database at the newest schema, loads the secret,
publishes approvals a stop interrupted, removes stored files no row has
named for ``--orphan-min-age-s``, and logs any broken storage promise, any
private file other users can read (with the ``chmod`` to run) and a missing
glTF validator (model uploads wait for it). The
routers reach it as ``request.app.state.office``.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metaexpo.auth.accounts import Accounts
from metaexpo.auth.administration import AccountAdmin
from metaexpo.auth.gate import AccountGate, SignInLimits
from metaexpo.auth.hashing import PasswordPool
from metaexpo.auth.invites import Invites
from metaexpo.auth.policy import AccountPolicy
from metaexpo.auth.secret import Keys, load_secret
from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.editing import BoothEditing
from metaexpo.booths.files import assets_root
from metaexpo.booths.live import LiveBooths
from metaexpo.booths.moderation import BoothModeration
from metaexpo.booths.orphans import collect_orphans, find_orphans
from metaexpo.booths.processing import worker_started
from metaexpo.booths.receive import MinimumRate, clear_temp_folder
from metaexpo.booths.uploads import ModelUploads, UploadPolicy
from metaexpo.config import Settings
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Badge, Identity
from metaexpo.models import GltfValidator, Limits, ValidatorUnavailable
from metaexpo.models.store import remove_stale_temporaries
from metaexpo.roles import Principal
from metaexpo.scenes import Catalog
from metaexpo.store import Database, open_database
from metaexpo.store.database import database_url, sqlite_path
from metaexpo.store.filemodes import ExposedFile, exposed_files, make_private_folder
from metaexpo.tokens import TokenClaims, TokenSigner
from metaexpo.trust.ledger import LocalTrustLedger, TrustLedger
from metaexpo.trust.limits import AttemptLimiter, LocalAttemptLimiter

log = logging.getLogger(__name__)


@dataclass
class BackOffice:
    """Everything behind the portal, the staff console and the booth API."""

    settings: Settings
    catalog: Catalog
    db: Database
    keys: Keys
    signer: TokenSigner
    accounts: Accounts
    invites: Invites
    admin: AccountAdmin
    live: LiveBooths
    editing: BoothEditing
    moderation: BoothModeration
    uploads: ModelUploads
    ledger: TrustLedger
    gate: AccountGate
    passwords: PasswordPool
    #: Private files and folders other users could read at start-up (each logged as a warning).
    exposed: list[ExposedFile] = field(default_factory=list)
    #: Asset names already looked up: name → (path, sha256, media type).
    served: dict[str, tuple[Path, str, str]] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        settings: Settings,
        catalog: Catalog,
        ledger: TrustLedger | None = None,
        limiter: AttemptLimiter | None = None,
    ) -> BackOffice:
        """Open the back office for ``settings`` (blocking: call it in a worker thread), with
        the node's trust ledger and sign-in limiter (shared by every node through Redis)."""
        data_dir = make_private_folder(settings.data_dir)
        left = clear_temp_folder(data_dir) + remove_stale_temporaries(assets_root(data_dir))
        if left:
            log.warning("removed %d temporary file(s) of interrupted uploads", left)
        db = open_database(settings)
        keys = Keys(load_secret(settings))
        signer = TokenSigner(keys.tokens)
        policy = AccountPolicy(settings.session_ttl_s, settings.token_ttl_s, settings.invite_ttl_s)
        booth_ids = [booth.id for booth in catalog.booths]
        ledger = ledger if ledger is not None else LocalTrustLedger()
        limiter = limiter if limiter is not None else LocalAttemptLimiter()
        accounts = Accounts(db, signer, policy, ledger)
        invites = Invites(db, policy, booth_ids)
        passwords = PasswordPool(settings.password_workers, settings.password_queue)
        gate = AccountGate(
            accounts,
            invites,
            signer,
            limiter,
            passwords,
            ledger,
            SignInLimits(
                per_address=settings.login_attempts_per_address,
                per_account=settings.login_attempts_per_account,
                per_account_total=settings.login_attempts_per_account_total,
                window_s=settings.login_window_s,
                device_ttl_s=settings.device_ttl_s,
                token_ttl_s=settings.token_ttl_s,
            ),
        )
        admin = AccountAdmin(db, booth_ids)
        live = LiveBooths(db, catalog)
        editing = BoothEditing(db, catalog, live)
        moderation = BoothModeration(db, catalog, live, data_dir)
        workers = settings.model_workers
        validator = GltfValidator(settings.web_dir)
        try:
            validator.locate()
        except ValidatorUnavailable as exc:
            log.error("model uploads will be answered 503 until this is fixed: %s", exc)
        uploads = ModelUploads(
            db,
            editing,
            data_dir,
            Limits(max_file_bytes=settings.upload_max_bytes),
            upload_policy(settings),
            (lambda: model_pool(workers)) if workers > 0 else None,
            validator,
        )
        office = cls(
            settings,
            catalog,
            db,
            keys,
            signer,
            accounts,
            invites,
            admin,
            live,
            editing,
            moderation,
            uploads,
            ledger,
            gate,
            passwords,
        )
        for payload in moderation.publish_pending():
            log.warning("published booth %s (approved before the last stop)", payload["id"])
        office.sweep_orphans()
        for problem in check_consistency(db, data_dir, orphans=False):
            log.error("storage: %s", problem)
        office.exposed = exposed_files(data_dir, sqlite_path(database_url(settings)))
        for exposed in office.exposed:
            log.warning("%s", exposed.advice())
        return office

    def sweep_orphans(self) -> None:
        """Remove the stored files no row has named for ``--orphan-min-age-s``; log the rest."""
        min_age = self.settings.orphan_min_age_s
        removed = collect_orphans(self.db, self.settings.data_dir, min_age)
        if removed:
            log.warning(
                "removed %d stored file(s) (%d bytes) that no row named: left by interrupted "
                "uploads",
                len(removed),
                sum(orphan.bytes for orphan in removed),
            )
        young = find_orphans(self.db, self.settings.data_dir)
        if young:
            log.warning(
                "%d stored file(s) that no row names are younger than %g s: left by an upload "
                "interrupted lately (or in flight on another node); they are removed once older "
                "(or run metaexpo check --fix then). First: %s",
                len(young),
                min_age,
                young[0].path,
            )

    def identify(self, token: str) -> Identity | None:
        """``SyncHub.identify``: a join token's identity from its signature and expiry alone.

        Cheap and local (no database): a bearer token gives its account's role,
        id and display name, a speaker token its speaker's name and badge, a
        guest token an anonymous visitor; anything else (a device token, a
        forgery) None (4003). Whether the token was revoked
        since is asked of the trust ledger by the moderation desk at the join.
        """
        claims = self.signer.check(token)
        if claims is None or claims.kind == "device":
            return None
        return Identity(
            claims.role,
            claims.subject,
            name=claims.name,
            token_id=claims.token_id,
            issued=claims.issued,
            session=claims.session,
            badge=badge_of(claims),
        )

    def close(self) -> None:
        """Stop the worker processes and the password pool, and close the database."""
        self.uploads.close()
        self.passwords.close()
        self.db.close()


def badge_of(claims: TokenClaims) -> Badge | None:
    """The badge the hall shows beside a token's visitor: staff accounts and forum speakers."""
    if claims.kind == "bearer" and claims.role == "staff":
        return "staff"
    if claims.kind == "speaker":
        return "speaker"
    return None


def upload_policy(settings: Settings) -> UploadPolicy:
    """The upload bounds the settings give."""
    return UploadPolicy(
        concurrency=settings.upload_concurrency,
        per_account=settings.upload_concurrency_per_account,
        rate=MinimumRate(settings.upload_min_bytes_per_s, settings.upload_rate_window_s),
        # Files no row names are collected from orphan_min_age_s: record well before that.
        record_within_s=settings.orphan_min_age_s / 2,
    )


def model_pool(workers: int) -> Executor:
    """The worker processes that check models and decode pictures (spawned, so they share
    nothing with the server's event loop, threads and heap; each ends itself if the server
    dies)."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_started,
        initargs=(os.getpid(),),
    )


async def approve_and_publish(
    office: BackOffice, hub: SyncHub | None, principal: Principal, revision_id: int
) -> dict[str, Any]:
    """Approve a submission, put it live and tell every connected client; returns the payload.

    The announcement goes out on the event loop (the hub is not thread-safe)
    to the booth's hall on every node; clients swap the booth at once.
    """
    await asyncio.to_thread(office.moderation.approve, principal, revision_id)
    payload = await asyncio.to_thread(office.moderation.publish, revision_id, principal)
    if hub is not None:
        hub.announce(payload, room_id=payload["hall"])
    return payload
