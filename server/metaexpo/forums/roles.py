"""Who may do what in a forum session: the four roles and the one table that decides.

Roles are per session and come from the database: **staff** (any staff
account) may do everything; **moderator** is an account staff named for the
session; **speaker** is a person invited to the session with a one-time
link (no account); **audience** is everyone, anonymous visitors included.
Every forum action, from the socket or the HTTP API, is checked against
:data:`PERMISSIONS` on the node that receives it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from metaexpo.errors import Forbidden

#: How an actor proved who they are.
ActorKind = Literal["account", "speaker", "guest", "anonymous"]
#: Token subjects of speakers start with this (guests' with "guest-", accounts have hex ids).
SPEAKER_SUBJECT_PREFIX = "speaker-"


class ForumRole(StrEnum):
    """A role in one forum session."""

    STAFF = "staff"
    MODERATOR = "moderator"
    SPEAKER = "speaker"
    AUDIENCE = "audience"


class ForumAction(StrEnum):
    """Everything a forum session lets someone do."""

    EDIT_AGENDA = "edit_agenda"
    NAME_MODERATOR = "name_moderator"
    INVITE_SPEAKER = "invite_speaker"
    GO_LIVE = "go_live"
    END = "end"
    UPLOAD_SLIDES = "upload_slides"
    TURN_SLIDES = "turn_slides"
    MODERATE = "moderate"
    RUN_STAGE = "run_stage"
    CUT_MIC = "cut_mic"
    SLOW_MODE = "slow_mode"
    OWN_MIC = "own_mic"
    ASK = "ask"
    VOTE = "vote"
    RAISE_HAND = "raise_hand"
    WATCH = "watch"


_STAFF = frozenset({ForumRole.STAFF})
_RUNNERS = frozenset({ForumRole.STAFF, ForumRole.MODERATOR})
_PRESENTERS = frozenset({ForumRole.STAFF, ForumRole.MODERATOR, ForumRole.SPEAKER})
_EVERYONE = frozenset(ForumRole)

PERMISSIONS: dict[ForumAction, frozenset[ForumRole]] = {
    ForumAction.EDIT_AGENDA: _STAFF,
    ForumAction.NAME_MODERATOR: _STAFF,
    ForumAction.INVITE_SPEAKER: _STAFF,
    ForumAction.GO_LIVE: _RUNNERS,
    ForumAction.END: _RUNNERS,
    ForumAction.UPLOAD_SLIDES: frozenset({ForumRole.STAFF, ForumRole.SPEAKER}),
    ForumAction.TURN_SLIDES: _PRESENTERS,
    ForumAction.MODERATE: _RUNNERS,
    ForumAction.RUN_STAGE: _RUNNERS,
    ForumAction.CUT_MIC: _RUNNERS,
    ForumAction.SLOW_MODE: _RUNNERS,
    # A visitor on stage may also switch their own microphone (checked by the live state).
    ForumAction.OWN_MIC: _PRESENTERS,
    ForumAction.ASK: _EVERYONE,
    ForumAction.VOTE: _EVERYONE,
    ForumAction.RAISE_HAND: _EVERYONE,
    ForumAction.WATCH: _RUNNERS,
}

_NEEDS = {
    _STAFF: "expo staff",
    _RUNNERS: "staff or a moderator of this session",
    _PRESENTERS: "staff, a moderator or a speaker of this session",
    frozenset({ForumRole.STAFF, ForumRole.SPEAKER}): "staff or a speaker of this session",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone doing something in the forums, however they signed in.

    ``key`` is stable for one person (account id, speaker id, guest id) and
    None for an anonymous visitor; ``account_role`` is set for accounts;
    ``speaker_session`` for a speaker's sign-in (bound to that session).
    """

    kind: ActorKind
    key: str | None
    name: str
    account_role: str | None = None
    speaker_session: str | None = None
    #: How others see this person (an account's display name; ``name`` is its login).
    display: str = ""

    @property
    def shown_name(self) -> str:
        """The name shown to other people (never an account's sign-in name)."""
        return self.display or (self.name if self.kind != "account" else "")

    @property
    def is_staff(self) -> bool:
        """Whether this is a staff account."""
        return self.kind == "account" and self.account_role == "staff"

    def describe(self) -> str:
        """How the audit log names this actor."""
        if self.kind == "account":
            return f"{self.account_role} {self.name}"
        if self.kind == "speaker":
            return f"speaker {self.name} ({self.key})"
        return f"visitor {self.key or 'anonymous'}"


def require(action: ForumAction, roles: Collection[ForumRole], session_id: str) -> None:
    """Nothing if one of ``roles`` may do ``action`` in the session; :class:`Forbidden` if not."""
    allowed = PERMISSIONS[action]
    if allowed.intersection(roles):
        return
    who = _NEEDS.get(allowed, "someone else")
    raise Forbidden(
        f"only {who} may {action.value.replace('_', ' ')} in forum session {session_id!r}"
    )


def may(action: ForumAction, roles: Collection[ForumRole]) -> bool:
    """Whether one of ``roles`` may do ``action``."""
    return bool(PERMISSIONS[action].intersection(roles))
