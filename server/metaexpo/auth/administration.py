"""Staff administration of accounts: list them, disable or enable one, assign booths.

Synchronous like :mod:`metaexpo.auth.accounts` (call from a worker thread);
every change is written with its audit entry in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from metaexpo.auth.policy import check_booths
from metaexpo.auth.views import UserView
from metaexpo.errors import Conflict, NotFound
from metaexpo.roles import Principal, require_staff
from metaexpo.store import Database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record


class AccountAdmin:
    """What staff do to accounts (every method checks the caller is staff)."""

    def __init__(self, db: Database, booth_ids: Collection[str]) -> None:
        self.db = db
        self.booth_ids = frozenset(booth_ids)

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

    def set_disabled(self, principal: Principal, login: str, disabled: bool) -> str:
        """Disable an account (it is signed out everywhere at once) or enable it again; returns
        its id (for the trust ledger entry that closes its hall connections)."""
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
            return user.id

    def sign_out_everywhere(self, principal: Principal, login: str) -> str:
        """Void every session and token of an account (staff only); returns its id."""
        require_staff(principal)
        with self.db.transaction() as session:
            user = rows.user_by_login(session, login)
            if user is None:
                raise NotFound(f"there is no account {login!r}")
            user.token_epoch += 1
            rows.close_all_sessions(session, user.id)
            record(session, principal, Action.USER_SIGNED_OUT, user.login)
            return user.id

    def assign(self, principal: Principal, booth_id: str, login: str) -> None:
        """Let an exhibitor manage a booth (staff only)."""
        require_staff(principal)
        check_booths(self.booth_ids, [booth_id])
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
