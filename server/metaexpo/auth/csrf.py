"""CSRF protection for cookie-authenticated requests: synchroniser tokens and an origin check.

A signed-in portal session's CSRF token is an HMAC of the session's secret,
so it needs no storage and dies with the session. Forms that come before
a session (sign-in, accepting an invite) use a random nonce held in its own
cookie and the HMAC of that nonce in the form (signed double submit).
Requests with bearer tokens need neither: browsers never attach those by
themselves. On top, a request whose ``Origin`` (or ``Sec-Fetch-Site``)
says it came from another site is refused whatever it carries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit


def _mac(key: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def session_csrf_token(key: bytes, session_secret: str) -> str:
    """The CSRF token of the sign-in session whose cookie holds ``session_secret``."""
    return _mac(key, "session", session_secret)


def form_csrf_token(key: bytes, nonce: str) -> str:
    """The CSRF token of a pre-session form whose nonce cookie holds ``nonce``."""
    return _mac(key, "form", nonce)


def tokens_match(expected: str, supplied: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not supplied or len(supplied) > 200:
        return False
    return hmac.compare_digest(expected.encode("ascii"), supplied.encode("ascii", "replace"))


def cross_site(origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """Whether the browser says this request was made by a page of another site."""
    if fetch_site is not None and fetch_site.lower() == "cross-site":
        return True
    if not origin or origin == "null":
        return origin == "null"
    netloc = urlsplit(origin).netloc.lower()
    return not host or netloc != host.lower()
