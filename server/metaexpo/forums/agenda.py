"""The agenda: forum sessions as visitors and staff see them, and how staff change them.

Sessions are rows of ``forum_sessions`` (seeded once from the catalog by
:mod:`metaexpo.forums.seed`, then edited by staff). Times are stored in UTC
with the IANA time zone they were planned in, so the agenda can show local
times and the calendar files carry exact instants. Only a SCHEDULED session
can be edited or deleted; a deleted session keeps a tombstone so the catalog
never brings it back.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.forums.roles import Actor
from metaexpo.forums.states import ForumState
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import ForumSession, utcnow

#: Session ids: the catalog's slugs.
SESSION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")
#: Longest title and abstract (characters, each language).
MAX_TITLE_CHARS = 200
MAX_ABSTRACT_CHARS = 2000
#: Longest session: a forum day.
MAX_DURATION = timedelta(hours=12)


def _clean(value: str, limit: int, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(f"{what} is empty")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long; at most {limit} fit")
    if any(ord(ch) < 32 for ch in text):
        raise ValueError(f"{what} contains a control character; write it on one line")
    return text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Model):
    """A text in Chinese and English (both required)."""

    zh: str
    en: str

    @field_validator("zh", "en")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _clean(value, MAX_ABSTRACT_CHARS, "the text")


class SpeakerLine(_Model):
    """A speaker named on the agenda."""

    name: Bilingual
    title: Bilingual


class SessionDraft(_Model):
    """What staff send to create or change a session (JSON API and console forms).

    ``starts_at``/``ends_at`` are instants with their UTC offset (ISO 8601,
    e.g. ``2025-11-20T09:30:00+08:00``); ``time_zone`` is where the session is
    planned and how the agenda shows it.
    """

    id: Annotated[str, Field(pattern=SESSION_ID.pattern)] | None = None
    forum_hall: Annotated[str, Field(min_length=2, max_length=48)]
    title: Bilingual
    abstract: Bilingual
    speakers: Annotated[list[SpeakerLine], Field(max_length=12)] = Field(default_factory=list)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] = "Asia/Shanghai"

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: Bilingual) -> Bilingual:
        for text in (value.zh, value.en):
            _clean(text, MAX_TITLE_CHARS, "the title")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a time zone; use an IANA name such as Asia/Shanghai"
            ) from None
        return value


def check_draft(draft: SessionDraft, forum_halls: Collection[str]) -> None:
    """:class:`Invalid` listing every problem of a draft that validated field by field."""
    problems: list[dict[str, Any]] = []

    def problem(where: str, message: str) -> None:
        problems.append({"code": "bad_session", "message": message, "where": where, "limit": None})

    if draft.forum_hall not in forum_halls:
        problem(
            "forum_hall",
            f"no forum hall {draft.forum_hall!r}; the expo has {', '.join(sorted(forum_halls))}",
        )
    if draft.ends_at <= draft.starts_at:
        problem("ends_at", "the session must end after it starts")
    elif draft.ends_at - draft.starts_at > MAX_DURATION:
        problem("ends_at", "a session lasts at most 12 hours")
    if problems:
        raise Invalid(problems[0]["message"], problems)


def parse_draft(data: dict[str, Any], forum_halls: Collection[str]) -> SessionDraft:
    """A checked draft from JSON-like data; :class:`Invalid` with every problem otherwise."""
    try:
        draft = SessionDraft.model_validate(data)
    except ValidationError as exc:
        problems = [
            {
                "code": "bad_session",
                "message": str(err["msg"]).removeprefix("Value error, "),
                "where": ".".join(str(p) for p in err["loc"]) or "session",
                "limit": None,
            }
            for err in exc.errors(include_url=False)
        ]
        raise Invalid(f"the session cannot be saved: {problems[0]['message']}", problems) from None
    check_draft(draft, forum_halls)
    return draft


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session of the agenda as the API shows it."""

    id: str
    forum_hall: str
    title: dict[str, str]
    abstract: dict[str, str]
    speakers: list[dict[str, Any]]
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    state: str
    revision: int
    went_live_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime

    @property
    def local_start(self) -> datetime:
        """The start in the session's own time zone."""
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    @property
    def local_end(self) -> datetime:
        """The end in the session's own time zone."""
        return self.ends_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def to_json(self) -> dict[str, Any]:
        """The API shape: instants in UTC (ISO 8601 with Z) and the local times beside them."""
        return {
            "id": self.id,
            "forum_hall": self.forum_hall,
            "title": self.title,
            "abstract": self.abstract,
            "speakers": self.speakers,
            "starts_at": _iso(self.starts_at),
            "ends_at": _iso(self.ends_at),
            "time_zone": self.time_zone,
            "local": {
                "starts": self.local_start.isoformat(timespec="minutes"),
                "ends": self.local_end.isoformat(timespec="minutes"),
            },
            "state": self.state,
            "revision": self.revision,
            "went_live_at": _iso(self.went_live_at),
            "ended_at": _iso(self.ended_at),
            "calendar": f"/api/forums/sessions/{self.id}.ics",
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def session_view(row: ForumSession) -> SessionView:
    """The view of one row."""
    return SessionView(
        id=row.id,
        forum_hall=row.forum_hall,
        title=dict(row.title),
        abstract=dict(row.abstract),
        speakers=list(row.speakers),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        time_zone=row.time_zone,
        state=row.state,
        revision=row.revision,
        went_live_at=row.went_live_at,
        ended_at=row.ended_at,
        updated_at=row.updated_at,
    )


def live_row(session: Session, session_id: str) -> ForumSession:
    """The session's row (not deleted); :class:`NotFound` otherwise."""
    row = session.get(ForumSession, session_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f"there is no forum session {session_id!r}")
    return row


def _slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return base if len(base) >= 2 else "session"


class Agenda:
    """Reading and editing the agenda (staff only for changes; checked by the caller's role)."""

    def __init__(self, db: Database, forum_halls: Collection[str]) -> None:
        self.db = db
        self.forum_halls = frozenset(forum_halls)

    def sessions(self) -> list[SessionView]:
        """Every session that is not deleted, in order of start."""
        with self.db.reading() as session:
            rows = session.scalars(
                select(ForumSession)
                .where(ForumSession.deleted_at.is_(None))
                .order_by(ForumSession.starts_at, ForumSession.id)
            )
            return [session_view(row) for row in rows]

    def get(self, session_id: str) -> SessionView:
        """One session; :class:`NotFound` if there is none."""
        with self.db.reading() as session:
            return session_view(live_row(session, session_id))

    def create(self, actor: Actor, draft: SessionDraft) -> SessionView:
        """A new SCHEDULED session (its id from the draft, or made from the English title)."""
        check_draft(draft, self.forum_halls)
        with self.db.transaction() as session:
            session_id = draft.id or self._free_id(session, _slug(draft.title.en))
            if session.get(ForumSession, session_id) is not None:
                raise Conflict(
                    f"the id {session_id!r} is taken (perhaps by a deleted session); pick another"
                )
            now = utcnow()
            row = ForumSession(
                id=session_id,
                forum_hall=draft.forum_hall,
                title=draft.title.model_dump(),
                abstract=draft.abstract.model_dump(),
                speakers=[s.model_dump() for s in draft.speakers],
                starts_at=draft.starts_at,
                ends_at=draft.ends_at,
                time_zone=draft.time_zone,
                state=str(ForumState.SCHEDULED),
                source="staff",
                revision=0,
                created_at=now,
                updated_at=now,
                went_live_at=None,
                ended_at=None,
                deleted_at=None,
            )
            session.add(row)
            record(session, actor.describe(), Action.FORUM_CREATED, session_id)
            return session_view(row)

    @staticmethod
    def _free_id(session: Session, base: str) -> str:
        candidate, n = base, 1
        while session.get(ForumSession, candidate) is not None:
            n += 1
            candidate = f"{base[:44]}-{n}"
        return candidate

    def update(self, actor: Actor, session_id: str, draft: SessionDraft) -> SessionView:
        """Change a SCHEDULED session's texts, hall or times (its id stays)."""
        check_draft(draft, self.forum_halls)
        with self.db.transaction() as session:
            row = live_row(session, session_id)
            if row.state != ForumState.SCHEDULED:
                raise Conflict(
                    f"session {session_id!r} is {row.state}; only a scheduled session can change"
                )
            row.forum_hall = draft.forum_hall
            row.title = draft.title.model_dump()
            row.abstract = draft.abstract.model_dump()
            row.speakers = [s.model_dump() for s in draft.speakers]
            row.starts_at = draft.starts_at
            row.ends_at = draft.ends_at
            row.time_zone = draft.time_zone
            row.revision += 1
            row.updated_at = utcnow()
            record(session, actor.describe(), Action.FORUM_EDITED, session_id)
            return session_view(row)

    def delete(self, actor: Actor, session_id: str) -> None:
        """Take a SCHEDULED session off the agenda (its id stays taken)."""
        with self.db.transaction() as session:
            row = live_row(session, session_id)
            if row.state != ForumState.SCHEDULED:
                raise Conflict(
                    f"session {session_id!r} is {row.state}; only a scheduled session can be "
                    "deleted"
                )
            row.deleted_at = row.updated_at = utcnow()
            row.revision += 1
            record(session, actor.describe(), Action.FORUM_DELETED, session_id)
