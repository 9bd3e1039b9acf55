"""Slide decks of a session: who may upload, rendering away from the event loop, the rows.

The request body is streamed to a temporary file under ``--slides-max-bytes``
by the HTTP layer; :meth:`Decks.add` renders it in a worker process (the
server's upload workers) and, if every page rendered, records the deck with
its pages in one transaction with the audit entry. A refused file is
recorded in the audit log too, and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from metaexpo.errors import Conflict, Invalid
from metaexpo.forums.agenda import live_row
from metaexpo.forums.files import ForumFileKind, file_url, register
from metaexpo.forums.ports import Workers
from metaexpo.forums.roles import Actor
from metaexpo.forums.slides import SlideLimits, SlideOutcome, process_slides
from metaexpo.forums.states import ForumState
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.ids import new_id
from metaexpo.store.schema import ForumDeck, utcnow

MAX_FILENAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class DeckView:
    """A deck and its pages' URLs."""

    id: str
    session_id: str
    filename: str
    pages: list[dict[str, Any]]
    created_at: str

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "id": self.id,
            "session": self.session_id,
            "filename": self.filename,
            "count": len(self.pages),
            "pages": [
                {
                    "page": n,
                    "url": file_url(ForumFileKind.SLIDE, page["sha256"]),
                    "width": page["width"],
                    "height": page["height"],
                }
                for n, page in enumerate(self.pages, 1)
            ],
            "created_at": self.created_at,
        }


def _view(row: ForumDeck) -> DeckView:
    return DeckView(
        row.id, row.session_id, row.filename, list(row.pages), row.created_at.isoformat()
    )


def check_deck_name(filename: str) -> str:
    """The uploader's file name (for people to tell decks apart); :class:`Invalid` if unusable."""
    name = filename.strip()
    if not name or len(name) > MAX_FILENAME_CHARS or any(ord(c) < 32 for c in name):
        message = "name the file you upload (1 to 255 characters), e.g. talk.pdf"
        raise Invalid(
            message, [{"code": "bad_file_name", "message": message, "where": "name", "limit": None}]
        )
    return name


class Decks:
    """Slide decks: render, store, list."""

    def __init__(
        self,
        db: Database,
        store_root: Path,
        limits: SlideLimits,
        workers: Workers,
    ) -> None:
        self.db = db
        self.store_root = store_root
        self.limits = limits
        self.workers = workers

    def decks(self, session_id: str) -> list[DeckView]:
        """The session's decks, oldest first."""
        with self.db.reading() as session:
            live_row(session, session_id)
            rows = session.scalars(
                select(ForumDeck)
                .where(ForumDeck.session_id == session_id)
                .order_by(ForumDeck.created_at, ForumDeck.id)
            )
            return [_view(row) for row in rows]

    def check_open(self, session_id: str) -> None:
        """:class:`Conflict` if the session takes no more slides (it ended)."""
        with self.db.reading() as session:
            forum = live_row(session, session_id)
            if forum.state in (ForumState.ENDED, ForumState.REPLAY):
                raise Conflict(f"session {session_id!r} has ended; it takes no more slides")

    async def add(self, actor: Actor, session_id: str, path: Path, filename: str) -> DeckView:
        """Render and keep the deck at ``path``; :class:`Invalid` with the problem if refused."""
        outcome = await self.workers.run(process_slides, path, self.store_root, self.limits)
        if not outcome.accepted:
            await asyncio.to_thread(self._refused, actor, session_id, filename, outcome)
            assert outcome.problem is not None
            raise Invalid(
                f"the slides were refused: {outcome.problem['message']}", [outcome.problem]
            )
        return await asyncio.to_thread(self._accepted, actor, session_id, filename, outcome)

    def _refused(self, actor: Actor, session_id: str, filename: str, outcome: SlideOutcome) -> None:
        with self.db.transaction() as session:
            assert outcome.problem is not None
            record(
                session,
                actor.describe(),
                Action.FORUM_SLIDES_REFUSED,
                session_id,
                filename=filename,
                problem=outcome.problem["code"],
            )

    def _accepted(
        self, actor: Actor, session_id: str, filename: str, outcome: SlideOutcome
    ) -> DeckView:
        with self.db.transaction() as session:
            live_row(session, session_id)
            for page in outcome.pages:
                register(session, page.sha256, ForumFileKind.SLIDE, page.bytes)
            row = ForumDeck(
                id=new_id(),
                session_id=session_id,
                filename=filename,
                pages=[page.to_json() for page in outcome.pages],
                uploaded_by=actor.describe(),
                created_at=utcnow(),
            )
            session.add(row)
            record(
                session,
                actor.describe(),
                Action.FORUM_SLIDES_ADDED,
                session_id,
                deck=row.id,
                filename=filename,
                pages=len(outcome.pages),
            )
            return _view(row)
