"""The accounts API (``/api/auth``): sign in for a bearer token, guest tokens, invites.

| method | path | who |
|---|---|---|
| POST | /api/auth/login | anyone (rate-limited) → bearer token |
| POST | /api/auth/guest | anyone → signed guest token (visitor) |
| GET | /api/auth/me | signed in |
| GET | /api/auth/token | signed in (e.g. by cookie) → a bearer token for ``join`` |
| POST | /api/auth/logout | signed in (ends a cookie session, or voids the bearer token) |
| POST | /api/auth/password | signed in |
| GET | /api/auth/invites/{secret} | anyone with the link |
| POST | /api/auth/invites/{secret}/accept | anyone with the link (rate-limited) |
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from metaexpo.errors import NotFound
from metaexpo.http.security import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    Caller,
    Office,
    clear_session_cookie,
    client_address,
    set_device_cookie,
)
from metaexpo.roles import Principal
from metaexpo.store.accounts import booths_of
from metaexpo.tokens import IssuedToken

router = APIRouter(prefix="/api/auth", tags=["accounts"])

Secret = Annotated[str, StringConstraints(max_length=100)]


class LoginRequest(BaseModel):
    """Sign-in name and password."""

    login: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PasswordChange(BaseModel):
    """The current password and the new one."""

    current: Annotated[str, StringConstraints(max_length=1024)]
    new: Annotated[str, StringConstraints(max_length=1024)]


class AcceptInvite(BaseModel):
    """The password the invited person chooses."""

    password: Annotated[str, StringConstraints(max_length=1024)] = Field(
        description="at least 10 characters"
    )


def _token(issued: IssuedToken, principal: Principal | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"token": issued.token, "expires_at": issued.expires}
    if principal is not None:
        body["user"] = {
            "id": principal.user_id,
            "login": principal.login,
            "display_name": principal.display_name,
            "role": principal.role,
        }
    return body


@router.post("/login", summary="Sign in; returns a bearer token")
async def login(
    body: LoginRequest, request: Request, response: Response, office: Office
) -> dict[str, Any]:
    """A bearer token for the JSON API and the WebSocket join (``token`` field of ``join``).

    401 for a wrong name or password; 429 with ``Retry-After`` after too many failures, or
    when too many sign-ins are being checked at once (docs/security.md, "Sign-in").
    """
    signed = await office.gate.sign_in(
        body.login,
        body.password,
        client_address(request),
        "bearer",
        request.cookies.get(DEVICE_COOKIE),
    )
    set_device_cookie(request, response, signed.device)
    issued = await asyncio.to_thread(office.accounts.issue_bearer, signed.principal)
    return _token(issued, signed.principal)


@router.post("/guest", summary="A signed guest token for an anonymous visitor")
def guest(office: Office) -> dict[str, Any]:
    """A visitor's token: joins work without one, but a token gives a stable guest id."""
    issued = office.signer.issue_guest(office.settings.guest_token_ttl_s)
    claims = office.signer.check(issued.token)
    assert claims is not None
    return {**_token(issued), "role": "visitor", "id": claims.subject}


@router.get("/me", summary="Who the credentials belong to")
def me(caller: Caller, office: Office) -> dict[str, Any]:
    """The account, its role and the booths it manages."""
    with office.db.reading() as session:
        booths = booths_of(session, caller.user_id)
    return {
        "id": caller.user_id,
        "login": caller.login,
        "display_name": caller.display_name,
        "role": caller.role,
        "booths": "all" if caller.is_staff else booths,
        "via": caller.via,
    }


@router.get("/token", summary="A fresh bearer token for the signed-in account")
def token(caller: Caller, office: Office, response: Response) -> dict[str, Any]:
    """For a page signed in by cookie: the token its WebSocket ``join`` can carry."""
    response.headers["Cache-Control"] = "no-store"
    return _token(office.accounts.issue_bearer(caller), caller)


@router.post("/logout", status_code=204, summary="Sign out: the session or the token")
async def logout(caller: Caller, request: Request, office: Office) -> Response:
    """Ends the portal session and voids the hall tokens issued for it; with a bearer token,
    voids that token. Either way every node refuses it within a second, and its hall
    connection is closed."""
    secret = request.cookies.get(SESSION_COOKIE)
    if caller.via == "cookie" and secret:
        await office.gate.sign_out_session(caller, secret)
    elif caller.via == "bearer":
        header = request.headers.get("authorization", "")
        await office.gate.sign_out_token(header.removeprefix("Bearer ").strip())
    response = Response(status_code=204)
    clear_session_cookie(request, response)
    return response


@router.post("/password", status_code=204, summary="Change one's own password")
async def change_password(body: PasswordChange, caller: Caller, office: Office) -> Response:
    """Every session and token of the account stops working (sign in again)."""
    await office.gate.change_password(caller, body.current, body.new)
    return Response(status_code=204)


@router.get("/invites/{secret}", summary="What an invite link offers")
def invite_info(secret: Secret, office: Office) -> dict[str, object]:
    """The invited sign-in name, role and booths (404 if used, expired or unknown)."""
    invite = office.invites.info(secret)
    if invite is None:
        raise NotFound("this invite link is not valid: it was used, expired or mistyped")
    data = invite.to_json()
    data.pop("id")
    return data


@router.post("/invites/{secret}/accept", summary="Create the invited account")
async def accept_invite(
    secret: Secret, body: AcceptInvite, request: Request, office: Office
) -> dict[str, Any]:
    """Creates the account with the chosen password (once); returns a bearer token."""
    principal = await office.gate.accept_invite(secret, body.password, client_address(request))
    issued = await asyncio.to_thread(office.accounts.issue_bearer, principal)
    return _token(issued, principal)
