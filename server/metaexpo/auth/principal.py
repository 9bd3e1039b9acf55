"""The role checks every endpoint makes on a signed-in :class:`~metaexpo.roles.Principal`.

Visitors have no principal: endpoints that need one refuse them with
:class:`~metaexpo.errors.NotSignedIn`. Ownership of booths is checked by the
booth service against the database, with :func:`require_booth_access`.
"""

from __future__ import annotations

from collections.abc import Collection

from metaexpo.errors import Forbidden
from metaexpo.roles import Principal


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
