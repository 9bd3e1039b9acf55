"""Who is in a room on this node: visitors by row, their resume tokens, who is away.

Bookkeeping only: no state arrays, no sockets. The room decides when a
visitor joins, resumes or leaves and tells :class:`Members`; the tick never
reads it.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from metaexpo.protocol import control
from metaexpo.sync.bus import ResumeRegistry
from metaexpo.sync.link import ClientLink
from metaexpo.sync.state import Vec3


@dataclass(slots=True)
class Member:
    """A visitor's identity and per-visitor limits; not touched by the tick's maths."""

    name: str
    avatar: str
    kind: str
    token: str
    link: ClientLink | None
    chat_tokens: float
    chat_at: float
    teleport_at: float = -math.inf
    emote_at: float = -math.inf
    away_until: float = math.inf
    error_at: dict[str, float] = field(default_factory=dict)
    #: Who this is for reach figures (metaexpo.analytics.visitors): kept across resumes.
    visitor: int = 0
    #: Shown beside the name to everyone (``staff``, ``speaker``), or None.
    badge: str | None = None
    #: Chat is refused until then (room clock), with ``muted_because`` as the sentence.
    muted_until: float = -math.inf
    muted_because: str = ""
    #: When this member's last chat line was accepted (for slow mode).
    line_at: float = -math.inf

    def roster(self, aid: int) -> dict[str, Any]:
        """This member as a roster entry."""
        return control.roster_entry(aid, self.name, self.avatar, self.kind, self.badge)


@dataclass(frozen=True, slots=True)
class JoinResult:
    """What the gateway needs to welcome a visitor."""

    row: int
    avatar_id: int
    token: str
    resumed: bool
    position: Vec3
    yaw: float
    roster: list[dict[str, Any]]


class Members:
    """This node's visitors of one room, by state row, and the tokens that resume them."""

    def __init__(self, room_id: str) -> None:
        self.room_id = room_id
        self.by_row: dict[int, Member] = {}
        #: Slots of avatars waiting for a resume, with their deadline.
        self.away: dict[int, float] = {}
        self.tokens: dict[str, int] = {}
        #: Where resume tokens live beyond this node (None on a single node).
        self.resumes: ResumeRegistry | None = None

    def __getitem__(self, row: int) -> Member:
        return self.by_row[row]

    def __iter__(self) -> Iterator[Member]:
        return iter(self.by_row.values())

    def get(self, row: int | None) -> Member | None:
        """The member in ``row``, if any."""
        return self.by_row.get(row) if row is not None else None

    def row_of_token(self, token: str | None) -> int | None:
        """The row a resume token held by this node points at."""
        return self.tokens.get(token) if token else None

    def add(self, row: int, member: Member, wire: int) -> None:
        """Admit ``member`` in ``row`` (wire id ``wire``) with a fresh resume token."""
        self.by_row[row] = member
        self.issue_token(row, member, wire)

    def issue_token(self, row: int, member: Member, wire: int) -> None:
        """Give ``member`` a fresh resume token (retiring the old one)."""
        if member.token:
            self.tokens.pop(member.token, None)
            if self.resumes is not None:
                self.resumes.forget(member.token)
        member.token = secrets.token_urlsafe(18)
        self.tokens[member.token] = row
        if self.resumes is not None:
            self.resumes.remember(
                member.token,
                {"room": self.room_id, "id": wire, "name": member.name, "visitor": member.visitor},
            )

    def forget_token(self, token: str) -> None:
        """A token another node's registry knew is used up here (the avatar was adopted)."""
        if self.resumes is not None:
            self.resumes.forget(token)

    def set_away(self, row: int, until: float) -> None:
        """The member's connection dropped: hold the row until ``until`` for a resume."""
        self.by_row[row].away_until = until
        self.away[row] = until

    def back(self, row: int) -> None:
        """The member resumed: no longer away."""
        self.by_row[row].away_until = math.inf
        self.away.pop(row, None)

    def remove(self, row: int) -> Member:
        """Take the member out (left, expired or taken over) and retire its token."""
        self.away.pop(row, None)
        member = self.by_row.pop(row)
        self.tokens.pop(member.token, None)
        if self.resumes is not None:
            self.resumes.forget(member.token)
        return member

    def expired(self, now: float) -> list[int]:
        """Rows whose resume window has passed."""
        return [row for row, until in self.away.items() if until <= now]
