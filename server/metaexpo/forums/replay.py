"""Replays: what a session leaves behind — stage audio, the slide timeline, answered questions.

Stored once per session by the node that ended it (idempotent: a second node,
or a retry, finds the row and stops). Times in the timeline and in the
questions are milliseconds from the moment the session went live, which is
where the audio starts, so a player turns the slides at the right moments.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from metaexpo.errors import NotFound
from metaexpo.forums.agenda import live_row
from metaexpo.forums.files import ForumFileKind, file_url, register
from metaexpo.forums.states import ForumState
from metaexpo.models import store_blob
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import (
    ForumDeck,
    ForumFile,
    ForumQuestion,
    ForumReplay,
    ForumSlideEvent,
    utcnow,
)


def _ms(moment: datetime, start: datetime) -> int:
    return max(0, int((moment - start).total_seconds() * 1000))


class Replays:
    """Stores and shows replays."""

    def __init__(self, db: Database, store_root: Path) -> None:
        self.db = db
        self.store_root = store_root

    def store(self, session_id: str, audio: Path | None, duration_ms: int, node: str) -> bool:
        """Keep the session's replay (blocking: a worker thread); False if one was kept already.

        The audio file is stored content-addressed before its row is written.
        """
        sha = size = None
        if audio is not None:
            size = audio.stat().st_size
            sha = store_blob(self.store_root, audio)
        with self.db.transaction() as session:
            forum = live_row(session, session_id)
            if session.get(ForumReplay, session_id) is not None:
                return False
            if sha is not None and size is not None:
                register(session, sha, ForumFileKind.AUDIO, size)
            start = forum.went_live_at or forum.starts_at
            end = forum.ended_at or utcnow()
            timeline = [
                {"at_ms": _ms(event.at, start), "deck": event.deck_id, "page": event.page}
                for event in session.scalars(
                    select(ForumSlideEvent)
                    .where(ForumSlideEvent.session_id == session_id)
                    .order_by(ForumSlideEvent.at, ForumSlideEvent.id)
                )
            ]
            answered = [
                {
                    "id": q.id,
                    "text": q.text,
                    "name": q.author_name,
                    "votes": q.votes,
                    "at_ms": _ms(q.answered_at, start) if q.answered_at else None,
                }
                for q in session.scalars(
                    select(ForumQuestion)
                    .where(
                        ForumQuestion.session_id == session_id,
                        ForumQuestion.answered_at.is_not(None),
                    )
                    .order_by(ForumQuestion.answered_at, ForumQuestion.id)
                )
            ]
            session.add(
                ForumReplay(
                    session_id=session_id,
                    audio_sha=sha,
                    duration_ms=duration_ms if sha else _ms(end, start),
                    timeline=timeline,
                    questions=answered,
                    started_at=start,
                    ended_at=end,
                    node=node,
                    created_at=utcnow(),
                )
            )
            record(
                session,
                f"node {node}",
                Action.FORUM_REPLAY,
                session_id,
                audio=sha,
                slides=len(timeline),
                answered=len(answered),
            )
            return True

    def view(self, session_id: str) -> dict[str, Any]:
        """The replay of a session for players; :class:`NotFound` until there is one."""
        with self.db.reading() as session:
            forum = live_row(session, session_id)
            replay = session.get(ForumReplay, session_id)
            if replay is None or forum.state != ForumState.REPLAY:
                raise NotFound(f"session {session_id!r} has no replay (yet)")
            decks = {
                deck.id: [page["sha256"] for page in deck.pages]
                for deck in session.scalars(
                    select(ForumDeck).where(ForumDeck.session_id == session_id)
                )
            }
            audio = session.get(ForumFile, replay.audio_sha) if replay.audio_sha else None
        timeline = []
        for event in replay.timeline:
            pages = decks.get(event["deck"] or "", [])
            page = int(event["page"])
            url = file_url(ForumFileKind.SLIDE, pages[page - 1]) if 0 < page <= len(pages) else None
            timeline.append({**event, "url": url})
        return {
            "session": session_id,
            "audio": None
            if audio is None
            else {
                "url": file_url(ForumFileKind.AUDIO, audio.sha256),
                "media_type": audio.media_type,
                "bytes": audio.bytes,
            },
            "duration_ms": replay.duration_ms,
            "started_at": replay.started_at.isoformat(),
            "ended_at": replay.ended_at.isoformat(),
            "timeline": timeline,
            "questions": replay.questions,
        }
