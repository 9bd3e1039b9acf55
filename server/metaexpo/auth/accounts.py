"""Signing in and out: passwords, portal sessions, bearer tokens, changing one's password.

The rules of who may do what live here, in :mod:`metaexpo.auth.invites`,
:mod:`metaexpo.auth.administration` and :mod:`metaexpo.roles`; the
rows in :mod:`metaexpo.store.accounts`. Every method is synchronous (argon2
and the database block): call the ones that hash through
:class:`~metaexpo.auth.gate.AccountGate`, which limits attempts first and
hashes in the password pool, and the others from a worker thread. Every
change is written with its audit entry in one transaction.
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
from metaexpo.auth.views import principal_of
from metaexpo.errors import Invalid, NotSignedIn
from metaexpo.roles import Principal, Via
from metaexpo.store import Database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import User
from metaexpo.tokens import IssuedToken, TokenClaims, TokenSigner
from metaexpo.trust.ledger import TrustLedger, token_refusal

#: Characters of a portal session's id hash that bearer tokens issued for it carry.
SESSION_ID_CHARS = 32


def session_id(principal: Principal) -> str:
    """The short id of the portal session ``principal`` signed in with ('' for none)."""
    return (principal.session_hash or "")[:SESSION_ID_CHARS]


class Accounts:
    """Sign-in, sessions, tokens and passwords."""

    def __init__(
        self, db: Database, signer: TokenSigner, policy: AccountPolicy, ledger: TrustLedger
    ) -> None:
        self.db = db
        self.signer = signer
        self.policy = policy
        self.ledger = ledger

    # --- signing in ---------------------------------------------------------------------------

    def sign_in(self, login: str, password: str, address: str, via: Via = "bearer") -> Principal:
        """The account for ``login`` if ``password`` is right.

        :class:`NotSignedIn` for a wrong name or password (the same message
        for both). Attempts are limited before this is called
        (:class:`~metaexpo.auth.gate.AccountGate`).
        """
        login = normal_login(login)
        with self.db.reading() as session:
            user = rows.user_by_login(session, login)
            stored = None if user is None or user.disabled else user.password_hash
        if not verify_password(stored, password) or user is None:
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
        """A bearer token for the API and the WebSocket join (void when ``principal``'s portal
        session, if any, signs out)."""
        with self.db.reading() as session:
            user = session.get(User, principal.user_id)
            if user is None or user.disabled:
                raise NotSignedIn("the account is not active; sign in again")
            return self.signer.issue(
                "bearer",
                user.id,
                principal.role,
                self.policy.token_ttl_s,
                epoch=user.token_epoch,
                name=user.display_name,
                session=session_id(principal),
            )

    def bearer_claims(self, token: str) -> TokenClaims | None:
        """The claims of a genuine, unexpired bearer token that the ledger has not revoked."""
        claims = self.signer.check(token)
        if claims is None or claims.kind != "bearer":
            return None
        if token_refusal(
            self.ledger,
            subject=claims.subject,
            token_id=claims.token_id,
            issued=claims.issued,
            session_id=claims.session,
        ):
            return None
        return claims

    def bearer_principal(self, token: str) -> Principal | None:
        """Who a bearer token belongs to, if it is genuine, unexpired and not revoked."""
        claims = self.bearer_claims(token)
        if claims is None:
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
        """Change one's own password; every other session and token stops working (the caller
        writes the ledger entry that tells the hall's sockets)."""
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


def normal_login(login: str) -> str:
    """A sign-in name as accounts are looked up by (trimmed, lower case, at most 254)."""
    return login.strip().lower()[:254]
