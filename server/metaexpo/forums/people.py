"""The people of a session: moderators (accounts staff name), speakers (one-time links) and the
roles everyone has in it.

A speaker needs no account: staff invite them to one session with a link
that works once. Opening it signs the speaker in with a ``speaker`` token
(subject ``speaker-<id>``), good for the JSON API (slides) and for joining
the hall, and valid only in that session. Revoking the speaker ends every
token at once: forum actions check the speaker's row, not only the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.forums.agenda import live_row
from metaexpo.forums.roles import SPEAKER_SUBJECT_PREFIX, Actor, ForumRole
from metaexpo.forums.states import ForumState
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.ids import new_id, new_secret, secret_hash
from metaexpo.store.schema import ForumModerator, ForumSession, ForumSpeaker, User, utcnow
from metaexpo.tokens import IssuedToken, TokenSigner

#: Longest speaker name.
MAX_NAME_CHARS = 100


@dataclass(frozen=True, slots=True)
class ModeratorView:
    """A moderator of a session."""

    login: str
    display_name: str
    named_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "login": self.login,
            "display_name": self.display_name,
            "named_at": self.named_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class SpeakerView:
    """A speaker of a session (never with the link's secret)."""

    id: str
    session_id: str
    display_name: str
    expires_at: datetime
    signed_in: bool
    revoked: bool

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "id": self.id,
            "session": self.session_id,
            "display_name": self.display_name,
            "expires_at": self.expires_at.isoformat(),
            "signed_in": self.signed_in,
            "revoked": self.revoked,
        }


def _speaker_view(row: ForumSpeaker) -> SpeakerView:
    return SpeakerView(
        id=row.id,
        session_id=row.session_id,
        display_name=row.display_name,
        expires_at=row.expires_at,
        signed_in=row.used_at is not None,
        revoked=row.revoked_at is not None,
    )


@dataclass(frozen=True, slots=True)
class SpeakerSignIn:
    """What opening a speaker link gives: the token and the session it is for."""

    token: IssuedToken
    speaker: SpeakerView


def speaker_subject(speaker_id: str) -> str:
    """The token subject of a speaker."""
    return f"{SPEAKER_SUBJECT_PREFIX}{speaker_id}"


def roles_in(session: Session, session_id: str, actor: Actor) -> frozenset[ForumRole]:
    """Every role ``actor`` has in the session, from the database (audience always)."""
    roles = {ForumRole.AUDIENCE}
    if actor.is_staff:
        roles.add(ForumRole.STAFF)
    if actor.kind == "account" and actor.key is not None:
        named = session.get(ForumModerator, (session_id, actor.key))
        if named is not None:
            roles.add(ForumRole.MODERATOR)
    if actor.kind == "speaker" and actor.key is not None and actor.speaker_session == session_id:
        row = session.get(ForumSpeaker, actor.key)
        if row is not None and row.session_id == session_id and row.revoked_at is None:
            roles.add(ForumRole.SPEAKER)
    return frozenset(roles)


class People:
    """Moderators and speakers of forum sessions (changes: staff only, checked by the caller)."""

    def __init__(self, db: Database, signer: TokenSigner, invite_ttl_s: float, token_ttl_s: float):
        self.db = db
        self.signer = signer
        self.invite_ttl_s = invite_ttl_s
        self.token_ttl_s = token_ttl_s

    def roles(self, session_id: str, actor: Actor) -> frozenset[ForumRole]:
        """The actor's roles in a session that exists; :class:`NotFound` otherwise."""
        with self.db.reading() as session:
            live_row(session, session_id)
            return roles_in(session, session_id, actor)

    # --- moderators ---------------------------------------------------------------------------

    def moderators(self, session_id: str) -> list[ModeratorView]:
        """The session's moderators, in the order they were named."""
        with self.db.reading() as session:
            live_row(session, session_id)
            rows = session.execute(
                select(ForumModerator, User)
                .join(User, User.id == ForumModerator.user_id)
                .where(ForumModerator.session_id == session_id)
                .order_by(ForumModerator.named_at)
            )
            return [ModeratorView(u.login, u.display_name, m.named_at) for m, u in rows]

    def name_moderator(self, actor: Actor, session_id: str, login: str) -> ModeratorView:
        """Let the account ``login`` moderate the session (idempotent)."""
        with self.db.transaction() as session:
            live_row(session, session_id)
            user = session.scalars(select(User).where(User.login == login.strip().lower())).first()
            if user is None or user.disabled:
                raise NotFound(f"there is no active account {login!r}")
            existing = session.get(ForumModerator, (session_id, user.id))
            if existing is None:
                existing = ForumModerator(
                    session_id=session_id,
                    user_id=user.id,
                    named_by=actor.key if actor.kind == "account" else None,
                    named_at=utcnow(),
                )
                session.add(existing)
                record(
                    session,
                    actor.describe(),
                    Action.FORUM_MODERATOR_NAMED,
                    session_id,
                    login=user.login,
                )
            return ModeratorView(user.login, user.display_name, existing.named_at)

    def remove_moderator(self, actor: Actor, session_id: str, login: str) -> None:
        """The account ``login`` no longer moderates the session."""
        with self.db.transaction() as session:
            live_row(session, session_id)
            user = session.scalars(select(User).where(User.login == login.strip().lower())).first()
            named = None if user is None else session.get(ForumModerator, (session_id, user.id))
            if user is None or named is None:
                raise NotFound(f"{login!r} is not a moderator of session {session_id!r}")
            session.delete(named)
            record(
                session,
                actor.describe(),
                Action.FORUM_MODERATOR_REMOVED,
                session_id,
                login=user.login,
            )

    # --- speakers -----------------------------------------------------------------------------

    def speakers(self, session_id: str) -> list[SpeakerView]:
        """The session's speakers and their invites, oldest first."""
        with self.db.reading() as session:
            live_row(session, session_id)
            rows = session.scalars(
                select(ForumSpeaker)
                .where(ForumSpeaker.session_id == session_id)
                .order_by(ForumSpeaker.created_at)
            )
            return [_speaker_view(row) for row in rows]

    def invite_speaker(
        self, actor: Actor, session_id: str, display_name: str
    ) -> tuple[str, SpeakerView]:
        """A one-time speaker link for the session; returns its secret (shown once) and the
        speaker."""
        name = display_name.strip()
        if not name or len(name) > MAX_NAME_CHARS or any(ord(c) < 32 for c in name):
            raise Invalid(f"give the speaker's name: 1 to {MAX_NAME_CHARS} characters, one line")
        with self.db.transaction() as session:
            row_session = live_row(session, session_id)
            if row_session.state in (ForumState.ENDED, ForumState.REPLAY):
                raise Conflict(f"session {session_id!r} has ended; it needs no more speakers")
            secret = new_secret()
            now = utcnow()
            row = ForumSpeaker(
                id=new_id(),
                session_id=session_id,
                display_name=name,
                token_hash=secret_hash(secret),
                created_by=actor.key if actor.kind == "account" else None,
                created_at=now,
                expires_at=now + timedelta(seconds=self.invite_ttl_s),
                used_at=None,
                revoked_at=None,
            )
            session.add(row)
            record(
                session,
                actor.describe(),
                Action.FORUM_SPEAKER_INVITED,
                session_id,
                speaker=row.id,
                name=name,
            )
            return secret, _speaker_view(row)

    def invite_info(self, secret: str) -> tuple[SpeakerView, ForumSession] | None:
        """The speaker and session behind a link, if it can still be used."""
        if not secret or len(secret) > 200:
            return None
        with self.db.reading() as session:
            row = session.scalars(
                select(ForumSpeaker).where(ForumSpeaker.token_hash == secret_hash(secret))
            ).first()
            if row is None or not self._usable(row):
                return None
            forum = session.get(ForumSession, row.session_id)
            if forum is None or forum.deleted_at is not None:
                return None
            return _speaker_view(row), forum

    @staticmethod
    def _usable(row: ForumSpeaker) -> bool:
        return row.used_at is None and row.revoked_at is None and row.expires_at > utcnow()

    def accept(self, secret: str) -> SpeakerSignIn:
        """Use a speaker link (once): a speaker token for its session. :class:`NotFound` for a
        link that was used, revoked, expired or never existed (the same answer for all)."""
        with self.db.transaction() as session:
            row = None
            if secret and len(secret) <= 200:
                row = session.scalars(
                    select(ForumSpeaker).where(ForumSpeaker.token_hash == secret_hash(secret))
                ).first()
            if row is None or not self._usable(row):
                raise NotFound(
                    "this speaker link is not valid: it was used, revoked, expired or mistyped; "
                    "ask the expo staff for a new one"
                )
            row.used_at = utcnow()
            record(
                session,
                f"speaker {row.display_name} ({row.id})",
                Action.FORUM_SPEAKER_SIGNED_IN,
                row.session_id,
                speaker=row.id,
            )
            token = self.signer.issue(
                "speaker",
                speaker_subject(row.id),
                "visitor",
                self.token_ttl_s,
                name=row.display_name,
            )
            return SpeakerSignIn(token, _speaker_view(row))

    def reissue(self, speaker_id: str, name: str = "") -> IssuedToken:
        """A fresh token for a signed-in speaker (the caller checked the current one);
        ``name`` is shown in the hall beside the speaker badge."""
        return self.signer.issue(
            "speaker", speaker_subject(speaker_id), "visitor", self.token_ttl_s, name=name
        )

    def revoke_speaker(self, actor: Actor, session_id: str, speaker_id: str) -> None:
        """The speaker's link and tokens stop working at once."""
        with self.db.transaction() as session:
            row = session.get(ForumSpeaker, speaker_id)
            if row is None or row.session_id != session_id:
                raise NotFound(f"session {session_id!r} has no speaker {speaker_id!r}")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                record(
                    session,
                    actor.describe(),
                    Action.FORUM_SPEAKER_REVOKED,
                    session_id,
                    speaker=speaker_id,
                )

    def speaker_actor(self, token: str) -> Actor | None:
        """The speaker a ``speaker`` token stands for, if genuine, unexpired and not revoked."""
        claims = self.signer.check(token)
        if claims is None or claims.kind != "speaker":
            return None
        if not claims.subject.startswith(SPEAKER_SUBJECT_PREFIX):
            return None
        speaker_id = claims.subject.removeprefix(SPEAKER_SUBJECT_PREFIX)
        with self.db.reading() as session:
            row = session.get(ForumSpeaker, speaker_id)
            if row is None or row.revoked_at is not None:
                return None
            return Actor("speaker", row.id, row.display_name, None, row.session_id)

    def speaker_from_subject(self, subject: str) -> Actor | None:
        """The speaker behind a join token's subject (checked like :meth:`speaker_actor`)."""
        if not subject.startswith(SPEAKER_SUBJECT_PREFIX):
            return None
        with self.db.reading() as session:
            row = session.get(ForumSpeaker, subject.removeprefix(SPEAKER_SUBJECT_PREFIX))
            if row is None or row.revoked_at is not None:
                return None
            return Actor("speaker", row.id, row.display_name, None, row.session_id)

    def account_actor(self, user_id: str) -> Actor | None:
        """The account behind a join token's subject, if it is still active."""
        with self.db.reading() as session:
            user = session.get(User, user_id)
            if user is None or user.disabled:
                return None
            return Actor("account", user.id, user.login, user.role, display=user.display_name)
