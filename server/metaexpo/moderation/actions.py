"""What each moderation action writes, for how long, and its entry in the audit log.

A moderator names a visitor by room and avatar id; the action becomes a
trust ledger entry (:mod:`metaexpo.trust.ledger`) that every node acts on:

=========  ====================  ==============================================
action     entry                 effect on every node
=========  ====================  ==============================================
mute       ``mute`` (minutes)    chat refused, voice not routed; kept on rejoin
unmute     the mute lifted       chat and voice again
kick       ``kick`` (60 s)       connection closed with the reason; a rejoin
                                 within a minute is refused
ban        ``ban`` (hours)       connection closed, every join refused until
                                 the ban ends (account or guest token)
delete     ``deleted`` (1 h)     the chat lines vanish from every client
slow mode  ``slow`` (per room)   one chat line per visitor per N seconds
=========  ====================  ==============================================

The entry's key is the visitor's token subject (account or guest id) when
the acting node knows it, else the room and avatar id; the node holding that
avatar then writes the subject's entry too, so a ban or mute follows the
person, not the connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import User

#: How long a kicked visitor must wait before joining again.
KICK_COOLDOWN_S = 60.0
#: How long a deleted line's id is remembered (longer than any client keeps chat).
DELETED_KEPT_S = 3600.0
#: How long slow mode lasts unless a moderator turns it off.
SLOW_MODE_KEPT_S = 7 * 24 * 3600.0
#: Reports one visitor may file per minute.
REPORTS_PER_MINUTE = 5


@dataclass(frozen=True, slots=True)
class Actor:
    """Who moderates: how the audit log names them, and their account id."""

    description: str
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """The visitor an action is about, as the acting node knows them."""

    room_id: str
    wire: int
    name: str
    #: The token subject (account or guest id), if this node knows it.
    subject: str | None
    #: The ledger key the action is written under.
    key: str
    staff: bool

    def describe(self) -> str:
        """How the audit log names the target."""
        return f"{self.room_id}/{self.wire} {self.name}"


def record_action(
    db: Database, actor: Actor, action: Action, target: str, **details: object
) -> None:
    """Write one moderation action to the audit log (blocking: call it in a thread)."""
    with db.transaction() as session:
        record(session, actor.description, action, target, actor_id=actor.user_id, **details)


def staff_display_names(db: Database) -> list[str]:
    """The display names of enabled staff accounts (reserved for visitors; blocking)."""
    with db.reading() as session:
        query = select(User.display_name).where(User.role == "staff", User.disabled.is_(False))
        return list(session.scalars(query))
