"""Who is calling the forum routes: an account (bearer token or sign-in cookie) or a speaker.

Speakers have no account: their one-time link gives a ``speaker`` token,
accepted here as ``Authorization: Bearer`` and, for the speaker's pages, in
the ``metaexpo_speaker`` cookie (HttpOnly, SameSite=Lax). Cookie requests
that change something carry a CSRF token (``X-CSRF-Token`` or the ``csrf``
form field), like the portal's: the session's for accounts, an HMAC of the
speaker token for speakers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from metaexpo.auth.csrf import cross_site, tokens_match
from metaexpo.errors import Forbidden, NotSignedIn
from metaexpo.forums.roles import Actor
from metaexpo.http.forums_wiring import Forums
from metaexpo.http.security import CSRF_HEADER, SESSION_COOKIE, Office, check_csrf
from metaexpo.roles import Principal

SPEAKER_COOKIE = "metaexpo_speaker"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BEARER = HTTPBearer(
    auto_error=False,
    description="An account's token (POST /api/auth/login) or a speaker's (their link).",
)


def forums_of(request: Request) -> Forums:
    """The app's forums (opened by the lifespan)."""
    forums: Forums | None = getattr(request.app.state, "forums", None)
    assert forums is not None, "the forums are opened by the app's lifespan"
    return forums


ForumsDep = Annotated[Forums, Depends(forums_of)]


def account_actor(principal: Principal) -> Actor:
    """The forum actor of a signed-in account."""
    return Actor(
        "account",
        principal.user_id,
        principal.login,
        principal.role,
        display=principal.display_name,
    )


def speaker_csrf_token(key: bytes, speaker_token: str) -> str:
    """The CSRF token of the speaker signed in with ``speaker_token`` (its cookie)."""
    digest = hmac.new(key, f"speaker:{speaker_token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_speaker_csrf(request: Request, key: bytes, supplied: str | None) -> None:
    """Refuse a speaker's cookie request that changes something without their CSRF token."""
    headers = request.headers
    if cross_site(headers.get("origin"), headers.get("sec-fetch-site"), headers.get("host")):
        raise Forbidden("this request came from another site; use the expo's own pages")
    token = request.cookies.get(SPEAKER_COOKIE, "")
    if not tokens_match(speaker_csrf_token(key, token), supplied):
        raise Forbidden("the form's security token is missing or out of date; reload the page")


def optional_actor(
    request: Request,
    office: Office,
    forums: ForumsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Actor | None:
    """The calling account or speaker, or None for a visitor. A bearer token that is neither
    is refused (401): tools should learn that it expired. Cookie calls that change
    something are CSRF-checked."""
    unsafe = request.method in _UNSAFE
    if credentials is not None:
        token = credentials.credentials
        principal = office.accounts.bearer_principal(token)
        if principal is not None:
            return account_actor(principal)
        speaker = forums.people.speaker_actor(token)
        if speaker is not None:
            return speaker
        raise NotSignedIn("the bearer token is expired, revoked or not genuine; sign in again")
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        principal = office.accounts.session_principal(secret)
        if principal is not None:
            if unsafe:
                check_csrf(request, office, principal, request.headers.get(CSRF_HEADER))
            return account_actor(principal)
    speaker_token = request.cookies.get(SPEAKER_COOKIE)
    if speaker_token:
        speaker = forums.people.speaker_actor(speaker_token)
        if speaker is not None:
            if unsafe:
                check_speaker_csrf(request, office.keys.csrf, request.headers.get(CSRF_HEADER))
            return speaker
    return None


def required_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The calling account or speaker (401 without one)."""
    if actor is None:
        raise NotSignedIn(
            "sign in first: send Authorization: Bearer <token> (POST /api/auth/login, or a "
            "speaker's token from their link)"
        )
    return actor


ForumCaller = Annotated[Actor, Depends(required_actor)]
MaybeForumCaller = Annotated[Actor | None, Depends(optional_actor)]


def require_staff_actor(actor: Actor) -> None:
    """:class:`Forbidden` unless ``actor`` is a staff account."""
    if not actor.is_staff:
        raise Forbidden("only expo staff may do this")
