"""JSON control messages: everything on the sync socket that is not a pose.

Text frames carry one JSON object with a ``type``. Client messages are
validated here into typed objects; anything malformed becomes a
:class:`~metaexpo.errors.ControlError` with a code and a sentence the client
can show. Server messages are plain dicts built by the helpers at the bottom
and serialised once with orjson (they are often sent to many clients).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from metaexpo.errors import ControlError
from metaexpo.protocol.forum_messages import PREFIX as FORUM_PREFIX
from metaexpo.protocol.forum_messages import ForumMessage, parse_forum_message
from metaexpo.protocol.frames import PROTOCOL_VERSION
from metaexpo.protocol.moderation import (
    ModerationMessage,
    is_moderation,
    parse_moderation_message,
)
from metaexpo.protocol.reach_messages import PREFIX as REACH_PREFIX
from metaexpo.protocol.reach_messages import ReachMessage, parse_reach_message

ClientKind = Literal["desktop", "mobile", "vr"]
#: The gestures an avatar can make for others to see (docs/protocol.md, "Emotes").
EmoteName = Literal["wave", "clap", "thumbs_up"]
EMOTES: tuple[str, ...] = ("wave", "clap", "thumbs_up")

#: Bidirectional-text controls that can make a name display as something else.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_display_text(value: str, *, what: str, max_chars: int) -> str:
    """Strip ``value`` and refuse empty, over-long, control-character or bidi-override text."""
    text = value.strip()
    if not text:
        raise ValueError(f"{what} is empty")
    if len(text) > max_chars:
        raise ValueError(f"{what} is {len(text)} characters long; the limit is {max_chars}")
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            raise ValueError(
                f"{what} contains the control character U+{ord(ch):04X}; use plain text"
            )
    return text


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=4096)


class Join(_Message):
    """The first message on a socket: who is joining which room."""

    type: Literal["join"]
    v: int = Field(description="Protocol version the client speaks.")
    room: Annotated[str, Field(min_length=1, max_length=64)]
    name: str
    avatar: Annotated[str, Field(min_length=1, max_length=64)]
    kind: ClientKind
    resume: Annotated[str, Field(max_length=128)] | None = None
    #: Bearer token of a signed-in exhibitor or staff member, or a signed guest token.
    token: Annotated[str, Field(max_length=2048)] | None = None


class Chat(_Message):
    """A chat line to the room."""

    type: Literal["chat"]
    text: str


class Teleport(_Message):
    """An explicit jump to a point on the floor (the server checks it)."""

    type: Literal["teleport"]
    to: tuple[float, float, float]
    yaw: float | None = None

    @field_validator("to")
    @classmethod
    def _finite(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if not all(math.isfinite(c) for c in v):
            raise ValueError("teleport target must be finite numbers")
        return v


class Who(_Message):
    """Ask for the names and avatar models of avatars seen in pose frames."""

    type: Literal["who"]
    ids: Annotated[list[Annotated[int, Field(ge=0, le=0xFFFFFF)]], Field(max_length=256)]


class Ping(_Message):
    """Clock sync: the server answers with its tick and time."""

    type: Literal["ping"]
    t: float


class Emote(_Message):
    """A gesture of the sender's avatar (wave, clap, thumbs-up), shown to those who see it."""

    type: Literal["emote"]
    emote: EmoteName


class Leave(_Message):
    """A clean goodbye: the avatar leaves at once (no resume window)."""

    type: Literal["leave"]


ClientMessage = Annotated[
    Join | Chat | Teleport | Who | Ping | Emote | Leave, Field(discriminator="type")
]
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_KNOWN_TYPES = ("join", "chat", "teleport", "who", "ping", "emote", "leave")


def parse_client_message(
    text: str | bytes,
) -> ClientMessage | ModerationMessage | ForumMessage | ReachMessage:
    """Parse one client text frame, or raise ControlError naming what is wrong.

    ``mod.*`` and ``report`` messages are parsed by :mod:`metaexpo.protocol.moderation`,
    ``forum.*`` messages by :mod:`metaexpo.protocol.forum_messages`, ``reach.*``
    messages by :mod:`metaexpo.protocol.reach_messages`.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ControlError("bad_json", f"text frame is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ControlError("bad_message", "a control message must be a JSON object")
    kind = data.get("type")
    if is_moderation(kind):
        return parse_moderation_message(data)
    if isinstance(kind, str) and kind.startswith(FORUM_PREFIX):
        return parse_forum_message(data)
    if isinstance(kind, str) and kind.startswith(REACH_PREFIX):
        return parse_reach_message(data)
    if kind not in _KNOWN_TYPES:
        raise ControlError(
            "unknown_type",
            f"unknown control message type {kind!r}; expected one of {', '.join(_KNOWN_TYPES)}",
        )
    try:
        return _CLIENT_MESSAGE.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ControlError("bad_message", f"{kind} message: {problems}") from None


# --- server → client ---------------------------------------------------------------------


def dumps(message: dict[str, Any]) -> bytes:
    """Serialise a server message once (the bytes may go to many clients)."""
    return orjson.dumps(message)


def error_message(code: str, message: str) -> dict[str, Any]:
    """An ``error`` message: ``code`` for programs, ``message`` for people."""
    return {"type": "error", "code": code, "message": message}


def emote_message(aid: int, emote: str) -> dict[str, Any]:
    """An ``emote``: the avatar ``aid`` makes the gesture ``emote``."""
    return {"type": "emote", "id": aid, "emote": emote}


#: Badges shown beside a name (staff, forum speakers); anything else on the bus is dropped.
BADGES = ("staff", "speaker")


def roster_entry(
    aid: int, name: str, avatar: str, kind: str, badge: str | None = None
) -> dict[str, Any]:
    """One avatar's identity, sent once per client rather than in every pose frame."""
    entry: dict[str, Any] = {"id": aid, "name": name, "avatar": avatar, "kind": kind}
    if badge in BADGES:
        entry["badge"] = badge
    return entry


def protocol_version_message() -> str:
    """The sentence a client shows when its protocol version is not spoken here."""
    return (
        f"this server speaks protocol version {PROTOCOL_VERSION}; "
        "reload the page to get the matching client"
    )
