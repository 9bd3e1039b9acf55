"""One-time invites: staff invite an exhibitor or a colleague, who sets a password once.

Synchronous like :mod:`metaexpo.auth.accounts` (call from a worker thread);
every change is written with its audit entry in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from metaexpo.auth.passwords import PasswordRejected, check_new_password, hash_password
from metaexpo.auth.policy import AccountPolicy, check_booths
from metaexpo.auth.views import InviteView, invite_view, principal_of
from metaexpo.errors import Invalid, NotFound
from metaexpo.roles import ACCOUNT_ROLES, AccountRole, Principal, require_staff
from metaexpo.store import Database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import utcnow


class Invites:
    """Create, look up, list and accept invites."""

    def __init__(
        self,
        db: Database,
        policy: AccountPolicy,
        booth_ids: Collection[str],
    ) -> None:
        self.db = db
        self.policy = policy
        self.booth_ids = frozenset(booth_ids)

    def create(
        self,
        principal: Principal,
        login: str,
        display_name: str,
        role: str,
        booths: Collection[str],
    ) -> tuple[str, InviteView]:
        """A one-time invite (staff only); returns the secret for the link and the invite."""
        require_staff(principal)
        if role not in ACCOUNT_ROLES:
            raise Invalid(f"an invite is for an exhibitor or staff, not {role!r}")
        account_role: AccountRole = "staff" if role == "staff" else "exhibitor"
        with self.db.transaction() as session:
            secret, invite = rows.create_invite(
                session,
                login=login,
                display_name=display_name,
                role=account_role,
                booths=check_booths(self.booth_ids, booths),
                created_by=principal.user_id,
                ttl_s=self.policy.invite_ttl_s,
            )
            record(
                session,
                principal,
                Action.INVITE_CREATED,
                invite.login,
                role=role,
                booths=invite.booths,
            )
            return secret, invite_view(invite)

    def info(self, secret: str) -> InviteView | None:
        """The invite behind a link, if it can still be used."""
        with self.db.reading() as session:
            invite = rows.find_invite(session, secret)
            return None if invite is None else invite_view(invite)

    def all(self, principal: Principal) -> list[InviteView]:
        """Every invite, newest first (staff only)."""
        require_staff(principal)
        with self.db.reading() as session:
            return [invite_view(i) for i in rows.list_invites(session)]

    def accept(self, secret: str, password: str, address: str) -> Principal:
        """Create the invited account with ``password`` and give it its booths; once only.

        Attempts per address are limited before this is called
        (:class:`~metaexpo.auth.gate.AccountGate`), which hashes in the password pool.
        """
        with self.db.transaction() as session:
            invite = rows.find_invite(session, secret)
            if invite is None:
                raise NotFound("this invite link is not valid: it was used, expired or mistyped")
            try:
                check_new_password(password, invite.login)
            except PasswordRejected as exc:
                raise Invalid(str(exc)) from None
            role: AccountRole = "staff" if invite.role == "staff" else "exhibitor"
            user = rows.create_user(
                session, invite.login, invite.display_name, role, hash_password(password)
            )
            for booth_id in invite.booths:
                rows.assign_booth(session, booth_id, user.id, invite.created_by)
            invite.used_at = utcnow()
            invite.used_by = user.id
            principal = principal_of(user, "cookie")
            record(
                session,
                principal,
                Action.INVITE_ACCEPTED,
                user.login,
                booths=invite.booths,
                address=address,
            )
            return principal
