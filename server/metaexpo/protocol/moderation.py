"""Moderation messages on the sync socket (docs/protocol.md, "Moderation").

Client → server: ``mod.mute``, ``mod.unmute``, ``mod.kick``, ``mod.ban``,
``mod.delete``, ``mod.slow`` (staff only; the server checks the role) and
``report`` (anyone). Parsed into typed objects like
:mod:`metaexpo.protocol.control` does (pydantic, unknown fields refused,
a :class:`~metaexpo.errors.ControlError` with a sentence for anything wrong).
Server → client messages are built by the helpers at the bottom.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from metaexpo.errors import ControlError

#: Types of the moderator's messages (``report`` is everyone's).
MOD_PREFIX = "mod."
REPORT = "report"
AvatarId = Annotated[int, Field(ge=0, le=0xFFFFFF)]
LineId = Annotated[str, Field(min_length=1, max_length=80)]
Reason = Annotated[str, Field(max_length=300)]

#: Longest mute (minutes), ban (hours) and slow mode (seconds) a moderator may give.
MAX_MUTE_MINUTES = 24 * 60
MAX_BAN_HOURS = 30 * 24
MAX_SLOW_SECONDS = 600


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=1024)


class Mute(_Message):
    """Silence a visitor's chat and voice for ``minutes``."""

    type: Literal["mod.mute"]
    target: AvatarId
    minutes: Annotated[int, Field(ge=1, le=MAX_MUTE_MINUTES)] = 10
    reason: Reason = ""


class Unmute(_Message):
    """Let a muted visitor speak again."""

    type: Literal["mod.unmute"]
    target: AvatarId


class Kick(_Message):
    """Close a visitor's connection with a reason (they may come back after a minute)."""

    type: Literal["mod.kick"]
    target: AvatarId
    reason: Reason = ""


class Ban(_Message):
    """Refuse a visitor's account or guest token in the hall for ``hours``."""

    type: Literal["mod.ban"]
    target: AvatarId
    hours: Annotated[int, Field(ge=1, le=MAX_BAN_HOURS)] = 24
    reason: Reason = ""


class Delete(_Message):
    """Remove chat lines from every client on every node."""

    type: Literal["mod.delete"]
    ids: Annotated[list[LineId], Field(min_length=1, max_length=50)]


class Slow(_Message):
    """Chat slow mode of the room: one line per visitor per ``seconds`` (0: off)."""

    type: Literal["mod.slow"]
    seconds: Annotated[int, Field(ge=0, le=MAX_SLOW_SECONDS)]


class Report(_Message):
    """A visitor reports a person, or one of their chat lines, to the staff."""

    type: Literal["report"]
    target: AvatarId
    line: LineId | None = None
    reason: Annotated[str, Field(min_length=1, max_length=300)]


ModAction = Mute | Unmute | Kick | Ban | Delete | Slow
ModerationMessage = ModAction | Report
_ADAPTER: TypeAdapter[ModerationMessage] = TypeAdapter(
    Annotated[ModerationMessage, Field(discriminator="type")]
)
TYPES = ("mod.mute", "mod.unmute", "mod.kick", "mod.ban", "mod.delete", "mod.slow", "report")
#: The parsed classes, for isinstance dispatch.
MESSAGE_TYPES = (Mute, Unmute, Kick, Ban, Delete, Slow, Report)


def is_moderation(kind: object) -> bool:
    """Whether a message ``type`` belongs here."""
    return isinstance(kind, str) and (kind.startswith(MOD_PREFIX) or kind == REPORT)


def parse_moderation_message(data: dict[str, Any]) -> ModerationMessage:
    """Validate one decoded moderation message, or raise ControlError naming what is wrong."""
    kind = data.get("type")
    if kind not in TYPES:
        raise ControlError(
            "unknown_type",
            f"unknown moderation message type {kind!r}; expected one of {', '.join(TYPES)}",
        )
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ControlError("bad_message", f"{kind} message: {problems}") from None


# --- server → client ---------------------------------------------------------------------


def chat_delete(ids: list[str]) -> dict[str, Any]:
    """Remove these chat lines (sent to every visitor of the room, on every node)."""
    return {"type": "chat_delete", "ids": ids}


def notice(action: str, **fields: Any) -> dict[str, Any]:
    """Tell a visitor what moderation means for them now (``mute``, ``unmute``, ``slow``)."""
    return {"type": "mod.notice", "action": action, **fields}


def done(action: str, **fields: Any) -> dict[str, Any]:
    """Tell a moderator (or a reporter) that their message was carried out."""
    return {"type": "mod.done", "action": action, **fields}
