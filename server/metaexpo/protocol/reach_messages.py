"""Reach control messages on the sync socket: ``reach.*`` JSON text frames (docs/protocol.md).

A visitor's client tells the server what the sampler cannot see: that the
visitor opened a booth's panel or followed one of its links, and, with the
visitor's consent, that they left a business card (or withdrew it). Client
messages are validated here into typed objects; unknown fields are refused
and anything malformed becomes a :class:`~metaexpo.errors.ControlError`.
Whether the booth exists, rate limits and "counted once" are the server's
reach desk's business (``metaexpo.http.reach_wiring``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from metaexpo.errors import ControlError

#: Every reach message type starts with this.
PREFIX = "reach."
#: A booth id (the catalog's slugs).
BoothId = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _ReachMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=2048)


class ReachOpen(_ReachMessage):
    """The visitor opened the info panel of ``booth`` (counted once per visitor in a while)."""

    type: Literal["reach.open"]
    booth: BoothId


class ReachLink(_ReachMessage):
    """The visitor followed a link of ``booth``'s panel (its address is not stored)."""

    type: Literal["reach.link"]
    booth: BoothId
    url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://")]


class CardFields(BaseModel):
    """A business card as the visitor typed it (the server checks every field again)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(max_length=200)]
    organisation: Annotated[str, Field(max_length=400)] = ""
    title: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=400)] = ""
    phone: Annotated[str, Field(max_length=80)] = ""
    message: Annotated[str, Field(max_length=2000)] = ""


class ReachCard(_ReachMessage):
    """Leave a card at ``booth``, agreeing to the consent text of version ``consent`` in
    ``lang`` (``GET /api/reach/consent/{booth}`` gives text and version)."""

    type: Literal["reach.card"]
    booth: BoothId
    lang: Literal["zh", "en"]
    consent: Annotated[str, Field(min_length=8, max_length=64)]
    card: CardFields


class ReachWithdraw(_ReachMessage):
    """Withdraw a card with the key the server gave when it was left."""

    type: Literal["reach.withdraw"]
    key: Annotated[str, Field(min_length=16, max_length=64)]


ReachMessage = Annotated[
    ReachOpen | ReachLink | ReachCard | ReachWithdraw, Field(discriminator="type")
]
#: The classes of :data:`ReachMessage`, for ``isinstance`` checks.
REACH_MESSAGE_TYPES = (ReachOpen, ReachLink, ReachCard, ReachWithdraw)
_REACH_MESSAGE: TypeAdapter[ReachMessage] = TypeAdapter(ReachMessage)
KNOWN_TYPES = ("reach.open", "reach.link", "reach.card", "reach.withdraw")


def parse_reach_message(data: dict[str, Any]) -> ReachMessage:
    """Validate one decoded ``reach.*`` message, or raise ControlError naming what is wrong."""
    kind = data.get("type")
    if kind not in KNOWN_TYPES:
        raise ControlError(
            "unknown_type",
            f"unknown reach message type {kind!r}; expected one of {', '.join(KNOWN_TYPES)}",
        )
    try:
        return _REACH_MESSAGE.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ControlError("bad_message", f"{kind} message: {problems}") from None


# --- server → client ---------------------------------------------------------------------


def card_kept_message(booth: str, key: str) -> dict[str, Any]:
    """``reach.card_kept``: the card is with the exhibitor; ``key`` withdraws it (keep it)."""
    return {"type": "reach.card_kept", "booth": booth, "key": key}


def card_withdrawn_message(booth: str | None) -> dict[str, Any]:
    """``reach.card_withdrawn``: the card is deleted (``booth`` None: there was none)."""
    return {"type": "reach.card_withdrawn", "booth": booth}
