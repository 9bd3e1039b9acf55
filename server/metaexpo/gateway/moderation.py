"""The hall's moderation on this node: who may join, and what the trust ledger says to do now.

One :class:`HallModeration` per node, wired by the app's lifespan. It sees
the ledger that every node shares (:mod:`metaexpo.trust.ledger`) and this
node's sessions, and so it is where revocations reach the hall:

* at every join (:meth:`admit`) the token is checked against the ledger:
  a signed-out token, a portal session signed out, an account revoked since
  the token was issued, a banned subject are refused with a reason;
* whenever an entry is written anywhere (:meth:`on_entry`, a ledger
  listener), this node closes its own matching sessions with that reason.

So a revocation on one node reaches every node's joins and open
connections within a ledger round trip (in-process: at once; Redis: one
pub/sub message).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from metaexpo.errors import SessionClosed
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.gateway.session import Session, SessionState
from metaexpo.protocol.codes import CloseCode
from metaexpo.trust.ledger import TrustEntry, TrustLedger, token_refusal, wire_key

log = logging.getLogger(__name__)


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


class HallModeration:
    """This node's gatekeeper of the hall, following the shared trust ledger."""

    def __init__(
        self, hub: SyncHub, ledger: TrustLedger, clock: Callable[[], float] = time.time
    ) -> None:
        self.hub = hub
        self.ledger = ledger
        self.clock = clock
        ledger.listen(self.on_entry)

    # --- joins ---------------------------------------------------------------------------------

    def admit(self, identity: Identity, name: str, room_id: str) -> str:
        """The name to show for a visitor about to join ``room_id``, or :class:`SessionClosed`
        if the ledger refuses their token (revoked, banned, just kicked)."""
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
        return identity.name or name

    # --- the ledger ----------------------------------------------------------------------------

    def on_entry(self, entry: TrustEntry, lifted: bool) -> None:
        """A ledger entry was written (or lifted) on some node: act on this node's sessions."""
        if lifted or entry.kind not in ("token", "session", "account", "ban", "kick"):
            return
        for session in list(self.matching(entry)):
            closing = refusal(entry)
            log.info("closing a session: %s %s (%s)", entry.kind, entry.key, closing.code)
            session.close(closing.close_code, closing.message, code=closing.code, clean=True)

    def sessions(self) -> Iterator[Session]:
        """This node's joined sessions."""
        for session in list(self.hub.sessions):
            if isinstance(session, Session) and session.state is SessionState.JOINED:
                yield session

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
