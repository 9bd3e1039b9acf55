"""The staff console's forum pages (``/staff/forums``): schedule, people, slides, run a session.

Only staff see them. Every form does the same as the JSON API (and the
same services check and audit-log it): scheduling and editing sessions,
naming moderators, inviting speakers (the one-time link is shown once),
uploading slides (through the API, like booth uploads), and running a live
session: go live and end, slides, Q&A moderation, the hand queue, the stage.
"""

from __future__ import annotations

import asyncio
import zoneinfo
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from metaexpo.errors import ControlError, Invalid, RequestRefused
from metaexpo.forums.agenda import SessionDraft
from metaexpo.forums.roles import Actor
from metaexpo.http.forums_api import speaker_link, void_speaker
from metaexpo.http.forums_security import account_actor, forums_of
from metaexpo.http.pages import (
    check_form,
    console_staff,
    error_page,
    read_form,
    redirect,
    render,
)
from metaexpo.http.security import office_of
from metaexpo.protocol.forum_messages import parse_forum_message
from metaexpo.roles import Principal

router = APIRouter(prefix="/staff/forums", include_in_schema=False)


def _speakers_text(speakers: list[dict[str, Any]]) -> str:
    return "\n".join(
        " | ".join([s["name"]["zh"], s["name"]["en"], s["title"]["zh"], s["title"]["en"]])
        for s in speakers
    )


def _draft_from_form(form: Any) -> SessionDraft:
    """A session draft from the console's form fields (:class:`Invalid` naming the field)."""

    def field(name: str) -> str:
        return str(form.get(name, "")).strip()

    zone_name = field("time_zone") or "Asia/Shanghai"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
        day = date.fromisoformat(field("date"))
        start = time.fromisoformat(field("start"))
        end = time.fromisoformat(field("end"))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise Invalid(
            "write the date as YYYY-MM-DD, the times as HH:MM and an IANA time zone"
        ) from None
    speakers = []
    for line in field("speakers").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not all(parts):
            raise Invalid(f"a speaker line needs four parts separated by |: {line[:80]!r}")
        speakers.append(
            {"name": {"zh": parts[0], "en": parts[1]}, "title": {"zh": parts[2], "en": parts[3]}}
        )
    data = {
        "id": field("id") or None,
        "forum_hall": field("forum_hall"),
        "title": {"zh": field("title_zh"), "en": field("title_en")},
        "abstract": {"zh": field("abstract_zh"), "en": field("abstract_en")},
        "speakers": speakers,
        "starts_at": datetime.combine(day, start, tzinfo=zone),
        "ends_at": datetime.combine(day, end, tzinfo=zone),
        "time_zone": zone_name,
    }
    try:
        return SessionDraft.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(f"{where}: {str(first['msg']).removeprefix('Value error, ')}") from None


def _form_values(view: Any | None) -> dict[str, str]:
    if view is None:
        return {
            "id": "",
            "forum_hall": "",
            "title_zh": "",
            "title_en": "",
            "abstract_zh": "",
            "abstract_en": "",
            "date": "",
            "start": "",
            "end": "",
            "time_zone": "Asia/Shanghai",
            "speakers": "",
        }
    start, end = view.local_start, view.local_end
    return {
        "id": view.id,
        "forum_hall": view.forum_hall,
        "title_zh": view.title["zh"],
        "title_en": view.title["en"],
        "abstract_zh": view.abstract["zh"],
        "abstract_en": view.abstract["en"],
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "time_zone": view.time_zone,
        "speakers": _speakers_text(view.speakers),
    }


@router.get("")
@router.get("/")
async def list_page(request: Request) -> Response:
    """The agenda, with links to edit and run each session."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    forums = forums_of(request)
    sessions = await asyncio.to_thread(forums.agenda.sessions)
    halls = {f.id: f.title.model_dump() for f in forums.catalog.forum_halls}
    context = {"sessions": sessions, "halls": halls}
    return render(request, "forums.html", context, area="console", principal=staff)


async def _edit_page(
    request: Request,
    staff: Principal,
    session_id: str | None,
    *,
    values: dict[str, str] | None = None,
    speaker_url: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    forums = forums_of(request)
    view = None
    moderators: list[Any] = []
    speakers: list[Any] = []
    decks: list[Any] = []
    if session_id is not None:
        try:
            view = await asyncio.to_thread(forums.agenda.get, session_id)
        except RequestRefused as exc:
            return error_page(request, exc, staff, "/staff/forums")
        moderators = await asyncio.to_thread(forums.people.moderators, session_id)
        speakers = await asyncio.to_thread(forums.people.speakers, session_id)
        decks = await asyncio.to_thread(forums.decks.decks, session_id)
    context = {
        "session": view,
        "values": values or _form_values(view),
        "halls": [{"id": f.id, "title": f.title.model_dump()} for f in forums.catalog.forum_halls],
        "moderators": moderators,
        "speakers": speakers,
        "decks": [d.to_json() for d in decks],
        "speaker_url": speaker_url,
        "message": message,
    }
    return render(
        request,
        "forum_edit.html",
        context,
        area="console",
        principal=staff,
        status_code=status_code,
    )


@router.get("/new")
async def new_page(request: Request) -> Response:
    """The form for a new session."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    return await _edit_page(request, staff, None)


@router.post("/new")
async def create(request: Request) -> Response:
    """Schedule a session."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    forums = forums_of(request)
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        draft = _draft_from_form(form)
        view = await asyncio.to_thread(forums.agenda.create, account_actor(staff), draft)
    except RequestRefused as exc:
        values = {k: str(form.get(k, "")) for k in _form_values(None)}
        return await _edit_page(
            request, staff, None, values=values, message=exc.message, status_code=exc.status
        )
    _announce(request, view.id)
    return redirect(f"/staff/forums/{view.id}?done=forum_saved")


def _announce(request: Request, session_id: str) -> None:
    desk = forums_of(request).desk
    if desk is not None:
        desk.announce_agenda(session_id)


@router.get("/{session_id}")
async def edit_page(session_id: str, request: Request) -> Response:
    """One session: its details, moderators, speakers and slides."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    return await _edit_page(request, staff, session_id)


@router.post("/{session_id}")
async def save(session_id: str, request: Request) -> Response:
    """Save a scheduled session's changes."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    forums = forums_of(request)
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        draft = _draft_from_form(form)
        await asyncio.to_thread(forums.agenda.update, account_actor(staff), session_id, draft)
    except RequestRefused as exc:
        values = {k: str(form.get(k, "")) for k in _form_values(None)}
        return await _edit_page(
            request,
            staff,
            session_id,
            values=values,
            message=exc.message,
            status_code=exc.status,
        )
    _announce(request, session_id)
    return redirect(f"/staff/forums/{session_id}?done=forum_saved")


async def _people_action(request: Request, session_id: str, action: str, arg: str = "") -> Response:
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    forums = forums_of(request)
    actor = account_actor(staff)
    form = await read_form(request)
    speaker_url = None
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        people = forums.people
        if action == "delete":
            await asyncio.to_thread(forums.agenda.delete, actor, session_id)
            _announce(request, session_id)
            return redirect("/staff/forums?done=forum_deleted")
        if action == "moderator":
            login = str(form.get("login", ""))
            await asyncio.to_thread(people.name_moderator, actor, session_id, login)
        elif action == "unmoderate":
            await asyncio.to_thread(people.remove_moderator, actor, session_id, arg)
        elif action == "speaker":
            name = str(form.get("display_name", ""))
            secret, _ = await asyncio.to_thread(people.invite_speaker, actor, session_id, name)
            speaker_url = speaker_link(request, secret)
        elif action == "revoke":
            await asyncio.to_thread(people.revoke_speaker, actor, session_id, arg)
            await void_speaker(office_of(request), arg, actor.describe())
    except RequestRefused as exc:
        return await _edit_page(
            request, staff, session_id, message=exc.message, status_code=exc.status
        )
    if speaker_url is not None:
        return await _edit_page(request, staff, session_id, speaker_url=speaker_url)
    return redirect(f"/staff/forums/{session_id}")


@router.post("/{session_id}/delete")
async def delete(session_id: str, request: Request) -> Response:
    """Delete a scheduled session."""
    return await _people_action(request, session_id, "delete")


@router.post("/{session_id}/moderators")
async def add_moderator(session_id: str, request: Request) -> Response:
    """Name an account moderator of the session."""
    return await _people_action(request, session_id, "moderator")


@router.post("/{session_id}/moderators/{login}/remove")
async def remove_moderator(session_id: str, login: str, request: Request) -> Response:
    """The account no longer moderates the session."""
    return await _people_action(request, session_id, "unmoderate", login)


@router.post("/{session_id}/speakers")
async def invite_speaker(session_id: str, request: Request) -> Response:
    """Invite a speaker; the page shows the one-time link once."""
    return await _people_action(request, session_id, "speaker")


@router.post("/{session_id}/speakers/{speaker_id}/revoke")
async def revoke_speaker(session_id: str, speaker_id: str, request: Request) -> Response:
    """The speaker's link and sign-in stop working."""
    return await _people_action(request, session_id, "revoke", speaker_id)


# --- running a session ---------------------------------------------------------------------------


async def _run_page(
    request: Request,
    staff: Principal,
    session_id: str,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    forums = forums_of(request)
    try:
        view = await asyncio.to_thread(forums.agenda.get, session_id)
    except RequestRefused as exc:
        return error_page(request, exc, staff, "/staff/forums")
    snapshot = await asyncio.to_thread(forums.store.load, session_id)
    questions = await asyncio.to_thread(forums.questions.queue, session_id)
    hands, invited = snapshot.live.hand_queue()
    replay = None
    if view.state == "replay":
        replay = await asyncio.to_thread(forums.replays.view, session_id)
    context = {
        "session": view,
        "live": snapshot.live,
        "version": snapshot.version,
        "questions": questions,
        "hands": hands,
        "invited": invited,
        "replay": replay,
        "message": message,
    }
    return render(
        request,
        "forum_run.html",
        context,
        area="console",
        principal=staff,
        status_code=status_code,
    )


@router.get("/{session_id}/run")
async def run_page(session_id: str, request: Request) -> Response:
    """The live desk of one session."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    return await _run_page(request, staff, session_id)


def _message_from_form(session_id: str, form: Any) -> dict[str, Any]:
    """The forum control message a run-page button stands for."""
    kind = str(form.get("type", ""))
    data: dict[str, Any] = {"type": kind, "session": session_id}
    for key in ("action", "to", "question", "id", "seconds", "on"):
        value = form.get(key)
        if value is None or value == "":
            continue
        text = str(value)
        if key in ("question", "id", "seconds") or (key == "to" and text.isdigit()):
            data[key] = int(text) if text.isdigit() else text
        elif key == "on":
            data[key] = text == "true"
        else:
            data[key] = text
    return data


@router.post("/{session_id}/run")
async def run_action(session_id: str, request: Request) -> Response:
    """One action of the live desk (a forum control message, as on the socket)."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    forums = forums_of(request)
    form = await read_form(request)
    actor: Actor = account_actor(staff)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        message = parse_forum_message(_message_from_form(session_id, form))
        if forums.desk is None:
            raise Invalid("the forums are starting; try again in a moment")
        await forums.desk.act(actor, message)
    except ControlError as exc:
        return await _run_page(request, staff, session_id, exc.message, 422)
    except RequestRefused as exc:
        return await _run_page(request, staff, session_id, exc.message, exc.status)
    return redirect(f"/staff/forums/{session_id}/run")
