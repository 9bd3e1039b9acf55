"""Signing in and out of the portal, and accepting an invite (choosing a password)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from metaexpo.errors import Invalid, RequestRefused
from metaexpo.http.pages import (
    check_form,
    check_form_token,
    error_page,
    form_token,
    read_form,
    redirect,
    render,
    safe_next,
    set_form_cookie,
    user_of,
)
from metaexpo.http.security import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    client_address,
    office_of,
    set_device_cookie,
    set_session_cookie,
)
from metaexpo.roles import Principal

router = APIRouter(prefix="/portal", include_in_schema=False)


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    """Staff to the console, exhibitors to their booths, everyone else to sign in."""
    principal = await user_of(request)
    if principal is None:
        return redirect("/portal/login")
    return redirect(_home_of(principal))


@router.get("/login")
async def login_page(request: Request) -> Response:
    """The sign-in form."""
    principal = await user_of(request)
    asked = request.query_params.get("next")
    if principal is not None:
        return redirect(safe_next(asked, _home_of(principal)))
    token, nonce = form_token(request, office_of(request))
    target = safe_next(asked, "")
    response = render(request, "login.html", {"form_token": token, "next": target, "login": ""})
    set_form_cookie(request, response, nonce)
    return response


@router.post("/login")
async def login_post(request: Request) -> Response:
    """Check the password, open a session (cookie) and go on; the form again on failure."""
    office = office_of(request)
    form = await read_form(request)
    login = str(form.get("login", ""))[:254]
    asked = str(form.get("next", ""))
    target = safe_next(asked, "")
    try:
        check_form_token(request, str(form.get("csrf", "")))
        signed = await office.gate.sign_in(
            login,
            str(form.get("password", ""))[:1024],
            client_address(request),
            "cookie",
            request.cookies.get(DEVICE_COOKIE),
        )
        principal = signed.principal
        secret = await asyncio.to_thread(office.accounts.open_session, principal)
    except RequestRefused as exc:
        token, nonce = form_token(request, office)
        context = {"form_token": token, "next": target, "login": login, "message": exc.message}
        response = render(request, "login.html", context, status_code=exc.status)
        set_form_cookie(request, response, nonce)
        if exc.status == 429:
            response.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
        return response
    response = redirect(target or _home_of(principal))
    set_session_cookie(request, response, secret)
    set_device_cookie(request, response, signed.device)
    return response


def _home_of(principal: Principal) -> str:
    """Where a signed-in person starts: staff in the console, exhibitors at their booths."""
    return "/staff" if principal.is_staff else "/portal/booths"


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (CSRF-checked) and go to the sign-in page."""
    office = office_of(request)
    principal = await user_of(request)
    form = await read_form(request)
    response = redirect("/portal/login")
    if principal is not None:
        try:
            check_form(request, principal, str(form.get("csrf", "")))
        except RequestRefused as exc:
            return error_page(request, exc, principal, "/portal")
        await office.gate.sign_out_session(principal, request.cookies[SESSION_COOKIE])
    clear_session_cookie(request, response)
    return response


@router.get("/invite/{secret}")
async def invite_page(secret: str, request: Request) -> Response:
    """What the invite offers, and the form to choose a password."""
    office = office_of(request)
    invite = await asyncio.to_thread(office.invites.info, secret[:100])
    token, nonce = form_token(request, office)
    response = render(
        request,
        "invite.html",
        {"invite": invite, "form_token": token},
        status_code=200 if invite is not None else 404,
    )
    set_form_cookie(request, response, nonce)
    return response


@router.post("/invite/{secret}")
async def invite_post(secret: str, request: Request) -> Response:
    """Create the account, sign it in and show its booths."""
    office = office_of(request)
    form = await read_form(request)
    password = str(form.get("password", ""))
    try:
        check_form_token(request, str(form.get("csrf", "")))
        if password != str(form.get("password2", "")):
            raise Invalid("the two passwords differ")
        principal = await office.gate.accept_invite(secret[:100], password, client_address(request))
        session_secret = await asyncio.to_thread(office.accounts.open_session, principal)
    except RequestRefused as exc:
        invite = await asyncio.to_thread(office.invites.info, secret[:100])
        token, nonce = form_token(request, office)
        context = {"invite": invite, "form_token": token, "message": exc.message}
        response = render(request, "invite.html", context, status_code=exc.status)
        set_form_cookie(request, response, nonce)
        return response
    response = redirect(_home_of(principal))
    set_session_cookie(request, response, session_secret)
    return response
