"""Live state in the database: every change one transaction, so every node agrees on the order.

A change reads the session's ``forum_live`` row (locked for the transaction:
``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite), applies a
pure rule of :mod:`metaexpo.forums.live`, bumps the version and writes it
back, all or nothing. Nodes then apply the newest version they hear of (on
the bus, or when they look again), so two moderators on two nodes can never
leave the hall with two different slides on the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.forums.agenda import live_row
from metaexpo.forums.files import ForumFileKind, file_url
from metaexpo.forums.live import LiveState
from metaexpo.forums.states import ForumState
from metaexpo.store import Database
from metaexpo.store.schema import ForumDeck, ForumLive, ForumSession, utcnow


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One version of a session's live state, and where the session takes place."""

    session_id: str
    forum_hall: str
    version: int
    live: LiveState
    went_live_at: datetime | None = None


#: A change: (current state, the session's row, the open transaction) → new state.
Change = Callable[[LiveState, ForumSession, Session], LiveState]


def deck_pages(session: Session, session_id: str) -> dict[str, list[str]]:
    """Every slide deck of a session (oldest first) with its pages' URLs."""
    decks = session.scalars(
        select(ForumDeck)
        .where(ForumDeck.session_id == session_id)
        .order_by(ForumDeck.created_at, ForumDeck.id)
    )
    return {
        deck.id: [file_url(ForumFileKind.SLIDE, page["sha256"]) for page in deck.pages]
        for deck in decks
    }


def _snapshot(forum: ForumSession, row: ForumLive | None) -> Snapshot:
    if row is None:
        return Snapshot(forum.id, forum.forum_hall, 0, LiveState(state=forum.state))
    live = LiveState.from_json(row.state)
    return Snapshot(forum.id, forum.forum_hall, row.version, live, forum.went_live_at)


class LiveStore:
    """Reads and changes the live state of sessions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, session_id: str) -> Snapshot:
        """The newest version of a session's live state; :class:`NotFound` if no session."""
        with self.db.reading() as session:
            forum = live_row(session, session_id)
            return _snapshot(forum, session.get(ForumLive, session_id))

    def load_live(self) -> list[Snapshot]:
        """Every session that is live now."""
        with self.db.reading() as session:
            rows = session.execute(
                select(ForumSession, ForumLive)
                .outerjoin(ForumLive, ForumLive.session_id == ForumSession.id)
                .where(
                    ForumSession.state == str(ForumState.LIVE),
                    ForumSession.deleted_at.is_(None),
                )
            )
            return [_snapshot(forum, live) for forum, live in rows]

    def versions(self, session_ids: list[str]) -> dict[str, int]:
        """The current version of each of these sessions (0: never changed)."""
        with self.db.reading() as session:
            rows = session.execute(
                select(ForumLive.session_id, ForumLive.version).where(
                    ForumLive.session_id.in_(session_ids)
                )
            )
            found = {sid: int(version) for sid, version in rows}
        return {sid: found.get(sid, 0) for sid in session_ids}

    def ended_without_replay(self, older_than: datetime) -> list[str]:
        """Sessions that ended before ``older_than`` and have no replay yet."""
        with self.db.reading() as session:
            return list(
                session.scalars(
                    select(ForumSession.id).where(
                        ForumSession.state == str(ForumState.ENDED),
                        ForumSession.ended_at < older_than,
                        ForumSession.deleted_at.is_(None),
                    )
                )
            )

    def change(self, session_id: str, change: Change) -> Snapshot:
        """Apply ``change`` to the session's live state in one transaction; the new version.

        Whatever ``change`` raises (a refusal) rolls everything back.
        """
        with self.db.transaction() as session:
            forum = live_row(session, session_id)
            row = session.get(ForumLive, session_id, with_for_update=True)
            current = LiveState.from_json(row.state) if row else LiveState(state=forum.state)
            new = change(current, forum, session)
            now = utcnow()
            if row is None:
                row = ForumLive(
                    session_id=session_id, version=1, state=new.to_json(), updated_at=now
                )
                session.add(row)
            else:
                row.version += 1
                row.state = new.to_json()
                row.updated_at = now
            return Snapshot(forum.id, forum.forum_hall, row.version, new, forum.went_live_at)
