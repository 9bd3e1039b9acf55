"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile) and the rules
a new password must meet.

Verifying against an unknown account still runs one argon2 verification
(against a fixed dummy hash), so response times do not tell which logins
exist. Hashing takes tens of milliseconds on purpose: call these from a
worker thread, never on the event loop.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from metaexpo.errors import MetaExpoError

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("metaexpo: no such account")


class PasswordRejected(MetaExpoError):
    """A new password does not meet the rules; the message says which."""


def check_new_password(password: str, login: str = "") -> None:
    """Raise :class:`PasswordRejected` unless ``password`` is acceptable for ``login``."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRejected(
            f"the password is {len(password)} characters long; use at least {MIN_PASSWORD_CHARS}"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRejected(f"the password is longer than {MAX_PASSWORD_CHARS} characters")
    if login and password.strip().lower() == login.strip().lower():
        raise PasswordRejected("the password must not be the sign-in name")
    if len(set(password)) < 4:
        raise PasswordRejected("the password repeats too few characters; mix more of them")


def hash_password(password: str) -> str:
    """The argon2id hash (with its salt and parameters) to store."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; with none, take as long and say no."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at next sign-in)."""
    return _HASHER.check_needs_rehash(stored_hash)
