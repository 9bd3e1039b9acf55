"""Signing in and out: passwords, portal sessions, bearer tokens, changing one's password.

The rules of who may do what live here, in :mod:`metaexpo.auth.invites`,
:mod:`metaexpo.auth.administration` and :mod:`metaexpo.roles`; the
rows in :mod:`metaexpo.store.accounts`. Every method is synchronous (argon2
and the database block): call it from a worker thread. Every change is
written with its audit entry in one transaction.
"""

from __future__ import annotations

from metaexpo.auth.passwords import (
    PasswordRejected,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from metaexpo.auth.policy import AccountPolicy
from metaexpo.auth.ratelimit import FailureLimiter
from metaexpo.auth.views import principal_of
from metaexpo.errors import Invalid, NotSignedIn, TooMany
from metaexpo.roles import Principal, Via
from metaexpo.store import Database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import User
from metaexpo.tokens import IssuedToken, TokenSigner


class Accounts:
    """Sign-in, sessions, tokens and passwords."""

    def __init__(
        self,
        db: Database,
        signer: TokenSigner,
        policy: AccountPolicy,
        per_account: FailureLimiter,
        per_address: FailureLimiter,
    ) -> None:
        self.db = db
        self.signer = signer
        self.policy = policy
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
