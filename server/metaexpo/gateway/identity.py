"""Who a join's token says the visitor is: what the accounts layer tells the gateway.

A module of its own so that the hub, the session and the back office that
verifies tokens all use it without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a join's token says the visitor is."""

    role: Literal["visitor", "exhibitor", "staff"]
    user_id: str | None = None


#: Checks a join's token: the identity, or None if the token is not valid.
Identify = Callable[[str], Identity | None]
