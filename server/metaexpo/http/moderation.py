"""Moderating the live hall from the staff console and the JSON API (docs/moderation.md).

The same actions as a moderator's ``mod.*`` messages inside the hall, made
by :class:`~metaexpo.gateway.moderation.HallModeration`: written to the
shared trust ledger (every node acts on them at once) and the audit log.

| method | path | |
|---|---|---|
| GET | /api/staff/moderation?room= | people, recent chat, open reports, bans and mutes, slow mode |
| POST | /api/staff/moderation/actions | ``{action: mute / unmute / kick / ban, room, target, …}`` |
| POST | /api/staff/moderation/delete | ``{room, ids}`` |
| POST | /api/staff/moderation/slow | ``{room, seconds}`` |
| POST | /api/staff/moderation/bans/lift | ``{key}`` |
| GET | /api/staff/reports?all= | reports, newest first |
| POST | /api/staff/reports/{id}/close | ``{outcome}`` |

Pages: ``/staff/moderation`` (cookie, zh / en) with the same, as forms.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from metaexpo.errors import Busy, Invalid, NotFound, RequestRefused
from metaexpo.gateway.moderation import HallModeration, until_text
from metaexpo.http.pages import (
    check_form,
    console_staff,
    error_page,
    read_form,
    redirect,
    render,
)
from metaexpo.http.security import Caller, office_of
from metaexpo.moderation.actions import Actor
from metaexpo.protocol.moderation import MAX_BAN_HOURS, MAX_MUTE_MINUTES, MAX_SLOW_SECONDS
from metaexpo.roles import Principal, require_staff
from metaexpo.store.reports import ReportView, close_report, list_reports

router = APIRouter(prefix="/api/staff", tags=["moderation"])
pages = APIRouter(prefix="/staff/moderation", include_in_schema=False)

Reason = Annotated[str, StringConstraints(max_length=300)]


class ActionRequest(BaseModel):
    """One action on one visitor, named by room and avatar id."""

    action: Literal["mute", "unmute", "kick", "ban"]
    room: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "main"
    target: Annotated[int, Field(ge=0, le=0xFFFFFF)]
    minutes: Annotated[int, Field(ge=1, le=MAX_MUTE_MINUTES)] = 10
    hours: Annotated[int, Field(ge=1, le=MAX_BAN_HOURS)] = 24
    reason: Reason = ""


class DeleteRequest(BaseModel):
    """Chat lines to remove from every client."""

    room: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "main"
    ids: Annotated[list[Annotated[str, StringConstraints(max_length=80)]], Field(max_length=50)]


class SlowRequest(BaseModel):
    """Chat slow mode of a room (0: off)."""

    room: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "main"
    seconds: Annotated[int, Field(ge=0, le=MAX_SLOW_SECONDS)]


class LiftRequest(BaseModel):
    """A ban to end early (its key from the overview)."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CloseRequest(BaseModel):
    """What was done about a report."""

    outcome: Annotated[str, StringConstraints(min_length=1, max_length=300)]


def moderation_of(request: Request) -> HallModeration:
    """The node's hall moderation (503 while the service starts or stops)."""
    moderation: HallModeration | None = getattr(request.app.state, "moderation", None)
    if moderation is None:
        raise Busy("the hall is not running on this server right now", 5)
    return moderation


def actor(principal: Principal) -> Actor:
    """How the audit log names a staff member acting from the console or the API."""
    return Actor(principal.describe(), principal.user_id)


async def act(moderation: HallModeration, who: Actor, body: ActionRequest) -> dict[str, Any]:
    """Carry out one action on one visitor; what the answer says."""
    if body.action == "mute":
        target = await moderation.mute(who, body.room, body.target, body.minutes, body.reason)
    elif body.action == "unmute":
        target = await moderation.unmute(who, body.room, body.target)
    elif body.action == "kick":
        target = await moderation.kick(who, body.room, body.target, body.reason)
    else:
        target = await moderation.ban(who, body.room, body.target, body.hours, body.reason)
    return {"action": body.action, "target": target.wire, "name": target.name}


def _reports(request: Request, *, open_only: bool) -> list[ReportView]:
    office = office_of(request)
    with office.db.reading() as session:
        return list_reports(session, open_only=open_only)


async def overview(request: Request, room: str) -> dict[str, Any]:
    """Everything a moderator looks at for ``room`` (as this node knows it)."""
    moderation = moderation_of(request)
    if room not in moderation.hub.rooms:
        raise NotFound(f"there is no room {room!r}; rooms: {', '.join(moderation.hub.rooms)}")
    reports = await asyncio.to_thread(_reports, request, open_only=True)
    return {
        "rooms": list(moderation.hub.rooms),
        "room": room,
        "slow_mode_s": moderation.chat_gap_s(room),
        "people": moderation.people(room),
        "chat": moderation.recent_chat(room),
        "reports": [r.to_json() for r in reports],
        "bans": [
            {
                "key": e.key,
                "until": e.until,
                "until_text": until_text(e.until),
                "reason": e.reason,
                "by": e.by,
            }
            for e in moderation.ledger.entries("ban")
        ],
        "mutes": [
            {
                "key": e.key,
                "until": e.until,
                "until_text": until_text(e.until),
                "reason": e.reason,
                "by": e.by,
            }
            for e in moderation.ledger.entries("mute")
        ],
    }


# --- the JSON API ------------------------------------------------------------------------------


@router.get("/moderation", summary="The live hall as moderators see it")
async def moderation_overview(
    caller: Caller, request: Request, room: Annotated[str, Query(max_length=64)] = "main"
) -> dict[str, Any]:
    """People (this node's visitors and others' by name), recent chat, open reports, bans."""
    require_staff(caller)
    return await overview(request, room)


@router.post("/moderation/actions", summary="Mute, unmute, kick or ban a visitor")
async def moderation_action(
    body: ActionRequest, caller: Caller, request: Request
) -> dict[str, Any]:
    """On every node at once; audit-logged. Staff cannot be targeted (403)."""
    require_staff(caller)
    return await act(moderation_of(request), actor(caller), body)


@router.post("/moderation/delete", status_code=204, summary="Delete chat lines")
async def moderation_delete(body: DeleteRequest, caller: Caller, request: Request) -> Response:
    """The lines vanish from every client on every node."""
    require_staff(caller)
    await moderation_of(request).delete(actor(caller), body.room, body.ids)
    return Response(status_code=204)


@router.post("/moderation/slow", status_code=204, summary="Chat slow mode of a room")
async def moderation_slow(body: SlowRequest, caller: Caller, request: Request) -> Response:
    """One line per visitor per ``seconds`` (0: off), on every node."""
    require_staff(caller)
    await moderation_of(request).slow(actor(caller), body.room, body.seconds)
    return Response(status_code=204)


@router.post("/moderation/bans/lift", status_code=204, summary="End a ban early")
async def moderation_lift(body: LiftRequest, caller: Caller, request: Request) -> Response:
    """The visitor may join again."""
    require_staff(caller)
    await moderation_of(request).lift_ban(actor(caller), body.key)
    return Response(status_code=204)


@router.get("/reports", summary="Visitors' reports, newest first")
async def reports(
    caller: Caller, request: Request, all_reports: Annotated[bool, Query(alias="all")] = False
) -> list[dict[str, Any]]:
    """Open ones only, unless ``all=true``."""
    require_staff(caller)
    found = await asyncio.to_thread(_reports, request, open_only=not all_reports)
    return [r.to_json() for r in found]


def _close(request: Request, report_id: int, who: Actor, outcome: str) -> ReportView:
    office = office_of(request)
    with office.db.transaction() as session:
        closed = close_report(session, report_id, who.description, who.user_id, outcome)
    if closed is None:
        raise NotFound(f"there is no open report {report_id}")
    return closed


@router.post("/reports/{report_id}/close", summary="Close a report, saying what was done")
async def close(
    report_id: int, body: CloseRequest, caller: Caller, request: Request
) -> dict[str, Any]:
    """Audit-logged."""
    require_staff(caller)
    closed = await asyncio.to_thread(_close, request, report_id, actor(caller), body.outcome)
    return closed.to_json()


# --- the console page --------------------------------------------------------------------------


@pages.get("")
async def moderation_page(request: Request) -> Response:
    """Reports, people in the hall with mute / kick / ban, recent chat with delete, slow mode."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    room = request.query_params.get("room", "main")[:64]
    try:
        context = await overview(request, room)
    except RequestRefused as exc:
        return error_page(request, exc, staff, "/staff")
    return render(request, "moderation.html", context, area="console", principal=staff)


async def _form_action(request: Request, work: str) -> Response:
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    room = str(form.get("room", "main"))[:64]
    back = f"/staff/moderation?room={room}"
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        moderation, who = moderation_of(request), actor(staff)
        if work == "act":
            body = ActionRequest.model_validate(
                {
                    "action": form.get("action"),
                    "room": room,
                    "target": form.get("target"),
                    "minutes": form.get("minutes") or 10,
                    "hours": form.get("hours") or 24,
                    "reason": str(form.get("reason", "")),
                }
            )
            await act(moderation, who, body)
        elif work == "delete":
            await moderation.delete(who, room, [str(form.get("id", ""))[:80]])
        elif work == "slow":
            seconds = SlowRequest.model_validate({"room": room, "seconds": form.get("seconds")})
            await moderation.slow(who, room, seconds.seconds)
        elif work == "lift":
            await moderation.lift_ban(who, str(form.get("key", ""))[:200])
        else:
            report_id = int(str(form.get("report", "0")) or 0)
            outcome = str(form.get("outcome", "")).strip()[:300] or "reviewed"
            await asyncio.to_thread(_close, request, report_id, who, outcome)
    except RequestRefused as exc:
        return error_page(request, exc, staff, back)
    except ValueError as exc:  # pydantic's ValidationError, int()
        return error_page(request, Invalid(f"the form is not valid: {exc}"), staff, back)
    return redirect(back + "&done=moderated")


@pages.post("/act")
async def page_act(request: Request) -> Response:
    """Mute, unmute, kick or ban from the console."""
    return await _form_action(request, "act")


@pages.post("/delete")
async def page_delete(request: Request) -> Response:
    """Delete a chat line from the console."""
    return await _form_action(request, "delete")


@pages.post("/slow")
async def page_slow(request: Request) -> Response:
    """Set or end slow mode from the console."""
    return await _form_action(request, "slow")


@pages.post("/lift")
async def page_lift(request: Request) -> Response:
    """End a ban early from the console."""
    return await _form_action(request, "lift")


@pages.post("/close")
async def page_close(request: Request) -> Response:
    """Close a report from the console."""
    return await _form_action(request, "close")
