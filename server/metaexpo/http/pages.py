"""What the portal's and the console's routes share: language, the signed-in page user,
form tokens, redirects and error pages.

Pages accept only the sign-in cookie (never a bearer token); every form
carries a CSRF token: the session's, or before signing in the signed
double-submit token of :mod:`metaexpo.auth.csrf`.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from metaexpo.auth.csrf import cross_site, form_csrf_token, session_csrf_token, tokens_match
from metaexpo.errors import Forbidden, RequestRefused, TooLarge
from metaexpo.http.office import BackOffice
from metaexpo.http.security import (
    FORM_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    cookie_secure,
    office_of,
)
from metaexpo.portal.i18n import LANG_COOKIE, Lang, pick_language
from metaexpo.portal.render import Pages
from metaexpo.roles import Principal

_PAGES = Pages()
#: Largest form post (texts only; files go through the upload API).
MAX_FORM_BYTES = 64 * 1024


def page_lang(request: Request) -> Lang:
    """The language of this page view."""
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def page_user(request: Request) -> Principal | None:
    """The signed-in user of a page (cookie only), or None. Blocking: call from a thread."""
    secret = request.cookies.get(SESSION_COOKIE)
    return office_of(request).accounts.session_principal(secret) if secret else None


async def read_form(request: Request) -> FormData:
    """The posted form, refused (413) if larger than a text form can be."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        raise TooLarge("the form is too large")
    return await request.form(max_files=0, max_fields=200)


async def user_of(request: Request) -> Principal | None:
    """The page's signed-in user (looked up off the event loop)."""
    return await asyncio.to_thread(page_user, request)


def session_token(request: Request) -> str:
    """The CSRF token of the request's sign-in session ("" without one)."""
    secret = request.cookies.get(SESSION_COOKIE)
    return session_csrf_token(office_of(request).keys.csrf, secret) if secret else ""


def check_form(request: Request, principal: Principal, token: str | None) -> None:
    """Refuse a form post without the session's CSRF token (:class:`Forbidden`)."""
    check_csrf(request, office_of(request), principal, token)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    area: str = "expo",
    principal: Principal | None = None,
    status_code: int = 200,
) -> Response:
    """A page; remembers an explicit ``?lang=`` in a cookie."""
    lang = page_lang(request)
    full = {
        "area": area,
        "principal": principal,
        "csrf": session_token(request) if principal is not None else "",
        "notice": _notice(request),
        "problems": None,
        "message": None,
        **context,
    }
    response = _PAGES.render(template, lang, full, status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/", samesite="lax", httponly=True
        )
    return response


#: Notices a redirect may ask a page to show (``?done=…``).
_NOTICES = frozenset(
    {
        "saved",
        "approved_live",
        "refused_done",
        "waiting",
        "upload_ok",
        "forum_saved",
        "forum_deleted",
        "moderated",
    }
)


def _notice(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in _NOTICES else None


def error_page(
    request: Request, exc: RequestRefused, principal: Principal | None, back: str
) -> Response:
    """A refusal as a page, with its status code."""
    heading = "forbidden" if exc.status == 403 else "error"
    return render(
        request,
        "error.html",
        {"heading": heading, "message": exc.message, "back": back},
        principal=principal,
        status_code=exc.status,
    )


async def console_staff(request: Request) -> Principal | Response:
    """The signed-in staff member a console page is for, or the response to give instead: the
    sign-in page for a stranger, 403 for an exhibitor."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    if not principal.is_staff:
        return error_page(
            request, Forbidden("only expo staff may open the console"), principal, "/portal"
        )
    return principal


def redirect(url: str) -> RedirectResponse:
    """See other (after a form post)."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str) -> str:
    """A path on this site to go to after signing in (anything else: ``default``).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash,
    so ``/\t/evil.example`` would leave the site: such paths are refused.
    """
    if not url or len(url) > 2000 or not url.startswith("/"):
        return default
    if url.startswith("//") or "\\" in url or any(c.isspace() or not c.isprintable() for c in url):
        return default
    parts = urlsplit(url)
    return url if not parts.scheme and not parts.netloc else default


def login_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back here afterwards."""
    return redirect(f"/portal/login?next={quote(request.url.path)}")


# --- forms before signing in: signed double submit ----------------------------------------------


def form_token(request: Request, office: BackOffice) -> tuple[str, str | None]:
    """(token for the form, a new nonce to set as cookie or None if the browser has one)."""
    nonce = request.cookies.get(FORM_COOKIE)
    fresh = None
    if not nonce or len(nonce) > 100:
        nonce = fresh = secrets.token_urlsafe(24)
    return form_csrf_token(office.keys.csrf, nonce), fresh


def set_form_cookie(request: Request, response: Response, nonce: str | None) -> None:
    """Give the browser its form nonce (if it needed a new one)."""
    if nonce is None:
        return
    response.set_cookie(
        FORM_COOKIE,
        nonce,
        path="/portal",
        secure=cookie_secure(request, office_of(request)),
        httponly=True,
        samesite="strict",
    )


def check_form_token(request: Request, supplied: str | None) -> None:
    """Refuse a pre-session form post whose token does not match the browser's nonce."""
    headers = request.headers
    if cross_site(headers.get("origin"), headers.get("sec-fetch-site"), headers.get("host")):
        raise Forbidden("this form was sent from another site; use the expo's own page")
    nonce = request.cookies.get(FORM_COOKIE, "")
    expected = form_csrf_token(office_of(request).keys.csrf, nonce)
    if not nonce or not tokens_match(expected, supplied):
        raise Forbidden("the form's security token is missing or out of date; reload the page")
