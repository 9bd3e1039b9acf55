"""The speaker's pages: the one-time link (``/portal/speak/{secret}``) and their page after it.

Opening the link shows what the invitation is for; only the form's POST
uses it (link previews and scanners that fetch the page do not spend it).
Using it puts a speaker token in the ``metaexpo_speaker`` cookie and leads
to ``/portal/speaker``: the session, its slides (upload like booth files, the
page's CSRF token derived from the token) and the way into the hall, which
fetches a join token from ``GET /api/auth/pass?as=speaker`` (http/hallpass.py; the
same token as ``GET /api/forums/speaker/token``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from metaexpo.errors import NotSignedIn, RequestRefused
from metaexpo.http.forums_security import (
    SPEAKER_COOKIE,
    ForumsDep,
    forums_of,
    speaker_csrf_token,
)
from metaexpo.http.forums_wiring import Forums
from metaexpo.http.pages import (
    check_form_token,
    form_token,
    read_form,
    redirect,
    render,
    set_form_cookie,
)
from metaexpo.http.security import cookie_secure, office_of

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/forums", tags=["forums"])


@router.get("/portal/speak/{secret}")
async def link_page(secret: str, request: Request) -> Response:
    """What the invitation is for, and the button that uses it."""
    forums = forums_of(request)
    found = await asyncio.to_thread(forums.people.invite_info, secret)
    token, nonce = form_token(request, office_of(request))
    context: dict[str, Any] = {"invite": None, "forum": None, "form_csrf": token}
    if found is not None:
        speaker, forum = found
        context["invite"] = speaker
        context["forum"] = await asyncio.to_thread(forums.agenda.get, forum.id)
    response = render(
        request,
        "forum_speak.html",
        context,
        area="speaker_area",
        status_code=200 if found else 404,
    )
    set_form_cookie(request, response, nonce)
    return response


@router.post("/portal/speak/{secret}")
async def use_link(secret: str, request: Request) -> Response:
    """Sign the speaker in (once) and go to their page."""
    forums = forums_of(request)
    form = await read_form(request)
    try:
        check_form_token(request, str(form.get("csrf", "")))
        signed = await asyncio.to_thread(forums.people.accept, secret)
    except RequestRefused as exc:
        return render(
            request,
            "forum_speak.html",
            {"invite": None, "forum": None, "form_csrf": "", "message": exc.message},
            area="speaker_area",
            status_code=exc.status,
        )
    response = redirect("/portal/speaker")
    response.set_cookie(
        SPEAKER_COOKIE,
        signed.token.token,
        max_age=int(forums.settings.token_ttl_s),
        path="/",
        secure=cookie_secure(request, office_of(request)),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/portal/speaker")
async def speaker_page(request: Request) -> Response:
    """The signed-in speaker's session, slides and the way into the hall."""
    forums = forums_of(request)
    token = request.cookies.get(SPEAKER_COOKIE, "")
    actor = await asyncio.to_thread(forums.people.speaker_actor, token) if token else None
    if actor is None or actor.speaker_session is None:
        return render(
            request, "forum_speaker.html", {"speaker": None}, area="speaker_area", status_code=401
        )
    session_id = actor.speaker_session
    view = await asyncio.to_thread(forums.agenda.get, session_id)
    decks = await asyncio.to_thread(forums.decks.decks, session_id)
    context = {
        "speaker": actor,
        "session": view,
        "decks": [d.to_json() for d in decks],
        "csrf": speaker_csrf_token(office_of(request).keys.csrf, token),
    }
    return render(request, "forum_speaker.html", context, area="speaker_area")


@api.get("/speaker/token", summary="A join token for the signed-in speaker (cookie)")
def speaker_token(request: Request, forums: ForumsDep) -> dict[str, Any]:
    """For the hall's ``join``: the speaker signed in by their link's cookie gets a fresh
    speaker token (like ``GET /api/auth/token`` for accounts)."""
    found = speaker_pass(request, forums)
    if found is None:
        raise NotSignedIn("you are not signed in as a speaker; open your speaker link again")
    return {"token": found["token"], "expires": found["expires_at"], "session": found["session"]}


def speaker_pass(request: Request, forums: Forums) -> dict[str, Any] | None:
    """A fresh speaker token for the speaker the link's cookie signs in, or None (also for
    ``GET /api/auth/pass``)."""
    cookie = request.cookies.get(SPEAKER_COOKIE, "")
    actor = forums.people.speaker_actor(cookie) if cookie else None
    if actor is None or actor.key is None:
        return None
    issued = forums.people.reissue(actor.key, actor.name)
    return {
        "kind": "speaker",
        "token": issued.token,
        "expires_at": issued.expires,
        "session": actor.speaker_session,
    }
