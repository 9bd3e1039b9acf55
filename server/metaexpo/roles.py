"""Who a signed-in request comes from, and the role checks every endpoint makes.

A leaf module (only :mod:`metaexpo.errors` below it) so that the store, which
records who did what in the audit log, the accounts layer and the booth
service all use it without importing one another. Visitors have no
:class:`Principal`: endpoints that need one refuse them with
:class:`~metaexpo.errors.NotSignedIn`. Ownership of booths is checked by the
booth service against the database, with :func:`require_booth_access`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from metaexpo.errors import Forbidden

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


def require_staff(principal: Principal) -> Principal:
    """The principal if it is staff; :class:`Forbidden` otherwise."""
    if not principal.is_staff:
        raise Forbidden("only expo staff may do this")
    return principal


def require_booth_access(principal: Principal, booth_id: str, owned: Collection[str]) -> None:
    """Staff may work on every booth, an exhibitor only on the booths in ``owned``."""
    if principal.is_staff or booth_id in owned:
        return
    raise Forbidden(f"booth {booth_id!r} is not one of yours; you can change only your own booths")
