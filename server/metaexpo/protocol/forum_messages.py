"""Forum control messages on the sync socket: ``forum.*`` JSON text frames (docs/protocol.md).

Client messages are validated here into typed objects, like
:mod:`metaexpo.protocol.control` does for the rest: unknown fields are
refused, and anything malformed becomes a :class:`~metaexpo.errors.ControlError`
whose sentence the client can show. What a sender may do is not decided here
(that is the forum desk's job, on the server, from the sender's role); this
module only says what a well-formed message is. Server messages are built by
the helpers at the bottom and serialised once for many clients.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from metaexpo.errors import ControlError

#: Every forum message type starts with this.
PREFIX = "forum."
#: A forum session id (the agenda's slugs).
SessionId = Annotated[str, Field(min_length=2, max_length=48, pattern=r"^[a-z0-9][a-z0-9-]+$")]
#: An avatar id on the wire (slot + generation).
AvatarId = Annotated[int, Field(ge=0, le=0xFFFFFF)]
#: Most characters a question may have on the wire; the server's own limit may be lower.
QUESTION_WIRE_CHARS = 2000


class _ForumMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=4096)

    session: SessionId


class ForumSync(BaseModel):
    """Ask for the live state of one session (or of every live session of the room)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["forum.sync"]
    session: SessionId | None = None


class ForumSessionControl(_ForumMessage):
    """Go live or end a session (staff, moderators)."""

    type: Literal["forum.session"]
    action: Literal["live", "end"]


class ForumSlide(_ForumMessage):
    """Turn the slides: ``to`` is "next", "previous" or a page number from 1 (speaker,
    moderator, staff); ``deck`` switches to another uploaded deck of the session."""

    type: Literal["forum.slide"]
    to: Literal["next", "previous"] | Annotated[int, Field(ge=1, le=10_000)]
    deck: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class ForumQuestion(_ForumMessage):
    """Ask a question (any visitor with a token); ``anonymous`` hides the asker's name."""

    type: Literal["forum.question"]
    text: Annotated[str, Field(max_length=QUESTION_WIRE_CHARS)]
    anonymous: bool = False


class ForumVote(_ForumMessage):
    """Upvote a question (once per visitor)."""

    type: Literal["forum.vote"]
    question: Annotated[int, Field(ge=1)]


class ForumModerate(_ForumMessage):
    """A moderator's decision on a question."""

    type: Literal["forum.moderate"]
    question: Annotated[int, Field(ge=1)]
    action: Literal["approve", "hide", "pin", "unpin", "answered"]


class ForumHand(_ForumMessage):
    """Raise (``up``) or lower one's hand."""

    type: Literal["forum.hand"]
    up: bool


class ForumStage(_ForumMessage):
    """Invite a visitor with a raised hand on stage, or end their turn (moderators, staff).

    ``dismiss`` lowers a visitor's hand without inviting them.
    """

    type: Literal["forum.stage"]
    action: Literal["invite", "end", "dismiss"]
    id: AvatarId


class ForumStageAccept(_ForumMessage):
    """The invited visitor accepts (goes on stage, microphone on) or declines."""

    type: Literal["forum.stage_accept"]
    accept: bool


class ForumMic(_ForumMessage):
    """Microphone on or off: one's own (speakers, visitors on stage), or, with ``id``, a
    moderator cutting someone else's (only ``on: false``)."""

    type: Literal["forum.mic"]
    on: bool
    id: AvatarId | None = None

    @model_validator(mode="after")
    def _cut_only(self) -> ForumMic:
        if self.id is not None and self.on:
            raise ValueError("a moderator can only turn someone else's microphone off")
        return self


class ForumSlowMode(_ForumMessage):
    """The session's slow mode: least seconds between two questions (and chat lines) of one
    visitor (0: off)."""

    type: Literal["forum.slow"]
    seconds: Annotated[int, Field(ge=0, le=600)]


ForumMessage = Annotated[
    ForumSync
    | ForumSessionControl
    | ForumSlide
    | ForumQuestion
    | ForumVote
    | ForumModerate
    | ForumHand
    | ForumStage
    | ForumStageAccept
    | ForumMic
    | ForumSlowMode,
    Field(discriminator="type"),
]
#: The classes of :data:`ForumMessage`, for ``isinstance`` checks.
FORUM_MESSAGE_TYPES = (
    ForumSync,
    ForumSessionControl,
    ForumSlide,
    ForumQuestion,
    ForumVote,
    ForumModerate,
    ForumHand,
    ForumStage,
    ForumStageAccept,
    ForumMic,
    ForumSlowMode,
)
_FORUM_MESSAGE: TypeAdapter[ForumMessage] = TypeAdapter(ForumMessage)
KNOWN_TYPES = (
    "forum.sync",
    "forum.session",
    "forum.slide",
    "forum.question",
    "forum.vote",
    "forum.moderate",
    "forum.hand",
    "forum.stage",
    "forum.stage_accept",
    "forum.mic",
    "forum.slow",
)


def parse_forum_message(data: dict[str, Any]) -> ForumMessage:
    """Validate one decoded ``forum.*`` message, or raise ControlError naming what is wrong."""
    kind = data.get("type")
    if kind not in KNOWN_TYPES:
        raise ControlError(
            "unknown_type",
            f"unknown forum message type {kind!r}; expected one of {', '.join(KNOWN_TYPES)}",
        )
    try:
        return _FORUM_MESSAGE.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ControlError("bad_message", f"{kind} message: {problems}") from None


# --- server → client ---------------------------------------------------------------------


def state_message(session: str, live: dict[str, Any]) -> dict[str, Any]:
    """``forum.state``: one session's live state (see :mod:`metaexpo.forums.live`)."""
    return {"type": "forum.state", "session": session, **live}


def questions_message(session: str, top: list[dict[str, Any]]) -> dict[str, Any]:
    """``forum.questions``: the approved questions the audience sees, best first."""
    return {"type": "forum.questions", "session": session, "top": top}


def queue_message(session: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """``forum.queue``: every question of the session, for moderators."""
    return {"type": "forum.queue", "session": session, "questions": questions}


def hands_message(
    session: str, hands: list[dict[str, Any]], invited: list[dict[str, Any]]
) -> dict[str, Any]:
    """``forum.hands``: raised hands in order and who is invited on stage (moderators)."""
    return {"type": "forum.hands", "session": session, "hands": hands, "invited": invited}


def invite_message(session: str) -> dict[str, Any]:
    """``forum.invite``: you are invited on stage; answer with ``forum.stage_accept``."""
    return {"type": "forum.invite", "session": session}


def asked_message(session: str, question: dict[str, Any]) -> dict[str, Any]:
    """``forum.asked``: your question was received (it shows once a moderator approves it)."""
    return {"type": "forum.asked", "session": session, "question": question}


def agenda_message(session: str) -> dict[str, Any]:
    """``forum.agenda``: the agenda changed (this session); clients fetch /api/forums again."""
    return {"type": "forum.agenda", "session": session}
