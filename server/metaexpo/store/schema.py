"""The database tables: accounts, sign-in sessions, booth ownership, booth revisions, uploads,
stored files, the audit log, the forums, visitors' reports and exhibitor reach (minute figures,
leads).

One declarative class per table, SQLAlchemy 2 typed mappings. The schema is
created and changed only by the alembic migrations in
``metaexpo/store/migrations/`` (a test checks that they agree with these
classes). Times are timezone-aware UTC everywhere (:class:`UtcDateTime`), also
on SQLite, which stores them without a zone.

Rows never point at a file that is not on disk: files are written (atomically,
fsynced) before the row naming them is committed, and files are never deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite drops the zone on the way in)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive datetimes are a programming error."""
        if value is None:
            return None
        assert value.tzinfo is not None, "store timezone-aware datetimes only"
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give the zone back to what SQLite returns naive."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


#: Constraint names that are the same on SQLite and PostgreSQL, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
    }


class User(Base):
    """An exhibitor or staff account. Visitors have no account (they get guest tokens).

    ``token_epoch`` is part of every bearer token; raising it (password change,
    disabling) makes all tokens issued before invalid at once.
    """

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    login: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    token_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class LoginSession(Base):
    """A portal sign-in held in a cookie; the cookie carries the secret, the row its SHA-256."""

    __tablename__ = "login_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Invite(Base):
    """A one-time link that lets a person create an account and takes them to their booths."""

    __tablename__ = "invites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    booths: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class BoothOwner(Base):
    """An exhibitor manages a booth slot of the catalog (assigned by staff)."""

    __tablename__ = "booth_owners"

    booth_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assigned_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime]


class StoredFile(Base):
    """A content-addressed file in ``<data-dir>/assets/objects`` and how it may be served.

    ``kind`` is ``model`` (a fitted GLB), ``original`` (an upload as sent; never
    served), ``logo``, ``poster`` or ``preview`` (a PNG render of a model).
    """

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Upload(Base):
    """One model upload and its verdict; ``state`` follows
    :class:`metaexpo.booths.states.UploadState`.

    A refused upload keeps its ``report`` (every problem) and names no file;
    an accepted one names its original, the fitted GLB and the preview.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    booth_id: Mapped[str] = mapped_column(String(48), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    bytes: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    original_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    model_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    preview_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BoothRevision(Base):
    """One version of a booth's content; ``state`` follows
    :class:`metaexpo.booths.states.RevisionState`.

    ``content`` holds the texts, links, template and colours
    (:class:`metaexpo.booths.content.BoothContent`); files are referenced by
    hash; ``screen_shas`` lists the screen's slideshow pictures in the order shown
    (:mod:`metaexpo.booths.screens`). ``number`` counts a booth's revisions from 1 (0 is the
    catalog's).
    """

    __tablename__ = "booth_revisions"
    __table_args__ = (UniqueConstraint("booth_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booth_id: Mapped[str] = mapped_column(String(48), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    upload_id: Mapped[str | None] = mapped_column(ForeignKey("uploads.id"))
    model_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    logo_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    poster_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    screen_shas: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=sa_text("'[]'")
    )
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class LiveBooth(Base):
    """Which revision of a booth the hall shows; no row: the catalog's booth (revision 0)."""

    __tablename__ = "live_booths"

    booth_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("booth_revisions.id"))
    published_at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what to what, and when. Written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(32))
    #: A booth id or a sign-in name (up to 254 characters).
    target: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- forums (docs/forums.md) -----------------------------------------------------------------


class ForumSession(Base):
    """A forum session of the agenda; ``state`` follows :class:`metaexpo.forums.states.ForumState`.

    ``title`` and ``abstract`` are ``{"zh", "en"}``; ``speakers`` is the agenda's list of
    ``{"name": {zh, en}, "title": {zh, en}}`` (who is named on the programme, not who may
    speak: that is :class:`ForumSpeaker`). ``revision`` grows with every edit (the
    calendar's SEQUENCE). A deleted session keeps its row (``deleted_at``) so the catalog
    never seeds it again.
    """

    __tablename__ = "forum_sessions"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    forum_hall: Mapped[str] = mapped_column(String(48))
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    abstract: Mapped[dict[str, Any]] = mapped_column(JSON)
    speakers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    time_zone: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    went_live_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class ForumModerator(Base):
    """An account staff named to moderate one session."""

    __tablename__ = "forum_moderators"

    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    named_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime]


class ForumSpeaker(Base):
    """A speaker of one session: a one-time invite link, then the speaker's sign-in.

    The link's secret is kept as its SHA-256 only. ``used_at`` is set when the link is
    opened (once); ``revoked_at`` ends every token issued for this speaker at once.
    """

    __tablename__ = "forum_speakers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ForumFile(Base):
    """A content-addressed file of the forums (a slide picture, a replay's audio) and its type.

    Bytes live in the same store as booth files (``<data-dir>/assets/objects``);
    rows are written after the bytes are on disk.
    """

    __tablename__ = "forum_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class ForumDeck(Base):
    """An uploaded slide deck: its pages in order, each a stored picture with its size."""

    __tablename__ = "forum_decks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    pages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]


class ForumLive(Base):
    """The live state of a session (slides, stage, hands, mics, slow mode) and its version.

    Every change is a read-modify-write of this row in one transaction, so the database
    orders changes made on different nodes; ``version`` grows by one with each.
    """

    __tablename__ = "forum_live"

    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class ForumSlideEvent(Base):
    """A slide shown during a live session, and when: the replay's timeline."""

    __tablename__ = "forum_slide_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), index=True)
    at: Mapped[datetime]
    deck_id: Mapped[str | None] = mapped_column(String(32))
    page: Mapped[int] = mapped_column(Integer)


class ForumQuestion(Base):
    """A visitor's question; ``state`` is pending, approved or hidden.

    ``author_key`` identifies the asker (guest id, account or speaker) for rate limits
    and for showing them their own question; ``author_name`` is None when they asked
    anonymously. ``votes`` counts :class:`ForumVote` rows (updated with them).
    """

    __tablename__ = "forum_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), index=True)
    author_key: Mapped[str] = mapped_column(String(80))
    author_name: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None]
    votes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ForumVote(Base):
    """One visitor's upvote of one question (at most one: the primary key)."""

    __tablename__ = "forum_votes"

    question_id: Mapped[int] = mapped_column(ForeignKey("forum_questions.id"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    at: Mapped[datetime]


class ForumReplay(Base):
    """What a session left for its replay: stage audio (Ogg Opus), slide timeline, answers.

    ``timeline`` is ``[{"at_ms", "deck", "page"}]`` from the start of the recording;
    ``questions`` the answered questions with when they were answered.
    """

    __tablename__ = "forum_replays"

    session_id: Mapped[str] = mapped_column(ForeignKey("forum_sessions.id"), primary_key=True)
    audio_sha: Mapped[str | None] = mapped_column(ForeignKey("forum_files.sha256"))
    duration_ms: Mapped[int] = mapped_column(Integer)
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    node: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


# --- live moderation (docs/moderation.md) ----------------------------------------------------


class Report(Base):
    """A visitor reported a person (or one of their chat lines) in the hall, for staff to see.

    Names and the line's text are copied as they were: the visitor may have
    left, the line may be deleted. ``target_id`` is the reported visitor's
    token subject (account or guest id) when the reporter's node knew it.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    room: Mapped[str] = mapped_column(String(64))
    reporter: Mapped[str] = mapped_column(String(100))
    reporter_id: Mapped[str | None] = mapped_column(String(64))
    target_wire: Mapped[int] = mapped_column(Integer)
    target_name: Mapped[str] = mapped_column(String(100))
    target_id: Mapped[str | None] = mapped_column(String(64))
    line_id: Mapped[str | None] = mapped_column(String(80))
    line_text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(300))
    #: ``open`` until a staff member closes it (``closed``), saying what was done.
    state: Mapped[str] = mapped_column(String(16), index=True)
    closed_by: Mapped[str | None] = mapped_column(String(300))
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(300))


# --- exhibitor reach (docs/analytics.md) ---------------------------------------------------------
#
# Minute figures are written by each server run (``run``: the node's id and a start-up nonce) as
# whole rows, again while the minute lasts: the key (run, minute, kind, area) makes every write
# idempotent, and a restarted node is a new run, so nothing is counted twice. Unique visitors are
# (kind, area, minute, visitor) rows inserted if absent, so nodes that saw the same visitor store
# them once. No position, path or time of any one visitor is stored; heatmaps hold sums per cell.


class ReachMinute(Base):
    """One area's figures in one minute, as counted by one server run."""

    __tablename__ = "reach_minutes"
    __table_args__ = (Index("ix_reach_minutes_area", "kind", "area", "minute"),)

    run: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: Minutes since 1970-01-01T00:00Z.
    minute: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    #: ``booth``, ``zone`` or ``forum`` (a forum session).
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall: Mapped[str] = mapped_column(String(64))
    visits: Mapped[int] = mapped_column(Integer)
    dwell_s: Mapped[float] = mapped_column(Float)
    occupancy_s: Mapped[float] = mapped_column(Float)
    peak: Mapped[int] = mapped_column(Integer)
    panel_opens: Mapped[int] = mapped_column(Integer)
    link_clicks: Mapped[int] = mapped_column(Integer)
    #: Finished visits by length (bins of metaexpo.analytics.definitions.DWELL_EDGES_S).
    dwell_hist: Mapped[list[int]] = mapped_column(JSON)


class ReachVisitor(Base):
    """A visitor (by key, never by name) who began a visit to an area in a minute."""

    __tablename__ = "reach_visitors"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    visitor: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class ReachFlow(Base):
    """Visitors whose visit to zone ``to_zone`` followed one to ``from_zone``, in a minute."""

    __tablename__ = "reach_flows"

    run: Mapped[str] = mapped_column(String(120), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    from_zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    to_zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    visitors: Mapped[int] = mapped_column(Integer)


class ReachHeat(Base):
    """A hall's occupancy heatmap of one minute and run: tenths of visitor-seconds per cell."""

    __tablename__ = "reach_heat"

    run: Mapped[str] = mapped_column(String(120), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    hall: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The grid: origin, cell size and shape (a grid that no longer fits the hall is skipped).
    x0: Mapped[float] = mapped_column(Float)
    z0: Mapped[float] = mapped_column(Float)
    cell: Mapped[float] = mapped_column(Float)
    columns: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    #: zlib of little-endian u32 per cell (metaexpo.analytics.heat.pack).
    cells: Mapped[bytes] = mapped_column(LargeBinary)


class Lead(Base):
    """A business card a visitor left at a booth, with the consent they gave.

    At most one per visitor and booth (a new card replaces the old). The
    visitor withdraws it with a secret only their browser holds (kept here as
    its SHA-256); withdrawing, staff erasure and retention delete the row.
    """

    __tablename__ = "leads"
    __table_args__ = (UniqueConstraint("booth_id", "visitor"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    booth_id: Mapped[str] = mapped_column(String(48), index=True)
    visitor: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    message: Mapped[str] = mapped_column(Text)
    #: The language the consent was shown in, and its exact words.
    lang: Mapped[str] = mapped_column(String(2))
    consent: Mapped[str] = mapped_column(Text)
    withdraw_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class QuietPlace(Base):
    """Staff's voice-free places of one room (docs/protocol.md, "Media"): the hall, or named areas.

    One row per room, replaced whole by each change. Every node loads them when it starts,
    so a node started after the change, and the whole expo after a restart, keep them.
    """

    __tablename__ = "quiet_places"

    room: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall: Mapped[bool] = mapped_column(Boolean)
    #: name → [x0, x1, z0, z1] (metres).
    zones: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(300))
