"""The back office of one app: database, keys, accounts, booths, uploads, built at start-up.

:meth:`BackOffice.open` runs in the lifespan (in a worker thread: it
migrates the database and may hash files): it clears what an interrupted
upload left, opens the database at the newest schema, loads the secret,
publishes approvals a stop interrupted and logs any broken storage
promise, and a missing glTF validator (model uploads wait for it). The
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
from metaexpo.auth.tokens import TokenSigner
from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.editing import BoothEditing
from metaexpo.booths.files import assets_root
from metaexpo.booths.live import LiveBooths
from metaexpo.booths.moderation import BoothModeration
from metaexpo.booths.processing import worker_started
from metaexpo.booths.receive import clear_temp_folder
from metaexpo.booths.uploads import ModelUploads
from metaexpo.config import Settings
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.models import GltfValidator, Limits, ValidatorUnavailable
from metaexpo.models.store import remove_stale_temporaries
from metaexpo.roles import Principal
from metaexpo.scenes import Catalog
from metaexpo.store import Database, open_database
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
        data_dir = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
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
            settings.upload_concurrency,
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
        for problem in check_consistency(db, data_dir):
            log.error("storage: %s", problem)
        return office

    def identify(self, token: str) -> Identity | None:
        """``SyncHub.identify``: a join token's identity from its signature and expiry alone.

        Cheap and local (no database): a bearer token gives its account's role,
        id and display name, a guest token an anonymous visitor; anything else
        (a device token, a forgery) None (4003). Whether the token was revoked
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
            badge="staff" if claims.kind == "bearer" and claims.role == "staff" else None,
        )

    def close(self) -> None:
        """Stop the worker processes and the password pool, and close the database."""
        self.uploads.close()
        self.passwords.close()
        self.db.close()


def model_pool(workers: int) -> Executor:
    """The worker processes that check uploads (spawned, so they share nothing with the
    server's event loop and threads; each ends itself if the server dies)."""
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
