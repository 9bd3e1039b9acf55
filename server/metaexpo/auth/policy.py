"""The limits accounts work with: how long sign-ins, tokens and invites last; which booths exist."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from metaexpo.errors import Invalid


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """The time limits accounts work with (from the settings)."""

    session_ttl_s: float
    token_ttl_s: float
    invite_ttl_s: float


def check_booths(known: Collection[str], booths: Collection[str]) -> list[str]:
    """``booths`` sorted and without repeats; :class:`Invalid` naming any not in ``known``."""
    unknown = sorted(set(booths) - set(known))
    if unknown:
        raise Invalid(f"no such booth(s): {', '.join(unknown)}")
    return sorted(set(booths))
