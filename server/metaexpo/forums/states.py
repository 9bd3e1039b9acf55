"""A forum session's life: an explicit state machine with guarded transitions.

::

    SCHEDULED ──go live──► LIVE ──end──► ENDED ──replay stored──► REPLAY

Staff (and the session's moderators) take a session live and end it; the
node that ends it stores the replay (stage audio, slide timeline, answered
questions) and moves it on to REPLAY. A session never goes back: a talk
that must happen again is a new session.
"""

from __future__ import annotations

from enum import StrEnum

from metaexpo.errors import Conflict


class ForumState(StrEnum):
    """Where a forum session is in its life."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    REPLAY = "replay"


TRANSITIONS: dict[ForumState, frozenset[ForumState]] = {
    ForumState.SCHEDULED: frozenset({ForumState.LIVE}),
    ForumState.LIVE: frozenset({ForumState.ENDED}),
    ForumState.ENDED: frozenset({ForumState.REPLAY}),
    ForumState.REPLAY: frozenset(),
}

_WHY = {
    ForumState.LIVE: "it is already live",
    ForumState.ENDED: "it has ended",
    ForumState.REPLAY: "it has ended and its replay is online",
    ForumState.SCHEDULED: "it has not gone live yet",
}


def advance(session_id: str, current: str, target: ForumState) -> ForumState:
    """``target`` if a session in state ``current`` may move there; :class:`Conflict` if not."""
    state = ForumState(current)
    if target not in TRANSITIONS[state]:
        verb = {
            ForumState.LIVE: "go live",
            ForumState.ENDED: "end",
            ForumState.REPLAY: "offer a replay",
            ForumState.SCHEDULED: "be scheduled again",
        }[target]
        raise Conflict(f"session {session_id!r} cannot {verb}: {_WHY[state]}")
    return target
