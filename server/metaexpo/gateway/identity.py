"""Who a join's token says the visitor is: what the accounts layer tells the gateway.

A module of its own so that the hub, the session and the back office that
verifies tokens all use it without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Badge = Literal["staff", "speaker"]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a join's token says the visitor is (an anonymous visitor: all defaults).

    ``user_id`` is the token's subject (an account id, or a guest's
    ``guest-…`` id): what bans and mutes name. ``token_id``, ``issued`` and
    ``session`` let the trust ledger void this one token, tokens issued
    before a time, or tokens of one portal sign-in. ``badge`` is shown to
    everyone beside the name, which is then ``name`` (the account's display
    name) rather than what the visitor typed.
    """

    role: Literal["visitor", "exhibitor", "staff"]
    user_id: str | None = None
    name: str = ""
    token_id: str = ""
    issued: float = 0.0
    session: str = ""
    badge: Badge | None = None

    @property
    def is_staff(self) -> bool:
        """Whether this visitor runs the expo (may moderate)."""
        return self.role == "staff"


#: Checks a join's token: the identity, or None if the token is not valid.
Identify = Callable[[str], Identity | None]
