"""The forums' JSON API (``/api/forums``): the agenda, calendars, replays, and running sessions.

| method | path | who |
|---|---|---|
| GET | /api/forums | anyone: the agenda |
| GET | /api/forums/agenda.ics, /api/forums/sessions/{id}.ics | anyone: calendar files |
| GET | /api/forums/sessions/{id} | anyone: one session, its live state, its replay |
| GET | /api/forums/sessions/{id}/questions | anyone: the top questions |
| GET | /api/forums/sessions/{id}/replay | anyone: audio URL, slide timeline, answered questions |
| GET | /api/forums/files/{sha256}.{jpg,ogg} | anyone: slide pictures and replay audio |
| POST | /api/forums/sessions | staff: schedule a session |
| PUT, DELETE | /api/forums/sessions/{id} | staff: change or delete a scheduled session |
| GET | /api/forums/sessions/{id}/roles | signed in: the caller's roles in the session |
| GET, PUT, DELETE | /api/forums/sessions/{id}/moderators[/{login}] | staff |
| GET, POST, DELETE | /api/forums/sessions/{id}/speakers[/{speaker_id}] | staff: invite, revoke |
| POST | /api/forums/speakers/{secret}/accept | anyone with a speaker link (once) |
| GET, POST | /api/forums/sessions/{id}/slides | staff, speakers (GET: moderators too) |
| GET | /api/forums/sessions/{id}/live | staff, moderators: state, hands, question queue |
| POST | /api/forums/sessions/{id}/live | by role: a forum control message (docs/protocol.md) |

Every change is audit-logged and checked against the caller's role in the
session on the server (docs/forums.md).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, StringConstraints, ValidationError

from metaexpo.booths.receive import check_declared_length
from metaexpo.errors import ControlError, Invalid, NotFound
from metaexpo.forums.agenda import SessionDraft
from metaexpo.forums.decks import check_deck_name
from metaexpo.forums.desk import ForumDesk
from metaexpo.forums.files import servable
from metaexpo.forums.ics import calendar
from metaexpo.forums.people import speaker_subject
from metaexpo.forums.roles import ForumAction, require
from metaexpo.forums.states import ForumState
from metaexpo.http.assets import immutable_file
from metaexpo.http.forums_security import (
    ForumCaller,
    ForumsDep,
    forums_of,
    require_staff_actor,
)
from metaexpo.http.forums_wiring import Forums
from metaexpo.http.office import BackOffice
from metaexpo.http.security import Office
from metaexpo.models.store import object_path
from metaexpo.protocol.forum_messages import parse_forum_message

router = APIRouter(prefix="/api/forums", tags=["forums"])

Lang = Literal["zh", "en"]
_RAW_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class SpeakerInvite(BaseModel):
    """Who is invited to speak (the name shown to staff and on stage)."""

    display_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]


def _hall_names(forums: Forums) -> dict[str, dict[str, str]]:
    return {f.id: {"zh": f.title.zh, "en": f.title.en} for f in forums.catalog.forum_halls}


def _desk(forums: Forums) -> ForumDesk:
    if forums.desk is None:
        raise NotFound("the forums are starting; try again in a moment")
    return forums.desk


def _live_public(forums: Forums, session_id: str) -> dict[str, Any] | None:
    desk = forums.desk
    if desk is None:
        return None
    snapshot = desk.snapshots.get(session_id)
    return None if snapshot is None else desk.public(snapshot)


# --- the agenda (public) -------------------------------------------------------------------------


@router.get("", summary="The agenda: forum halls and sessions in order of start")
def agenda(forums: ForumsDep) -> dict[str, Any]:
    """Times are UTC instants with each session's local times beside them."""
    return {
        "time_zone": forums.catalog.time_zone,
        "forum_halls": [
            {
                "id": f.id,
                "hall": f.hall,
                "title": {"zh": f.title.zh, "en": f.title.en},
                "stage": {"x": list(f.stage.x), "z": list(f.stage.z), "height": f.stage_height},
                "area": {"x": list(f.area.x), "z": list(f.area.z)},
                "seats": len(f.seats),
            }
            for f in forums.catalog.forum_halls
        ],
        "sessions": [v.to_json() for v in forums.agenda.sessions()],
        "calendar": "/api/forums/agenda.ics",
    }


def _ics_response(text: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-cache",
        },
    )


@router.get("/agenda.ics", summary="The whole agenda as a calendar (RFC 5545)")
def agenda_ics(request: Request, forums: ForumsDep, lang: Lang = "en") -> Response:
    """One VEVENT per session; UIDs never change, so calendars update in place."""
    catalog = forums.catalog
    text = calendar(
        forums.agenda.sessions(),
        lang=lang,
        uid_domain=forums.uid_domain,
        base_url=str(request.base_url),
        hall_names=_hall_names(forums),
        name=catalog.title.zh if lang == "zh" else catalog.title.en,
    )
    return _ics_response(text, "metaexpo-forums.ics")


@router.get("/sessions/{session_id}.ics", summary="One session as a calendar event")
def session_ics(
    session_id: str, request: Request, forums: ForumsDep, lang: Lang = "en"
) -> Response:
    """ "Add to calendar" for one session."""
    view = forums.agenda.get(session_id)
    text = calendar(
        [view],
        lang=lang,
        uid_domain=forums.uid_domain,
        base_url=str(request.base_url),
        hall_names=_hall_names(forums),
        name=view.title.get(lang) or view.title["en"],
    )
    return _ics_response(text, f"{session_id}.ics")


@router.get("/sessions/{session_id}", summary="One session, its live state and its replay")
def session(session_id: str, forums: ForumsDep) -> dict[str, Any]:
    """``live`` is the ``forum.state`` message of a session this node knows live."""
    view = forums.agenda.get(session_id)
    return {
        **view.to_json(),
        "live": _live_public(forums, session_id),
        "replay": f"/api/forums/sessions/{session_id}/replay"
        if view.state == ForumState.REPLAY
        else None,
    }


@router.get("/sessions/{session_id}/questions", summary="The top questions of a session")
def questions(session_id: str, forums: ForumsDep) -> list[dict[str, Any]]:
    """Approved, not yet answered: pinned first, then by votes."""
    forums.agenda.get(session_id)
    return [q.public() for q in forums.questions.top(session_id)]


@router.get("/sessions/{session_id}/replay", summary="A session's replay")
def replay(session_id: str, forums: ForumsDep) -> dict[str, Any]:
    """The stage audio (Ogg Opus), the slides with when they were shown, answered questions."""
    return forums.replays.view(session_id)


@router.get("/files/{name}", summary="A slide picture or replay audio by its hash")
async def file(name: str, request: Request, forums: ForumsDep) -> Response:
    """Content-addressed, cached forever."""

    def look_up() -> tuple[str, str] | None:
        with forums.agenda.db.reading() as session:
            return servable(session, name)

    found = await asyncio.to_thread(look_up)
    if found is None:
        raise NotFound(f"no file {name!r}")
    sha256, media_type = found
    root = forums.decks.store_root
    return immutable_file(request, object_path(root, sha256), sha256, media_type)


# --- staff: scheduling ---------------------------------------------------------------------------


@router.post("/sessions", status_code=201, summary="Schedule a session (staff)")
async def create_session(
    body: SessionDraft, caller: ForumCaller, request: Request
) -> dict[str, Any]:
    """A new scheduled session: ``forum_hall``, ``title`` and ``abstract`` ({zh, en}),
    ``speakers``, ``starts_at``/``ends_at`` (ISO 8601 with offset), ``time_zone``, and an
    optional ``id`` (made from the English title otherwise)."""
    forums = forums_of(request)
    require_staff_actor(caller)
    view = await asyncio.to_thread(forums.agenda.create, caller, body)
    _announce(forums, view.id)
    return view.to_json()


@router.put("/sessions/{session_id}", summary="Change a scheduled session (staff)")
async def update_session(
    session_id: str, body: SessionDraft, caller: ForumCaller, request: Request
) -> dict[str, Any]:
    """Same body as creating (``id`` is ignored: a session keeps its id)."""
    forums = forums_of(request)
    require_staff_actor(caller)
    view = await asyncio.to_thread(forums.agenda.update, caller, session_id, body)
    _announce(forums, session_id)
    return view.to_json()


@router.delete("/sessions/{session_id}", status_code=204, summary="Delete a scheduled session")
async def delete_session(session_id: str, caller: ForumCaller, request: Request) -> Response:
    """Staff only; the id is never used again."""
    forums = forums_of(request)
    require_staff_actor(caller)
    await asyncio.to_thread(forums.agenda.delete, caller, session_id)
    _announce(forums, session_id)
    return Response(status_code=204)


def _announce(forums: Forums, session_id: str) -> None:
    """Tell every visitor on every node that the agenda changed (on the event loop)."""
    if forums.desk is not None:
        forums.desk.announce_agenda(session_id)


@router.get("/sessions/{session_id}/roles", summary="The caller's roles in a session")
def roles(session_id: str, caller: ForumCaller, forums: ForumsDep) -> dict[str, Any]:
    """staff, moderator, speaker, audience."""
    found = forums.people.roles(session_id, caller)
    return {"session": session_id, "roles": sorted(str(r) for r in found)}


# --- staff: people -------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/moderators", summary="A session's moderators (staff)")
def moderators(session_id: str, caller: ForumCaller, forums: ForumsDep) -> list[dict[str, Any]]:
    """Accounts staff named."""
    require_staff_actor(caller)
    return [m.to_json() for m in forums.people.moderators(session_id)]


@router.put("/sessions/{session_id}/moderators/{login}", summary="Name a moderator (staff)")
def name_moderator(
    session_id: str, login: str, caller: ForumCaller, forums: ForumsDep
) -> dict[str, Any]:
    """The account ``login`` (exhibitor or staff) moderates the session."""
    require_staff_actor(caller)
    return forums.people.name_moderator(caller, session_id, login).to_json()


@router.delete(
    "/sessions/{session_id}/moderators/{login}", status_code=204, summary="Remove a moderator"
)
def remove_moderator(
    session_id: str, login: str, caller: ForumCaller, forums: ForumsDep
) -> Response:
    """Staff only."""
    require_staff_actor(caller)
    forums.people.remove_moderator(caller, session_id, login)
    return Response(status_code=204)


def speaker_link(request: Request, secret: str) -> str:
    """The absolute one-time link a speaker opens."""
    return str(request.base_url).rstrip("/") + f"/portal/speak/{secret}"


@router.get("/sessions/{session_id}/speakers", summary="A session's speakers (staff)")
def speakers(session_id: str, caller: ForumCaller, forums: ForumsDep) -> list[dict[str, Any]]:
    """Invited speakers; links are never shown again."""
    require_staff_actor(caller)
    return [s.to_json() for s in forums.people.speakers(session_id)]


@router.post("/sessions/{session_id}/speakers", status_code=201, summary="Invite a speaker")
def invite_speaker(
    session_id: str, body: SpeakerInvite, request: Request, caller: ForumCaller, forums: ForumsDep
) -> dict[str, Any]:
    """A one-time link (shown only in this answer) that signs the speaker in to this session."""
    require_staff_actor(caller)
    secret, view = forums.people.invite_speaker(caller, session_id, body.display_name)
    return {"speaker": view.to_json(), "url": speaker_link(request, secret)}


@router.delete(
    "/sessions/{session_id}/speakers/{speaker_id}", status_code=204, summary="Revoke a speaker"
)
async def revoke_speaker(
    session_id: str, speaker_id: str, caller: ForumCaller, forums: ForumsDep, office: Office
) -> Response:
    """The speaker's link and tokens stop working at once, in the hall too (every node)."""
    require_staff_actor(caller)
    await asyncio.to_thread(forums.people.revoke_speaker, caller, session_id, speaker_id)
    await void_speaker(office, speaker_id, caller.describe())
    return Response(status_code=204)


async def void_speaker(office: BackOffice, speaker_id: str, by: str) -> None:
    """Close a revoked speaker's hall connections and refuse their tokens at the next join,
    on every node (the forum routes check the speaker's row themselves)."""
    await office.gate.revoke_account(
        speaker_subject(speaker_id), by, "your speaker invitation was withdrawn"
    )


@router.post("/speakers/{secret}/accept", summary="Use a speaker link: a speaker token")
def accept_speaker(
    secret: Annotated[str, StringConstraints(max_length=100)], forums: ForumsDep
) -> dict[str, Any]:
    """Works once. The token signs the speaker in to the JSON API (slides) and to the hall
    (``join`` with ``token``), as a speaker of this session only."""
    signed = forums.people.accept(secret)
    return {
        "token": signed.token.token,
        "expires": signed.token.expires,
        "speaker": signed.speaker.to_json(),
    }


# --- slides ------------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/slides", summary="A session's slide decks")
def decks(session_id: str, caller: ForumCaller, forums: ForumsDep) -> list[dict[str, Any]]:
    """Staff, moderators and speakers of the session."""
    require(ForumAction.TURN_SLIDES, forums.people.roles(session_id, caller), session_id)
    return [d.to_json() for d in forums.decks.decks(session_id)]


@router.post(
    "/sessions/{session_id}/slides",
    status_code=201,
    summary="Upload slides: a PDF or a picture (staff, speakers)",
    responses={
        413: {"description": "larger than --slides-max-bytes"},
        422: {"description": "refused: detail names the problem (code, message)"},
        503: {"description": "too many uploads at once; try again"},
    },
    openapi_extra=_RAW_BODY,
)
async def upload_slides(
    session_id: str,
    request: Request,
    caller: ForumCaller,
    office: Office,
    filename: Annotated[str, Query(max_length=255, description="the file's name")] = "slides.pdf",
) -> JSONResponse:
    """Every page of a PDF becomes a picture (1920 px on its longer side); a picture becomes
    a one-page deck. The new deck is the one the session shows when it goes live."""
    forums = forums_of(request)
    limit = forums.settings.slides_max_bytes
    check_declared_length(request.headers.get("content-length"), limit, "slide file")
    name = check_deck_name(filename)
    roles = await asyncio.to_thread(forums.people.roles, session_id, caller)
    require(ForumAction.UPLOAD_SLIDES, roles, session_id)
    await asyncio.to_thread(forums.decks.check_open, session_id)
    account = caller.key or "anonymous"
    async with office.uploads.receiving(account, request.stream(), limit, "slide file") as path:
        deck = await forums.decks.add(caller, session_id, path, name)
    return JSONResponse(deck.to_json(), status_code=201)


# --- running a session ---------------------------------------------------------------------------


@router.get("/sessions/{session_id}/live", summary="Run a session: state, hands, question queue")
async def live_view(session_id: str, caller: ForumCaller, request: Request) -> dict[str, Any]:
    """Staff and the session's moderators."""
    forums = forums_of(request)
    roles = await asyncio.to_thread(forums.people.roles, session_id, caller)
    require(ForumAction.WATCH, roles, session_id)
    snapshot = await asyncio.to_thread(forums.store.load, session_id)
    hands, invited = snapshot.live.hand_queue()
    queue = await asyncio.to_thread(forums.questions.queue, session_id)
    desk = _desk(forums)
    return {
        **desk.public(snapshot),
        "hands": hands,
        "invited": invited,
        "questions": [q.full() for q in queue],
    }


@router.post(
    "/sessions/{session_id}/live",
    summary="Do something in a session: a forum control message",
    responses={
        403: {"description": "the caller's role in the session does not allow it"},
        409: {"description": "not possible now (e.g. the session is not live)"},
    },
)
async def live_action(
    session_id: str,
    body: Annotated[dict[str, Any], Body(examples=[{"type": "forum.slide", "to": "next"}])],
    caller: ForumCaller,
    request: Request,
) -> dict[str, Any]:
    """The body is a client message of docs/protocol.md (Forums) without ``session``:
    ``forum.session`` (go live, end), ``forum.slide``, ``forum.moderate``, ``forum.stage``,
    ``forum.mic`` (cut), ``forum.slow``, ``forum.question``. Answers the new state (or the
    question concerned)."""
    forums = forums_of(request)
    try:
        message = parse_forum_message({**body, "session": session_id})
    except ControlError as exc:
        raise Invalid(exc.message) from None
    except ValidationError as exc:  # pragma: no cover - parse_forum_message wraps these
        raise Invalid(str(exc)) from None
    result: dict[str, Any] = await _desk(forums).act(caller, message)
    return result
