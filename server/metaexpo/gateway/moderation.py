"""The hall's moderation on this node: who may join, what moderators do, what the ledger says.

One :class:`HallModeration` per node, wired by the app's lifespan. It sees
the trust ledger every node shares (:mod:`metaexpo.trust.ledger`) and this
node's sessions and rooms:

* **Joins** (:meth:`admit`): the token is checked against the ledger (a
  signed-out token, a portal session signed out, an account revoked since
  the token was issued, a banned or just-kicked visitor) and the name
  against the reserved names (:mod:`metaexpo.moderation.names`); staff and
  speakers join under their account's name with their badge.
* **Actions** (:meth:`receive` for ``mod.*`` and ``report`` messages on the
  socket, and the same methods for the staff console): checked against the
  role, written to the ledger and the audit log.
* **Effects** (:meth:`on_entry`, a ledger listener): whenever an entry is
  written on any node, this node applies it to its own sessions and rooms —
  closes, mutes, slow mode, deleted lines — so every node acts at once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from metaexpo.errors import (
    Busy,
    ControlError,
    Forbidden,
    Invalid,
    NotFound,
    RequestRefused,
    SessionClosed,
    TooMany,
)
from metaexpo.gateway.hub import Closable, SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.gateway.session import Session, SessionState
from metaexpo.moderation.actions import (
    DELETED_KEPT_S,
    KICK_COOLDOWN_S,
    REPORTS_PER_MINUTE,
    SLOW_MODE_KEPT_S,
    Actor,
    Target,
    record_action,
)
from metaexpo.moderation.names import ReservedNames
from metaexpo.protocol import control
from metaexpo.protocol import moderation as msgs
from metaexpo.protocol.codes import CloseCode
from metaexpo.store import Database
from metaexpo.store.audit import Action
from metaexpo.store.reports import ReportView, add_report
from metaexpo.sync.room import Room
from metaexpo.trust.ledger import EntryKind, TrustEntry, TrustLedger, token_refusal, wire_key

log = logging.getLogger(__name__)

#: Another source of chat slow mode for a room (e.g. a live forum session): seconds, 0 for none.
SlowModeSource = Callable[[str], float]


def until_text(until: float) -> str:
    """When an entry ends, for a sentence (UTC, to the minute)."""
    return datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M UTC")


def refusal(entry: TrustEntry) -> SessionClosed:
    """The close a revocation or sanction means for a visitor (code, error code, sentence)."""
    because = f": {entry.reason}" if entry.reason else ""
    if entry.kind == "ban":
        return SessionClosed(
            CloseCode.BANNED,
            "banned",
            f"a moderator banned you from the hall until {until_text(entry.until)}{because}",
        )
    if entry.kind == "kick":
        return SessionClosed(
            CloseCode.KICKED,
            "kicked",
            f"a moderator removed you from the hall{because}; you may come back after "
            f"{until_text(entry.until)}",
        )
    return SessionClosed(
        CloseCode.BAD_TOKEN, "revoked", f"your sign-in was revoked{because}; sign in again"
    )


def muted_sentence(entry: TrustEntry) -> str:
    """What a muted visitor is told when they try to chat."""
    because = f": {entry.reason}" if entry.reason else ""
    return f"a moderator muted you until {until_text(entry.until)}{because}"


def actor_of(identity: Identity) -> Actor:
    """How the audit log names a staff member acting from inside the hall."""
    return Actor(f"staff {identity.name or identity.user_id} (in the hall)", identity.user_id)


def _error_code(exc: RequestRefused) -> str:
    return {
        NotFound: "not_found",
        Forbidden: "forbidden",
        Invalid: "bad_message",
        TooMany: "rate_limited",
        Busy: "busy",
    }.get(type(exc), "refused")


class HallModeration:
    """This node's moderation of the hall, following the shared trust ledger."""

    def __init__(
        self,
        hub: SyncHub,
        ledger: TrustLedger,
        db: Database | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.hub = hub
        self.ledger = ledger
        self.db = db
        self.clock = clock
        self.names = ReservedNames()
        #: Other sources of slow mode per room (the forums' live sessions register one).
        self.slow_mode_sources: list[SlowModeSource] = []
        self._reports: dict[str, deque[float]] = {}
        ledger.listen(self.on_entry)

    # --- joins ---------------------------------------------------------------------------------

    def admit(self, identity: Identity, name: str, room_id: str) -> str:
        """The name to show for a visitor about to join ``room_id``, or :class:`SessionClosed`
        if the ledger refuses their token (revoked, banned, just kicked) or the name is
        reserved."""
        if identity.user_id is not None:
            entry = token_refusal(
                self.ledger,
                subject=identity.user_id,
                token_id=identity.token_id,
                issued=identity.issued,
                session_id=identity.session,
            ) or self.ledger.get("kick", identity.user_id)
            if entry is not None:
                raise refusal(entry)
        if identity.name:
            return identity.name  # an account's name, set by staff
        reserved = self.names.check(name)
        if reserved is not None:
            whose = "a member of the expo staff" if reserved.staff else "the expo staff"
            raise SessionClosed(
                CloseCode.BAD_JOIN,
                "reserved_name",
                f"the name {name!r} is reserved for {whose} (it reads as {reserved.term!r}); "
                "choose another name",
            )
        return name

    def joined(self, session: Closable) -> None:
        """A visitor is in: apply a mute that follows them, tell them about slow mode."""
        if not isinstance(session, Session) or session.room is None:
            return
        room = session.room
        for entry in self._entries_about(session, "mute"):
            self._apply_mute(session, entry, tell=True)
            break
        slow = self.ledger.get("slow", room.id)
        if slow is not None:
            session.link.send_text(
                control.dumps(msgs.notice("slow", seconds=int(slow.data.get("seconds", 0))))
            )

    def chat_gap_s(self, room_id: str) -> float:
        """The chat slow mode in force in ``room_id`` (seconds; 0: none)."""
        entry = self.ledger.get("slow", room_id)
        gap = float(entry.data.get("seconds", 0)) if entry is not None else 0.0
        for source in self.slow_mode_sources:
            gap = max(gap, float(source(room_id)))
        return gap

    def refresh_staff_names(self, names: list[str]) -> None:
        """Today's staff display names (reserved for visitors)."""
        self.names.set_staff_names(names)

    async def keep_staff_names(self, load: Callable[[], list[str]], every_s: float) -> None:
        """Reload the staff's display names every ``every_s`` seconds (runs until cancelled)."""
        while True:
            try:
                self.refresh_staff_names(await asyncio.to_thread(load))
            except Exception:
                log.warning("could not reload the staff's names", exc_info=True)
            await asyncio.sleep(every_s)

    # --- messages on the socket ----------------------------------------------------------------

    def receive(self, session: Closable, message: msgs.ModerationMessage) -> None:
        """A ``mod.*`` or ``report`` message from a joined session: checked, then carried out
        in the background; the sender gets ``mod.done`` or an ``error``."""
        assert isinstance(session, Session) and session.room is not None
        if not isinstance(message, msgs.Report) and not session.identity.is_staff:
            raise ControlError("forbidden", "only expo staff may moderate the hall")
        self.hub.spawn(self._carry_out(session, message))

    async def _carry_out(self, session: Session, message: msgs.ModerationMessage) -> None:
        room = session.room
        assert room is not None
        try:
            answer = await self._dispatch(session, room, message)
        except RequestRefused as exc:
            if session.state is SessionState.JOINED:
                error = control.error_message(_error_code(exc), exc.message)
                session.link.send_text(control.dumps(error))
            return
        except Exception:
            log.exception("moderation message failed")
            return
        if session.state is SessionState.JOINED:
            session.link.send_text(control.dumps(answer))

    async def _dispatch(
        self, session: Session, room: Room, message: msgs.ModerationMessage
    ) -> dict[str, Any]:
        if isinstance(message, msgs.Report):
            report = await self.report(session, room, message)
            return msgs.done("report", id=report.id)
        actor = actor_of(session.identity)
        if isinstance(message, msgs.Mute):
            target = await self.mute(
                actor, room.id, message.target, message.minutes, message.reason
            )
        elif isinstance(message, msgs.Unmute):
            target = await self.unmute(actor, room.id, message.target)
        elif isinstance(message, msgs.Kick):
            target = await self.kick(actor, room.id, message.target, message.reason)
        elif isinstance(message, msgs.Ban):
            target = await self.ban(actor, room.id, message.target, message.hours, message.reason)
        elif isinstance(message, msgs.Delete):
            await self.delete(actor, room.id, message.ids)
            return msgs.done("delete", ids=message.ids)
        else:
            await self.slow(actor, room.id, message.seconds)
            return msgs.done("slow", seconds=message.seconds)
        return msgs.done(message.type.removeprefix("mod."), target=target.wire, name=target.name)

    # --- actions (the socket's and the console's) ----------------------------------------------

    def target(self, room_id: str, wire: int) -> Target:
        """The visitor with avatar ``wire`` in ``room_id``, as this node knows them."""
        room = self.hub.rooms.get(room_id)
        if room is None:
            raise NotFound(f"there is no room {room_id!r}")
        row = room.state.row_of(wire)
        if row is None:
            raise NotFound("that visitor is no longer in the hall")
        member = room.members.get(row)
        if member is not None:
            session = self._session_at(room, row)
            subject = session.identity.user_id if session is not None else None
            staff = session is not None and session.identity.is_staff
            key = subject or wire_key(room_id, wire)
            return Target(room_id, wire, member.name, subject, key, staff)
        entry = room.federation.entry(wire) or {}
        return Target(
            room_id,
            wire,
            str(entry.get("name", f"#{wire}")),
            None,
            wire_key(room_id, wire),
            entry.get("badge") == "staff",
        )

    def _target_for_action(self, room_id: str, wire: int) -> Target:
        target = self.target(room_id, wire)
        if target.staff:
            raise Forbidden(
                "expo staff cannot be muted, removed or banned here; disable the account in "
                "the console if you must"
            )
        return target

    async def _audit(self, actor: Actor, action: Action, target: str, **details: object) -> None:
        if self.db is not None:
            await asyncio.to_thread(record_action, self.db, actor, action, target, **details)

    async def mute(
        self, actor: Actor, room_id: str, wire: int, minutes: int, reason: str
    ) -> Target:
        """Mute a visitor's chat and voice for ``minutes``, on every node."""
        target = self._target_for_action(room_id, wire)
        until = self.clock() + minutes * 60
        await self._audit(
            actor,
            Action.MOD_MUTE,
            target.describe(),
            subject=target.subject,
            minutes=minutes,
            reason=reason,
        )
        await self.ledger.put(TrustEntry("mute", target.key, until, reason, actor.description))
        return target

    async def unmute(self, actor: Actor, room_id: str, wire: int) -> Target:
        """Let a muted visitor chat and speak again."""
        target = self.target(room_id, wire)
        await self._audit(actor, Action.MOD_UNMUTE, target.describe(), subject=target.subject)
        for key in {target.key, wire_key(room_id, wire)}:
            if self.ledger.get("mute", key) is not None:
                await self.ledger.lift("mute", key)
        return target

    async def kick(self, actor: Actor, room_id: str, wire: int, reason: str) -> Target:
        """Close a visitor's connection with ``reason``; a rejoin within a minute is refused."""
        target = self._target_for_action(room_id, wire)
        until = self.clock() + KICK_COOLDOWN_S
        await self._audit(
            actor, Action.MOD_KICK, target.describe(), subject=target.subject, reason=reason
        )
        await self.ledger.put(TrustEntry("kick", target.key, until, reason, actor.description))
        return target

    async def ban(self, actor: Actor, room_id: str, wire: int, hours: int, reason: str) -> Target:
        """Ban a visitor's account or guest token from the hall for ``hours``, on every node."""
        target = self._target_for_action(room_id, wire)
        until = self.clock() + hours * 3600
        await self._audit(
            actor,
            Action.MOD_BAN,
            target.describe(),
            subject=target.subject,
            hours=hours,
            reason=reason,
        )
        await self.ledger.put(TrustEntry("ban", target.key, until, reason, actor.description))
        return target

    async def lift_ban(self, actor: Actor, key: str) -> None:
        """End a ban before its time."""
        if self.ledger.get("ban", key) is None:
            raise NotFound("there is no such ban in force")
        await self._audit(actor, Action.MOD_UNBAN, key)
        await self.ledger.lift("ban", key)

    async def delete(self, actor: Actor, room_id: str, ids: list[str]) -> None:
        """Remove chat lines from every client of the room on every node."""
        if room_id not in self.hub.rooms:
            raise NotFound(f"there is no room {room_id!r}")
        texts = {str(line.get("id")): line for line in self.hub.rooms[room_id].recent_chat}
        await self._audit(
            actor,
            Action.MOD_DELETE,
            f"{room_id} chat",
            lines=[
                {
                    "id": i,
                    "name": texts.get(i, {}).get("name"),
                    "text": texts.get(i, {}).get("text"),
                }
                for i in ids
            ],
        )
        until = self.clock() + DELETED_KEPT_S
        for line_id in ids:
            await self.ledger.put(
                TrustEntry("deleted", line_id, until, "", actor.description, {"room": room_id})
            )

    async def slow(self, actor: Actor, room_id: str, seconds: int) -> None:
        """Chat slow mode of a room (0: off), on every node."""
        if room_id not in self.hub.rooms:
            raise NotFound(f"there is no room {room_id!r}")
        await self._audit(actor, Action.MOD_SLOW, room_id, seconds=seconds)
        if seconds <= 0:
            if self.ledger.get("slow", room_id) is not None:
                await self.ledger.lift("slow", room_id)
            return
        until = self.clock() + SLOW_MODE_KEPT_S
        await self.ledger.put(
            TrustEntry("slow", room_id, until, "", actor.description, {"seconds": seconds})
        )

    async def report(self, session: Session, room: Room, message: msgs.Report) -> ReportView:
        """Store a visitor's report for the staff (rate-limited per visitor)."""
        reporter_key = session.identity.user_id or wire_key(
            room.id, room.state.wire_id(session.row)
        )
        self._limit_reports(reporter_key)
        target = self.target(room.id, message.target)
        line_text = None
        if message.line is not None:
            line = next((x for x in room.recent_chat if x.get("id") == message.line), None)
            if line is not None and line.get("from") != message.target:
                raise Invalid("that chat line is not this visitor's")
            line_text = None if line is None else str(line.get("text", ""))
        member = room.members.get(session.row)
        if self.db is None:
            raise Busy("reports cannot be stored on this server", 60)
        return await asyncio.to_thread(
            self._store_report,
            room=room.id,
            reporter=(member.name if member is not None else "?")[:100],
            reporter_id=session.identity.user_id,
            target_wire=target.wire,
            target_name=target.name[:100],
            target_id=target.subject,
            line_id=message.line,
            line_text=line_text,
            reason=message.reason,
        )

    def _store_report(self, **fields: Any) -> ReportView:
        assert self.db is not None
        with self.db.transaction() as db_session:
            return add_report(db_session, **fields)

    def _limit_reports(self, key: str) -> None:
        now = self.clock()
        times = self._reports.setdefault(key, deque())
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= REPORTS_PER_MINUTE:
            raise TooMany(
                f"at most {REPORTS_PER_MINUTE} reports a minute; the staff have yours", 60
            )
        times.append(now)
        if len(self._reports) > 10_000:
            for stale in [k for k, t in self._reports.items() if not t or t[-1] <= now - 60]:
                del self._reports[stale]

    # --- what staff see -----------------------------------------------------------------------

    def people(self, room_id: str) -> list[dict[str, Any]]:
        """Everyone in ``room_id`` this node knows: its own visitors (with what the ledger says
        about them) and other nodes' (by name)."""
        room = self.hub.rooms.get(room_id)
        if room is None:
            return []
        sessions = {s.row: s for s in self.sessions() if s.room is room}
        people = []
        for row, member in list(room.members.by_row.items()):
            session = sessions.get(row)
            identity = session.identity if session is not None else Identity("visitor")
            wire = room.state.wire_id(row)
            mute = next(iter(self._entries_about(session, "mute")), None) if session else None
            people.append(
                {
                    "id": wire,
                    "name": member.name,
                    "badge": member.badge,
                    "kind": "account"
                    if identity.name
                    else "guest"
                    if identity.user_id
                    else "anonymous",
                    "node": self.hub.bus.node_id,
                    "away": member.link is None,
                    "muted_until": None if mute is None else until_text(mute.until),
                }
            )
        local = {p["id"] for p in people}
        for wire, entry in list(room.federation.roster.items()):
            if wire not in local and room.state.row_of(wire) is not None:
                people.append(
                    {
                        "id": wire,
                        "name": entry.get("name"),
                        "badge": entry.get("badge"),
                        "kind": "elsewhere",
                        "node": None,
                        "away": False,
                        "muted_until": None,
                    }
                )
        return sorted(people, key=lambda p: (p["badge"] is None, str(p["name"]).casefold()))

    def recent_chat(self, room_id: str) -> list[dict[str, Any]]:
        """The room's latest chat lines this node saw, newest first, without deleted ones."""
        room = self.hub.rooms.get(room_id)
        if room is None:
            return []
        lines = [
            line
            for line in list(room.recent_chat)
            if self.ledger.get("deleted", str(line.get("id"))) is None
        ]
        return lines[::-1]

    # --- the ledger ----------------------------------------------------------------------------

    def on_entry(self, entry: TrustEntry, lifted: bool) -> None:
        """A ledger entry was written (or lifted) on some node: act on this node."""
        if entry.kind == "deleted":
            if not lifted:
                self._delete_lines(entry)
            return
        if entry.kind == "slow":
            self._tell_room(
                str(entry.key),
                msgs.notice("slow", seconds=0 if lifted else int(entry.data.get("seconds", 0))),
            )
            return
        if entry.kind == "mute":
            for session in list(self.matching(entry)):
                if lifted:
                    self._unmute(session)
                    self._follow_lift(entry, session)
                else:
                    self._apply_mute(session, entry, tell=True)
                    self._follow_person(entry, session)
            return
        if lifted or entry.kind not in ("token", "session", "account", "ban", "kick"):
            return
        for session in list(self.matching(entry)):
            if entry.kind in ("ban", "kick") and session.identity.is_staff:
                continue  # staff are never closed by a moderator's action
            if entry.kind == "ban":
                self._follow_person(entry, session)
            if entry.kind in ("ban", "kick"):
                # Until when and why, for the visitor's own words (their client's language).
                notice = msgs.notice(entry.kind, until=entry.until, reason=entry.reason)
                session.link.send_text(control.dumps(notice))
            closing = refusal(entry)
            log.info("closing a session: %s (%s)", closing.code, entry.by or "revocation")
            session.close(closing.close_code, closing.message, code=closing.code, clean=True)

    def _follow_person(self, entry: TrustEntry, session: Session) -> None:
        """A ban or mute written under a room and avatar id: write it under the visitor's
        token subject too, so it holds when they come back on a new connection."""
        subject = session.identity.user_id
        if entry.key.startswith("wire:") and subject is not None and not session.identity.is_staff:
            copy = TrustEntry(entry.kind, subject, entry.until, entry.reason, entry.by, entry.data)
            self.hub.spawn(self._put_quietly(copy))

    def _follow_lift(self, entry: TrustEntry, session: Session) -> None:
        """A mute lifted under an avatar id: lift the copy under the token's subject too."""
        subject = session.identity.user_id
        if entry.key.startswith("wire:") and subject and self.ledger.get(entry.kind, subject):
            self.hub.spawn(self._lift_quietly(entry.kind, subject))

    async def _lift_quietly(self, kind: EntryKind, key: str) -> None:
        try:
            await self.ledger.lift(kind, key)
        except RequestRefused as exc:
            log.warning("could not share lifting a %s entry: %s", kind, exc.message)

    async def _put_quietly(self, entry: TrustEntry) -> None:
        try:
            await self.ledger.put(entry)
        except RequestRefused as exc:
            log.warning("could not share a %s entry: %s", entry.kind, exc.message)

    def _apply_mute(self, session: Session, entry: TrustEntry, *, tell: bool) -> None:
        room = session.room
        if room is None or session.identity.is_staff:
            return
        left = max(0.0, entry.until - self.clock())
        room.set_chat_muted(session.row, room.clock() + left, muted_sentence(entry))
        room.set_voice_muted(session.row, True)
        if tell:
            session.link.send_text(
                control.dumps(msgs.notice("mute", until=entry.until, reason=entry.reason))
            )

    def _unmute(self, session: Session) -> None:
        room = session.room
        if room is None:
            return
        room.set_chat_muted(session.row, -math.inf, "")
        room.set_voice_muted(session.row, False)
        session.link.send_text(control.dumps(msgs.notice("unmute")))

    def _delete_lines(self, entry: TrustEntry) -> None:
        room = self.hub.rooms.get(str(entry.data.get("room", "")))
        if room is None:
            return
        kept = [line for line in room.recent_chat if line.get("id") != entry.key]
        room.recent_chat.clear()
        room.recent_chat.extend(kept)
        room.deliver(control.dumps(msgs.chat_delete([entry.key])))

    def _tell_room(self, room_id: str, message: dict[str, Any]) -> None:
        room = self.hub.rooms.get(room_id)
        if room is not None:
            room.deliver(control.dumps(message))

    def _entries_about(self, session: Session | None, kind: EntryKind) -> list[TrustEntry]:
        if session is None or session.room is None:
            return []
        keys = [wire_key(session.room.id, session.room.state.wire_id(session.row))]
        if session.identity.user_id is not None:
            keys.insert(0, session.identity.user_id)
        found = (self.ledger.get(kind, key) for key in keys)
        return [e for e in found if e is not None]

    def sessions(self) -> Iterator[Session]:
        """This node's joined sessions."""
        for session in list(self.hub.sessions):
            if isinstance(session, Session) and session.state is SessionState.JOINED:
                yield session

    def _session_at(self, room: Room, row: int) -> Session | None:
        return next((s for s in self.sessions() if s.room is room and s.row == row), None)

    def matching(self, entry: TrustEntry) -> Iterator[Session]:
        """This node's joined sessions that ``entry`` is about."""
        for session in self.sessions():
            if matches(entry, session):
                yield session


def matches(entry: TrustEntry, session: Session) -> bool:
    """Whether ``entry`` is about the visitor of ``session``."""
    ident = session.identity
    key = entry.key
    if entry.kind == "token":
        return bool(ident.token_id) and ident.token_id == key
    if entry.kind == "session":
        return bool(ident.session) and ident.session == key
    if entry.kind == "account":
        return ident.user_id == key and ident.issued < float(entry.data.get("before", 0.0))
    if ident.user_id is not None and ident.user_id == key:
        return True
    room = session.room
    return room is not None and key == wire_key(room.id, room.state.wire_id(session.row))
