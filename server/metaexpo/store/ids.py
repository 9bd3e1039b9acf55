"""Random ids and one-time secrets, and the hashes under which secrets are stored."""

from __future__ import annotations

import hashlib
import secrets


def new_id() -> str:
    """A random 128-bit id, 32 hex digits."""
    return secrets.token_hex(16)


def new_secret() -> str:
    """A random 256-bit secret for a cookie or a link (URL-safe)."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What the database keeps of a secret: its SHA-256 (a stolen row is no key)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
