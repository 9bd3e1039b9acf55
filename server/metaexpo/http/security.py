"""Who is calling: FastAPI dependencies for the JSON API and the portal, and the sign-in cookie.

* ``Authorization: Bearer <token>`` — tools and the web client. No CSRF
  check: browsers never attach it by themselves.
* The ``metaexpo_session`` cookie — the portal pages (and their upload
  requests). Secure (over https, see ``--cookie-secure``), HttpOnly,
  SameSite=Lax, path ``/``. Every state-changing request authenticated by
  it must carry the session's CSRF token (``X-CSRF-Token`` header, or the
  ``csrf`` form field) and must not come from another site.

Database look-ups run in FastAPI's thread pool (the dependencies are plain
``def``), never on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from metaexpo.auth.csrf import cross_site, session_csrf_token, tokens_match
from metaexpo.errors import Forbidden, NotSignedIn
from metaexpo.http.office import BackOffice
from metaexpo.roles import Principal
from metaexpo.tokens import IssuedToken

SESSION_COOKIE = "metaexpo_session"
FORM_COOKIE = "metaexpo_form"
#: A browser that signed in to an account before: it may try past the account's limit.
DEVICE_COOKIE = "metaexpo_device"
CSRF_HEADER = "x-csrf-token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def office_of(request: Request) -> BackOffice:
    """The app's back office (opened by the lifespan)."""
    office: BackOffice | None = getattr(request.app.state, "office", None)
    assert office is not None, "the back office is opened by the app's lifespan"
    return office


Office = Annotated[BackOffice, Depends(office_of)]


def client_address(request: Request) -> str:
    """The caller's address for rate limits: the peer, or what a trusted proxy forwarded
    (uvicorn applies X-Forwarded-For only from --forwarded-allow-ips)."""
    return request.client.host if request.client is not None else "unknown"


def is_https(request: Request) -> bool:
    """Whether the request reached us over TLS (directly or through a trusted proxy)."""
    return request.url.scheme in ("https", "wss")


def cookie_secure(request: Request, office: BackOffice) -> bool:
    """Whether cookies get the Secure flag for this request."""
    mode = office.settings.cookie_secure
    return mode == "always" or (mode == "auto" and is_https(request))


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """Sign the browser in: the session cookie with every protective flag."""
    office = office_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(office.settings.session_ttl_s),
        path="/",
        secure=cookie_secure(request, office),
        httponly=True,
        samesite="lax",
    )


def set_device_cookie(request: Request, response: Response, token: IssuedToken) -> None:
    """Remember that this browser signed in to the account (docs/security.md, "Sign-in")."""
    office = office_of(request)
    response.set_cookie(
        DEVICE_COOKIE,
        token.token,
        max_age=int(office.settings.device_ttl_s),
        path="/",
        secure=cookie_secure(request, office),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    """Sign the browser out (the cookie is deleted with the same flags)."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=cookie_secure(request, office_of(request)),
        httponly=True,
        samesite="lax",
    )


#: ``Authorization: Bearer …``; also what /docs offers under "Authorize".
_BEARER = HTTPBearer(
    auto_error=False,
    description="A token from POST /api/auth/login (or GET /api/auth/token).",
)


def optional_principal(
    request: Request,
    office: Office,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Principal | None:
    """The signed-in caller, or None for a visitor.

    A bearer header that is present but invalid is an error (401), not a
    visitor: tools should learn that their token expired.
    """
    if credentials is not None:
        principal = office.accounts.bearer_principal(credentials.credentials)
        if principal is None:
            raise NotSignedIn("the bearer token is expired, revoked or not genuine; sign in again")
        return principal
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        return office.accounts.session_principal(secret)
    return None


def check_csrf(
    request: Request, office: BackOffice, principal: Principal, supplied: str | None
) -> None:
    """Refuse a cookie-authenticated change without the session's CSRF token, or from another
    site (:class:`Forbidden`). Bearer requests pass."""
    if principal.via != "cookie":
        return
    headers = request.headers
    if cross_site(headers.get("origin"), headers.get("sec-fetch-site"), headers.get("host")):
        raise Forbidden("this request came from another site; use the expo's own pages")
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not tokens_match(session_csrf_token(office.keys.csrf, secret), supplied):
        raise Forbidden(
            "the form's security token is missing or out of date; reload the page and try again"
        )


def api_principal(
    request: Request,
    office: Office,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The signed-in caller of a JSON API route (401 without one); CSRF-checked for cookies."""
    if principal is None:
        raise NotSignedIn(
            "sign in first: send Authorization: Bearer <token> (POST /api/auth/login)"
        )
    if request.method in _UNSAFE:
        check_csrf(request, office, principal, request.headers.get(CSRF_HEADER))
    return principal


Caller = Annotated[Principal, Depends(api_principal)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]
