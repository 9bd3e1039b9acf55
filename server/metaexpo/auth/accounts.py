"""Accounts end to end: sign in and out, bearer tokens, invites, staff bootstrap, booth assignment.

The rules of who may do what live here and in :mod:`metaexpo.auth.principal`;
the rows in :mod:`metaexpo.store.accounts`. Every method is synchronous
(argon2 and the database block): call it from a worker thread. Every
change is written with its audit entry in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from metaexpo.auth.errors import Conflict, Invalid, NotFound, NotSignedIn, TooMany
from metaexpo.auth.passwords import (
    PasswordRejected,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from metaexpo.auth.principal import ACCOUNT_ROLES, AccountRole, Principal, Via, require_staff
from metaexpo.auth.ratelimit import FailureLimiter
from metaexpo.auth.tokens import IssuedToken, TokenSigner
from metaexpo.store import Database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import Invite, User, utcnow


@dataclass(frozen=True, slots=True)
class UserView:
    """An account as staff see it."""

    id: str
    login: str
    display_name: str
    role: str
    disabled: bool
    booths: list[str]
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        """The API shape."""
        return {
            "id": self.id,
            "login": self.login,
            "display_name": self.display_name,
            "role": self.role,
            "disabled": self.disabled,
            "booths": self.booths,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class InviteView:
    """An invite without its secret."""

    id: str
    login: str
    display_name: str
    role: str
    booths: list[str]
    expires_at: datetime
    used: bool

    def to_json(self) -> dict[str, object]:
        """The API shape."""
        return {
            "id": self.id,
            "login": self.login,
            "display_name": self.display_name,
            "role": self.role,
            "booths": self.booths,
            "expires_at": self.expires_at.isoformat(),
            "used": self.used,
        }


def _invite_view(invite: Invite) -> InviteView:
    return InviteView(
        id=invite.id,
        login=invite.login,
        display_name=invite.display_name,
        role=invite.role,
        booths=list(invite.booths),
        expires_at=invite.expires_at,
        used=invite.used_at is not None,
    )


def principal_of(user: User, via: Via, session_hash: str | None = None) -> Principal:
    """The principal an account row stands for."""
    assert user.role in ACCOUNT_ROLES
    return Principal(
        user_id=user.id,
        login=user.login,
        display_name=user.display_name,
        role=user.role,
        via=via,
        session_hash=session_hash,
    )


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """The time limits accounts work with (from the settings)."""

    session_ttl_s: float
    token_ttl_s: float
    invite_ttl_s: float


class Accounts:
    """Sign-in, tokens, invites and account administration."""

    def __init__(
        self,
        db: Database,
        signer: TokenSigner,
        policy: AccountPolicy,
        booth_ids: Collection[str],
        per_account: FailureLimiter,
        per_address: FailureLimiter,
    ) -> None:
        self.db = db
        self.signer = signer
        self.policy = policy
        self.booth_ids = frozenset(booth_ids)
        self.per_account = per_account
        self.per_address = per_address

    # --- signing in ---------------------------------------------------------------------------

    def _check_limits(self, login: str, address: str) -> None:
        wait = max(self.per_account.blocked(f"login:{login}"), self.per_address.blocked(address))
        if wait:
            raise TooMany(
                f"too many failed sign-ins; wait {wait} seconds and try again", retry_after=wait
            )

    def sign_in(self, login: str, password: str, address: str, via: Via = "bearer") -> Principal:
        """The account for ``login`` if ``password`` is right.

        :class:`TooMany` after too many failures for the account or the
        address (checked before the password, so a blocked guesser learns
        nothing); :class:`NotSignedIn` for a wrong name or password (the same
        message for both).
        """
        login = login.strip().lower()[:254]
        self._check_limits(login, address)
        with self.db.reading() as session:
            user = rows.user_by_login(session, login)
            stored = None if user is None or user.disabled else user.password_hash
        if not verify_password(stored, password) or user is None:
            self.per_account.fail(f"login:{login}")
            self.per_address.fail(address)
            raise NotSignedIn("wrong sign-in name or password")
        with self.db.transaction() as session:
            fresh = session.get(User, user.id)
            if fresh is None or fresh.disabled:
                raise NotSignedIn("wrong sign-in name or password")
            if needs_rehash(fresh.password_hash):
                fresh.password_hash = hash_password(password)
            principal = principal_of(fresh, via)
            record(session, principal, Action.SIGNED_IN, fresh.login, address=address)
            return principal

    def open_session(self, principal: Principal) -> str:
        """A new portal session for ``principal``; returns the secret for the cookie."""
        with self.db.transaction() as session:
            secret, _ = rows.open_login_session(
                session, principal.user_id, self.policy.session_ttl_s
            )
            rows.purge_expired_sessions(session)
            return secret

    def session_principal(self, secret: str) -> Principal | None:
        """Who the cookie's session belongs to (None: no such live session)."""
        with self.db.reading() as session:
            found = rows.find_login_session(session, secret)
            if found is None:
                return None
            login_session, user = found
            return principal_of(user, "cookie", login_session.id_hash)

    def close_session(self, secret: str) -> None:
        """Sign the cookie's session out."""
        with self.db.transaction() as session:
            rows.close_login_session(session, secret)

    def issue_bearer(self, principal: Principal) -> IssuedToken:
        """A bearer token for the API and the WebSocket join."""
        with self.db.reading() as session:
            user = session.get(User, principal.user_id)
            if user is None or user.disabled:
                raise NotSignedIn("the account is not active; sign in again")
            return self.signer.issue(
                "bearer", user.id, principal.role, self.policy.token_ttl_s, epoch=user.token_epoch
            )

    def bearer_principal(self, token: str) -> Principal | None:
        """Who a bearer token belongs to, if it is genuine, unexpired and not revoked."""
        claims = self.signer.check(token)
        if claims is None or claims.kind != "bearer":
            return None
        with self.db.reading() as session:
            user = session.get(User, claims.subject)
            if (
                user is None
                or user.disabled
                or user.role != claims.role
                or user.token_epoch != claims.epoch
            ):
                return None
            return principal_of(user, "bearer")

    def change_password(self, principal: Principal, old: str, new: str) -> None:
        """Change one's own password; every other session and token stops working."""
        with self.db.transaction() as session:
            user = session.get(User, principal.user_id)
            if user is None or not verify_password(user.password_hash, old):
                raise Invalid("the current password is wrong")
            self.set_password(user, new)
            rows.close_all_sessions(session, user.id)
            record(session, principal, Action.PASSWORD_RESET, user.login)

    @staticmethod
    def set_password(user: User, password: str) -> None:
        """Give ``user`` a new password (checked) and revoke its tokens; :class:`Invalid`
        if the password breaks the rules."""
        try:
            check_new_password(password, user.login)
        except PasswordRejected as exc:
            raise Invalid(str(exc)) from None
        user.password_hash = hash_password(password)
        user.token_epoch += 1

    # --- invites ------------------------------------------------------------------------------

    def _check_booths(self, booths: Collection[str]) -> list[str]:
        unknown = sorted(set(booths) - self.booth_ids)
        if unknown:
            raise Invalid(f"no such booth(s): {', '.join(unknown)}")
        return sorted(set(booths))

    def invite(
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
                booths=self._check_booths(booths),
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
            return secret, _invite_view(invite)

    def invite_info(self, secret: str) -> InviteView | None:
        """The invite behind a link, if it can still be used."""
        with self.db.reading() as session:
            invite = rows.find_invite(session, secret)
            return None if invite is None else _invite_view(invite)

    def invites(self, principal: Principal) -> list[InviteView]:
        """Every invite, newest first (staff only)."""
        require_staff(principal)
        with self.db.reading() as session:
            return [_invite_view(i) for i in rows.list_invites(session)]

    def accept_invite(self, secret: str, password: str, address: str) -> Principal:
        """Create the invited account with ``password`` and give it its booths; once only."""
        wait = self.per_address.blocked(address)
        if wait:
            raise TooMany(f"too many failed attempts; wait {wait} seconds", retry_after=wait)
        with self.db.transaction() as session:
            invite = rows.find_invite(session, secret)
            if invite is None:
                self.per_address.fail(address)
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
            record(session, principal, Action.INVITE_ACCEPTED, user.login, booths=invite.booths)
            return principal

    # --- administration (staff) ---------------------------------------------------------------

    def users(self, principal: Principal) -> list[UserView]:
        """Every account with its booths (staff only)."""
        require_staff(principal)
        with self.db.reading() as session:
            return [
                UserView(
                    id=u.id,
                    login=u.login,
                    display_name=u.display_name,
                    role=u.role,
                    disabled=u.disabled,
                    booths=rows.booths_of(session, u.id),
                    created_at=u.created_at,
                )
                for u in rows.list_users(session)
            ]

    def set_disabled(self, principal: Principal, login: str, disabled: bool) -> None:
        """Disable an account (it is signed out everywhere at once) or enable it again."""
        require_staff(principal)
        with self.db.transaction() as session:
            user = rows.user_by_login(session, login)
            if user is None:
                raise NotFound(f"there is no account {login!r}")
            if user.id == principal.user_id and disabled:
                raise Conflict("you cannot disable your own account")
            user.disabled = disabled
            user.token_epoch += 1
            rows.close_all_sessions(session, user.id)
            action = Action.USER_DISABLED if disabled else Action.USER_ENABLED
            record(session, principal, action, user.login)

    def assign(self, principal: Principal, booth_id: str, login: str) -> None:
        """Let an exhibitor manage a booth (staff only)."""
        require_staff(principal)
        self._check_booths([booth_id])
        with self.db.transaction() as session:
            user = rows.user_by_login(session, login)
            if user is None:
                raise NotFound(f"there is no account {login!r}")
            if user.role != "exhibitor":
                raise Conflict(f"{login!r} is staff; staff already manage every booth")
            if rows.assign_booth(session, booth_id, user.id, principal.user_id):
                record(session, principal, Action.BOOTH_ASSIGNED, booth_id, login=user.login)

    def unassign(self, principal: Principal, booth_id: str, login: str) -> None:
        """Take a booth away from an exhibitor (staff only)."""
        require_staff(principal)
        with self.db.transaction() as session:
            user = rows.user_by_login(session, login)
            if user is None:
                raise NotFound(f"there is no account {login!r}")
            if rows.unassign_booth(session, booth_id, user.id):
                record(session, principal, Action.BOOTH_UNASSIGNED, booth_id, login=user.login)


# --- the command line (``metaexpo create-staff``) ------------------------------------------------


def create_staff(db: Database, login: str, display_name: str, password: str) -> str:
    """Create a staff account from the command line; returns its id."""
    try:
        check_new_password(password, login)
    except PasswordRejected as exc:
        raise Invalid(str(exc)) from None
    with db.transaction() as session:
        user = rows.create_user(session, login, display_name, "staff", hash_password(password))
        record(session, "command line", Action.STAFF_CREATED, user.login)
        return user.id


def reset_password(db: Database, login: str, password: str) -> None:
    """Set an account's password from the command line (enables it, signs it out everywhere)."""
    with db.transaction() as session:
        user = rows.user_by_login(session, login)
        if user is None:
            raise NotFound(f"there is no account {login!r}")
        Accounts.set_password(user, password)
        user.disabled = False
        rows.close_all_sessions(session, user.id)
        record(session, "command line", Action.PASSWORD_RESET, user.login)
