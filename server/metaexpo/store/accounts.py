"""Accounts, sign-in sessions, invites and booth ownership: the queries and changes on them.

Functions take an open :class:`~sqlalchemy.orm.Session` (a transaction from
:meth:`Database.transaction`) and never commit themselves, so a caller can
combine several changes and an audit entry into one atomic step.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from metaexpo.errors import Conflict, Invalid
from metaexpo.roles import ACCOUNT_ROLES, AccountRole
from metaexpo.store.ids import new_id, new_secret, secret_hash
from metaexpo.store.schema import BoothOwner, Invite, LoginSession, User, utcnow

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{2,253}$")
MAX_DISPLAY_NAME = 100


def normalise_login(login: str) -> str:
    """The canonical sign-in name (trimmed, lower case); :class:`Invalid` if it cannot be one."""
    value = login.strip().lower()
    if not _LOGIN.match(value):
        raise Invalid(
            "a sign-in name is 3-254 characters of a-z, 0-9 and . _ @ + - "
            "(an e-mail address works), starting with a letter or digit"
        )
    return value


def clean_display_name(name: str) -> str:
    """A display name: trimmed, 1-100 printable characters; :class:`Invalid` otherwise."""
    value = " ".join(name.split())
    if not value or len(value) > MAX_DISPLAY_NAME or not value.isprintable():
        raise Invalid(f"a display name is 1-{MAX_DISPLAY_NAME} printable characters")
    return value


def user_by_login(session: Session, login: str) -> User | None:
    """The account with this sign-in name, if any."""
    return session.scalar(select(User).where(User.login == login.strip().lower()))


def create_user(
    session: Session, login: str, display_name: str, role: AccountRole, password_hash: str
) -> User:
    """A new account; :class:`Conflict` if the sign-in name is taken."""
    assert role in ACCOUNT_ROLES
    login = normalise_login(login)
    if user_by_login(session, login) is not None:
        raise Conflict(f"the sign-in name {login!r} is already taken")
    user = User(
        id=new_id(),
        login=login,
        display_name=clean_display_name(display_name),
        role=role,
        password_hash=password_hash,
        disabled=False,
        token_epoch=0,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every account, staff first, then by sign-in name."""
    return list(session.scalars(select(User).order_by(User.role.desc(), User.login)))


# --- sign-in sessions -------------------------------------------------------------------------


def open_login_session(session: Session, user_id: str, ttl_s: float) -> tuple[str, LoginSession]:
    """A new sign-in session: (the secret for the cookie, the row that stores its hash)."""
    secret = new_secret()
    now = utcnow()
    row = LoginSession(
        id_hash=secret_hash(secret),
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    session.add(row)
    return secret, row


def find_login_session(session: Session, secret: str) -> tuple[LoginSession, User] | None:
    """The unexpired session whose cookie holds ``secret``, with its (enabled) account."""
    if not secret or len(secret) > 100:
        return None
    row = session.get(LoginSession, secret_hash(secret))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return row, user


def close_login_session(session: Session, secret: str) -> None:
    """End one session (sign out)."""
    session.execute(delete(LoginSession).where(LoginSession.id_hash == secret_hash(secret)))


def close_all_sessions(session: Session, user_id: str) -> None:
    """End every session of an account (disabled, password changed)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def purge_expired_sessions(session: Session, now: datetime | None = None) -> int:
    """Delete expired sessions; returns how many."""
    result = session.execute(
        delete(LoginSession).where(LoginSession.expires_at <= (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- invites ----------------------------------------------------------------------------------


def create_invite(
    session: Session,
    *,
    login: str,
    display_name: str,
    role: AccountRole,
    booths: list[str],
    created_by: str,
    ttl_s: float,
) -> tuple[str, Invite]:
    """A one-time invite: (the secret for the link, the row that stores its hash)."""
    login = normalise_login(login)
    if user_by_login(session, login) is not None:
        raise Conflict(f"there already is an account {login!r}; assign booths to it instead")
    secret = new_secret()
    now = utcnow()
    invite = Invite(
        id=new_id(),
        token_hash=secret_hash(secret),
        login=login,
        display_name=clean_display_name(display_name),
        role=role,
        booths=sorted(set(booths)),
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        used_at=None,
        used_by=None,
    )
    session.add(invite)
    return secret, invite


def find_invite(session: Session, secret: str) -> Invite | None:
    """The unused, unexpired invite whose link holds ``secret``."""
    if not secret or len(secret) > 100:
        return None
    invite = session.scalar(select(Invite).where(Invite.token_hash == secret_hash(secret)))
    if invite is None or invite.used_at is not None or invite.expires_at <= utcnow():
        return None
    return invite


def list_invites(session: Session) -> list[Invite]:
    """Every invite, newest first."""
    return list(session.scalars(select(Invite).order_by(Invite.created_at.desc())))


# --- booth ownership --------------------------------------------------------------------------


def booths_of(session: Session, user_id: str) -> list[str]:
    """The booth ids an account manages, sorted."""
    query = select(BoothOwner.booth_id).where(BoothOwner.user_id == user_id)
    return sorted(session.scalars(query))


def owners_of(session: Session, booth_id: str) -> list[User]:
    """The accounts that manage a booth."""
    query = select(User).join(BoothOwner, BoothOwner.user_id == User.id)
    return list(session.scalars(query.where(BoothOwner.booth_id == booth_id).order_by(User.login)))


def all_owners(session: Session) -> dict[str, list[str]]:
    """booth id → the sign-in names of its owners."""
    rows = session.execute(
        select(BoothOwner.booth_id, User.login).join(User, BoothOwner.user_id == User.id)
    )
    owners: dict[str, list[str]] = {}
    for booth_id, login in rows:
        owners.setdefault(booth_id, []).append(login)
    return owners


def assign_booth(session: Session, booth_id: str, user_id: str, by: str | None) -> bool:
    """Let an account manage a booth; False if it already did."""
    if session.get(BoothOwner, (booth_id, user_id)) is not None:
        return False
    session.add(
        BoothOwner(booth_id=booth_id, user_id=user_id, assigned_by=by, assigned_at=utcnow())
    )
    return True


def unassign_booth(session: Session, booth_id: str, user_id: str) -> bool:
    """Take a booth away from an account; False if it did not manage it."""
    row = session.get(BoothOwner, (booth_id, user_id))
    if row is None:
        return False
    session.delete(row)
    return True
