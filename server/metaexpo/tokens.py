"""Signed tokens: bearer tokens for the JSON API and the WebSocket join, and guest tokens.

A token is ``mx1.<payload>.<signature>``: the payload is base64url JSON
(kind, subject, role, token epoch, expiry, issue time, a random token id and,
for accounts, the display name), the signature its HMAC-SHA256 with the
tokens key. Checking one needs no database, so the WebSocket join stays
cheap and every node that shares the secret accepts every other node's
tokens. Revocation is checked beside the signature: the HTTP API checks the
account (still active, same role, same ``token_epoch``), and both the API
and the WebSocket join check the shared trust ledger (a signed-out token id,
an account revoked since the token was issued, a banned subject; see
docs/security.md).

``device`` tokens are not credentials: one sits in a browser that signed in
to an account before, and lets that browser past the account's sign-in
limit while strangers hammer it (docs/security.md, "Sign-in").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import orjson

PREFIX = "mx1"
#: Longest token accepted for checking; anything longer is refused unread.
MAX_TOKEN_CHARS = 1024

#: ``speaker`` tokens sign a forum speaker in (no account; role visitor in the hall, speaker in
#: their session: see metaexpo.forums.people). ``device`` tokens mark a browser that signed in
#: before, so the per-account sign-in total does not lock it out.
TokenKind = Literal["bearer", "guest", "speaker", "device"]
_KINDS: tuple[TokenKind, ...] = ("bearer", "guest", "speaker", "device")
Role = Literal["visitor", "exhibitor", "staff"]
ROLES: tuple[Role, ...] = ("visitor", "exhibitor", "staff")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says: who (``subject``), as what ``role``, until when (unix time)."""

    kind: TokenKind
    subject: str
    role: Role
    epoch: int
    expires: int
    #: Unix time of issue, to the millisecond (0 for tokens issued before it was recorded).
    issued: float = 0.0
    #: A random id of this one token (empty for tokens issued before ids).
    token_id: str = ""
    #: The account's display name at issue (bearer tokens), for the hall's roster.
    name: str = ""
    #: The portal sign-in (session id) a bearer token was issued for, if any: signing that
    #: session out voids the token too.
    session: str = ""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token and its expiry (unix seconds), as handed to a client."""

    token: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and checks tokens with one key; ``clock`` is injectable for tests."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._clock = clock

    def issue(
        self,
        kind: TokenKind,
        subject: str,
        role: Role,
        ttl_s: float,
        epoch: int = 0,
        name: str = "",
        session: str = "",
    ) -> IssuedToken:
        """A new token for ``subject`` valid for ``ttl_s`` seconds."""
        now = self._clock()
        expires = int(now + ttl_s)
        fields: dict[str, object] = {
            "k": kind,
            "sub": subject,
            "r": role,
            "ep": epoch,
            "exp": expires,
            "iat": round(now, 3),
            "id": secrets.token_urlsafe(12),
        }
        if name:
            fields["n"] = name
        if session:
            fields["sid"] = session
        payload = orjson.dumps(fields)
        body = f"{PREFIX}.{_b64(payload)}"
        return IssuedToken(f"{body}.{_b64(self._sign(body))}", expires)

    def issue_guest(self, ttl_s: float) -> IssuedToken:
        """A signed guest token: an anonymous visitor with a stable random id."""
        return self.issue("guest", f"guest-{secrets.token_hex(8)}", "visitor", ttl_s)

    def check(self, token: str) -> TokenClaims | None:
        """The claims of a genuine, unexpired token; None for anything else (never raises)."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            return None
        body = f"{parts[0]}.{parts[1]}"
        try:
            signature = _unb64(parts[2])
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data = orjson.loads(_unb64(parts[1]))
            claims = TokenClaims(
                kind=data["k"],
                subject=str(data["sub"]),
                role=data["r"],
                epoch=int(data["ep"]),
                expires=int(data["exp"]),
                issued=float(data.get("iat", 0.0)),
                token_id=str(data.get("id", "")),
                name=str(data.get("n", "")),
                session=str(data.get("sid", "")),
            )
        except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        if claims.kind not in _KINDS or claims.role not in ROLES:
            return None
        if claims.kind in ("guest", "speaker") and claims.role != "visitor":
            return None
        if claims.expires <= self._clock():
            return None
        return claims

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()
