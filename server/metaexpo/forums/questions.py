"""Questions and answers: visitors ask and upvote, moderators approve, hide, pin, mark answered.

A question is text only: checked like a chat line (length, no control or
bidi-override characters), stored as sent and always shown as text (the
console's templates escape it; clients must set ``textContent``). It reaches
the audience once a moderator approves it; the asker sees their own at once.
Questions and votes are rows in the database, so every node sees them and a
restart keeps them; a visitor upvotes a question once (the vote's key).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.forums.agenda import live_row
from metaexpo.forums.states import ForumState
from metaexpo.protocol.control import check_display_text
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import ForumQuestion, ForumVote, utcnow

#: How many questions the audience sees (best first).
TOP_QUESTIONS = 10
#: How many questions moderators see at once (newest first beyond that).
QUEUE_QUESTIONS = 300


class QuestionState(StrEnum):
    """Where a question is."""

    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as the API and the socket show it."""

    id: int
    session_id: str
    text: str
    name: str | None
    state: str
    pinned: bool
    answered: bool
    votes: int
    created_at: datetime
    answered_at: datetime | None

    def public(self) -> dict[str, Any]:
        """What the audience sees."""
        return {
            "id": self.id,
            "text": self.text,
            "name": self.name,
            "votes": self.votes,
            "pinned": self.pinned,
            "answered": self.answered,
        }

    def full(self) -> dict[str, Any]:
        """What moderators see."""
        return {**self.public(), "state": self.state, "at": self.created_at.isoformat()}


def _view(row: ForumQuestion) -> QuestionView:
    return QuestionView(
        id=row.id,
        session_id=row.session_id,
        text=row.text,
        name=row.author_name,
        state=row.state,
        pinned=row.pinned,
        answered=row.answered_at is not None,
        votes=row.votes,
        created_at=row.created_at,
        answered_at=row.answered_at,
    )


class Bucket:
    """A token bucket per key (``burst`` at once, ``per_minute`` sustained), in memory.

    Per node: a visitor talks to one node, so their limits are counted there.
    """

    def __init__(
        self,
        burst: float,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str, min_gap_s: float = 0.0) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds to wait.

        ``min_gap_s`` also spaces two takes at least that far apart (slow mode).
        """
        now = self._clock()
        tokens, last = self._state.get(key, (self.burst, -math.inf))
        tokens = min(self.burst, tokens + (now - last) * self.rate) if last > -math.inf else tokens
        gap = last + min_gap_s - now
        if gap > 0:
            return gap
        if tokens < 1.0:
            return (1.0 - tokens) / self.rate
        if len(self._state) >= self._max_keys and key not in self._state:
            self._state.clear()  # a flood of distinct keys: forget, rather than grow
        self._state[key] = (tokens - 1.0, now)
        return 0.0


def clean_question(text: str, max_chars: int) -> str:
    """The question as stored; :class:`Invalid` for empty, too long or control characters."""
    try:
        return check_display_text(text, what="the question", max_chars=max_chars)
    except ValueError as exc:
        raise Invalid(str(exc)) from None


class Questions:
    """The Q&A of every session, in the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ask(
        self, session_id: str, author_key: str, author_name: str | None, text: str
    ) -> QuestionView:
        """Store a new PENDING question (before and during the session)."""
        with self.db.transaction() as session:
            forum = live_row(session, session_id)
            if forum.state not in (ForumState.SCHEDULED, ForumState.LIVE):
                raise Conflict(f"session {session_id!r} has ended; it takes no more questions")
            now = utcnow()
            row = ForumQuestion(
                session_id=session_id,
                author_key=author_key,
                author_name=author_name,
                text=text,
                state=str(QuestionState.PENDING),
                pinned=False,
                answered_at=None,
                votes=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _view(row)

    def vote(self, session_id: str, question_id: int, voter_key: str) -> QuestionView:
        """Add ``voter_key``'s upvote; :class:`Conflict` if they voted for it already."""
        try:
            with self.db.transaction() as session:
                row = session.get(ForumQuestion, question_id)
                if row is None or row.session_id != session_id or row.state != "approved":
                    raise NotFound(f"session {session_id!r} shows no question {question_id}")
                if session.get(ForumVote, (question_id, voter_key)) is not None:
                    raise Conflict("you upvoted this question already")
                session.add(ForumVote(question_id=question_id, voter_key=voter_key, at=utcnow()))
                session.flush()
                session.execute(
                    update(ForumQuestion)
                    .where(ForumQuestion.id == question_id)
                    .values(votes=ForumQuestion.votes + 1, updated_at=utcnow())
                )
                session.refresh(row)
                return _view(row)
        except IntegrityError:
            # The same visitor voting twice at the same moment (e.g. through two nodes).
            raise Conflict("you upvoted this question already") from None

    def moderate(
        self, actor_name: str, session_id: str, question_id: int, action: str
    ) -> QuestionView:
        """Approve, hide, pin, unpin or mark answered (recorded in the audit log)."""
        with self.db.transaction() as session:
            row = session.get(ForumQuestion, question_id)
            if row is None or row.session_id != session_id:
                raise NotFound(f"session {session_id!r} has no question {question_id}")
            now = utcnow()
            if action == "approve":
                row.state = str(QuestionState.APPROVED)
            elif action == "hide":
                row.state = str(QuestionState.HIDDEN)
                row.pinned = False
            elif action in ("pin", "unpin", "answered"):
                if row.state != QuestionState.APPROVED:
                    raise Conflict(f"approve question {question_id} first")
                if action == "answered":
                    row.answered_at = row.answered_at or now
                    row.pinned = False
                else:
                    row.pinned = action == "pin"
            else:
                raise Invalid(f"unknown moderation action {action!r}")
            row.updated_at = now
            record(
                session,
                actor_name,
                Action.FORUM_QUESTION_MODERATED,
                session_id,
                question=question_id,
                decision=action,
            )
            return _view(row)

    def top(self, session_id: str, limit: int = TOP_QUESTIONS) -> list[QuestionView]:
        """Approved questions not answered yet: pinned first, then most votes, then oldest."""
        with self.db.reading() as session:
            rows = session.scalars(
                select(ForumQuestion)
                .where(
                    ForumQuestion.session_id == session_id,
                    ForumQuestion.state == str(QuestionState.APPROVED),
                    ForumQuestion.answered_at.is_(None),
                )
                .order_by(ForumQuestion.pinned.desc(), ForumQuestion.votes.desc(), ForumQuestion.id)
                .limit(limit)
            )
            return [_view(row) for row in rows]

    def queue(self, session_id: str, limit: int = QUEUE_QUESTIONS) -> list[QuestionView]:
        """Every question of the session for moderators, newest first."""
        with self.db.reading() as session:
            rows = session.scalars(
                select(ForumQuestion)
                .where(ForumQuestion.session_id == session_id)
                .order_by(ForumQuestion.id.desc())
                .limit(limit)
            )
            return [_view(row) for row in rows]

    def answered(self, session_id: str) -> list[QuestionView]:
        """The answered questions, in the order they were answered (for the replay)."""
        with self.db.reading() as session:
            rows = session.scalars(
                select(ForumQuestion)
                .where(
                    ForumQuestion.session_id == session_id,
                    ForumQuestion.answered_at.is_not(None),
                )
                .order_by(ForumQuestion.answered_at, ForumQuestion.id)
            )
            return [_view(row) for row in rows]

    def count(self, session_id: str) -> int:
        """How many questions the session has (any state)."""
        with self.db.reading() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(ForumQuestion)
                    .where(ForumQuestion.session_id == session_id)
                )
                or 0
            )
