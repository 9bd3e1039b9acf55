"""Who a signed-in request comes from: the account roles and the :class:`Principal`.

A leaf module (it imports nothing of the project) so that the store, which
records who did what in the audit log, and the accounts layer, which decides
who may do what (:mod:`metaexpo.auth.principal`), both use it without one
importing the other. Visitors have no :class:`Principal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AccountRole = Literal["exhibitor", "staff"]
#: How a request proved who it is.
Via = Literal["bearer", "cookie", "cli"]
ACCOUNT_ROLES: tuple[AccountRole, ...] = ("exhibitor", "staff")


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in account: how it proved itself (``via``) and, for cookies, which session."""

    user_id: str
    login: str
    display_name: str
    role: AccountRole
    via: Via
    session_hash: str | None = None

    @property
    def is_staff(self) -> bool:
        """Whether this account runs the expo."""
        return self.role == "staff"

    def describe(self) -> str:
        """How the audit log names this actor."""
        return f"{self.role} {self.login}"
