"""Visitor keys: who is who for counting unique visitors, without knowing who anyone is.

A key is a 63-bit number. A visitor who joined with a token (an account, a
guest token, a speaker link) gets a salted hash of the token's subject, the
same on every node and in every session, so they count once wherever they
go; the salt is derived from the expo's secret, so a key cannot be turned
back into an account without it. An anonymous visitor gets a random key for
the session, kept when they resume (on any node, through the resume
registry) and never tied to anything else. Keys are never shown to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Keys are positive 63-bit numbers (they live in numpy int64 arrays); 0 means "nobody".
KEY_BITS = 63


class VisitorKeys:
    """Makes visitor keys with one salt (every node of an expo must use the same)."""

    def __init__(self, salt: bytes) -> None:
        assert len(salt) >= 16, "a visitor-key salt of at least 16 bytes"
        self._salt = salt

    @classmethod
    def random(cls) -> VisitorKeys:
        """Keys with a salt of this process only (a node alone, or tests)."""
        return cls(secrets.token_bytes(32))

    def of(self, subject: str | None) -> int:
        """The key of a token's subject, or a fresh random key for an anonymous visitor."""
        if subject is None:
            return secrets.randbits(KEY_BITS) or 1
        digest = hmac.new(self._salt, subject.encode(), hashlib.sha256).digest()
        return (int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)) or 1


def parse_key(value: object) -> int | None:
    """A visitor key read back from a resume record (None if it is not one)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1 << KEY_BITS:
        return value
    return None
