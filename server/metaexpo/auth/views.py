"""Accounts and invites as staff see them: the shapes the API and the console show.

Built from rows inside a transaction, so they can be used after it closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from metaexpo.roles import ACCOUNT_ROLES, Principal, Via
from metaexpo.store.schema import Invite, User


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


def invite_view(invite: Invite) -> InviteView:
    """An invite row as staff see it (never its secret)."""
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
