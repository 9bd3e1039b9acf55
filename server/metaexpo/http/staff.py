"""The staff API (``/api/staff``): accounts, invites, booth assignment, moderation, audit log.

Every route needs a staff account (403 for exhibitors, 401 without
credentials); the checks are made again by the services underneath.

| method | path |
|---|---|
| GET | /api/staff/users |
| POST | /api/staff/users/{login}/disable, …/enable, …/signout |
| GET, POST | /api/staff/invites |
| GET | /api/staff/booths |
| PUT, DELETE | /api/staff/booths/{booth_id}/owners/{login} |
| GET | /api/staff/queue |
| GET | /api/staff/revisions/{id} |
| POST | /api/staff/revisions/{id}/approve, …/refuse |
| GET | /api/staff/audit |
| GET, PUT | /api/staff/rooms/{room_id}/voice |
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.http.links import absolute
from metaexpo.http.office import approve_and_publish
from metaexpo.http.security import Caller, Office, office_of
from metaexpo.roles import require_staff
from metaexpo.store.audit import recent
from metaexpo.store.quietplaces import save_quiet_places

router = APIRouter(prefix="/api/staff", tags=["staff"])


class InviteRequest(BaseModel):
    """Who to invite, as what, and which booths they will manage."""

    login: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    role: Literal["exhibitor", "staff"] = "exhibitor"
    booths: Annotated[list[str], Field(max_length=64)] = Field(default_factory=list)


Area = tuple[float, float, float, float]


class QuietPlaces(BaseModel):
    """Where nobody may talk in a hall: all of it, or named areas (x0, x1, z0, z1) of its floor."""

    model_config = ConfigDict(extra="forbid")

    quiet_hall: bool = False
    quiet_zones: Annotated[
        dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], Area],
        Field(max_length=64),
    ] = Field(default_factory=dict)


class RefuseRequest(BaseModel):
    """Why the submission is refused: the exhibitor reads this."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


def invite_url(request: Request, secret: str) -> str:
    """The absolute link an invited person opens (from --public-url, never the Host header)."""
    return absolute(request, f"/portal/invite/{secret}")


@router.get("/users", summary="Every account and its booths")
def users(caller: Caller, office: Office) -> list[dict[str, object]]:
    """Staff and exhibitors."""
    return [u.to_json() for u in office.admin.users(caller)]


@router.post("/users/{login}/disable", status_code=204, summary="Disable an account")
async def disable(login: str, caller: Caller, office: Office) -> Response:
    """Signed out everywhere at once; its tokens stop working on every node, and its hall
    connections are closed."""
    user_id = await asyncio.to_thread(office.admin.set_disabled, caller, login, True)
    await office.gate.revoke_account(user_id, caller.describe(), "the account was disabled")
    return Response(status_code=204)


@router.post("/users/{login}/signout", status_code=204, summary="Sign an account out everywhere")
async def sign_out_everywhere(login: str, caller: Caller, office: Office) -> Response:
    """Every session and token of the account stops working on every node (it may sign in
    again); its hall connections are closed."""
    user_id = await asyncio.to_thread(office.admin.sign_out_everywhere, caller, login)
    await office.gate.revoke_account(user_id, caller.describe(), "signed out by expo staff")
    return Response(status_code=204)


@router.post("/users/{login}/enable", status_code=204, summary="Enable an account again")
def enable(login: str, caller: Caller, office: Office) -> Response:
    """The account can sign in again."""
    office.admin.set_disabled(caller, login, False)
    return Response(status_code=204)


@router.get("/invites", summary="Every invite")
def invites(caller: Caller, office: Office) -> list[dict[str, object]]:
    """Newest first; secrets are never shown again."""
    return [i.to_json() for i in office.invites.all(caller)]


@router.post("/invites", status_code=201, summary="Invite an exhibitor (or staff)")
def create_invite(
    body: InviteRequest, request: Request, caller: Caller, office: Office
) -> dict[str, object]:
    """A one-time link (shown only in this answer): the person sets a password there."""
    secret, invite = office.invites.create(
        caller, body.login, body.display_name, body.role, body.booths
    )
    return {"invite": invite.to_json(), "url": invite_url(request, secret)}


@router.get("/booths", summary="Every booth: owners and where its work stands")
def booths(caller: Caller, office: Office) -> list[dict[str, object]]:
    """In catalog order."""
    require_staff(caller)
    return [s.to_json() for s in office.editing.summaries(caller)]


@router.put("/booths/{booth_id}/owners/{login}", status_code=204, summary="Assign a booth")
def assign(booth_id: str, login: str, caller: Caller, office: Office) -> Response:
    """The exhibitor ``login`` may now edit booth ``booth_id``."""
    office.admin.assign(caller, booth_id, login)
    return Response(status_code=204)


@router.delete("/booths/{booth_id}/owners/{login}", status_code=204, summary="Unassign a booth")
def unassign(booth_id: str, login: str, caller: Caller, office: Office) -> Response:
    """The exhibitor ``login`` may no longer edit booth ``booth_id``."""
    office.admin.unassign(caller, booth_id, login)
    return Response(status_code=204)


@router.get("/queue", summary="Submissions waiting for a decision")
def queue(caller: Caller, office: Office) -> list[dict[str, Any]]:
    """Oldest first."""
    return [r.to_json() for r in office.moderation.queue(caller)]


@router.get("/revisions/{revision_id}", summary="One revision and the booth's live state")
def review(revision_id: int, caller: Caller, office: Office) -> dict[str, Any]:
    """What staff compare before deciding."""
    revision, live = office.moderation.review(caller, revision_id)
    return {"revision": revision.to_json(), "live": live}


@router.post("/revisions/{revision_id}/approve", summary="Approve and put live")
async def approve(revision_id: int, caller: Caller, request: Request) -> dict[str, Any]:
    """The booth goes live now; every connected client swaps it (a ``booth`` message)."""
    return await approve_and_publish(office_of(request), request.app.state.hub, caller, revision_id)


@router.post("/revisions/{revision_id}/refuse", status_code=204, summary="Refuse with a reason")
async def refuse(
    revision_id: int, body: RefuseRequest, caller: Caller, request: Request
) -> Response:
    """The exhibitor sees the reason and can submit a new version."""
    await asyncio.to_thread(office_of(request).moderation.refuse, caller, revision_id, body.reason)
    return Response(status_code=204)


@router.get("/audit", summary="The audit log, newest first")
def audit(
    caller: Caller,
    office: Office,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    target: Annotated[str | None, Query(max_length=300)] = None,
) -> list[dict[str, Any]]:
    """Who changed, approved or refused what, and when."""
    require_staff(caller)
    with office.db.reading() as session:
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e in recent(session, limit, target)
        ]


def _room(request: Request, room_id: str) -> Any:
    """The live sync room ``room_id`` of this node (404 if there is none)."""
    hub = request.app.state.hub
    if hub is None:
        raise Conflict("this server runs no hall, so it has no voice to quiet")
    room = hub.rooms.get(room_id)
    if room is None:
        raise NotFound(f"no room {room_id!r}; rooms here: {', '.join(sorted(hub.rooms))}")
    return room


@router.get("/rooms/{room_id}/voice", summary="A hall's voice-free places")
async def quiet_places(room_id: str, caller: Caller, request: Request) -> dict[str, Any]:
    """The whole hall quiet or not, and the named quiet areas (docs/protocol.md, "Media").

    On the event loop, like every use of the hub (it is not thread-safe)."""
    require_staff(caller)
    places: dict[str, Any] = _room(request, room_id).quiet_places()
    return places


@router.put("/rooms/{room_id}/voice", summary="Make a hall, or areas of it, voice-free")
async def set_quiet_places(
    room_id: str, body: QuietPlaces, caller: Caller, request: Request
) -> dict[str, Any]:
    """Replace the hall's voice-free places, on every node: nobody there may talk or hears
    voices (stage audio still plays), and every visitor's client is told where they are."""
    require_staff(caller)
    room = _room(request, room_id)
    lo, hi = room.spec.bounds.min, room.spec.bounds.max
    problems = [
        {"zone": name, "area": list(area)}
        for name, area in body.quiet_zones.items()
        if not (area[0] < area[1] and area[2] < area[3])
        or area[1] <= lo[0]
        or area[0] >= hi[0]
        or area[3] <= lo[2]
        or area[2] >= hi[2]
    ]
    if problems:
        raise Invalid(
            "a quiet zone is (x0, x1, z0, z1) with x0 < x1 and z0 < z1, overlapping the hall "
            f"(x {lo[0]:g}…{hi[0]:g}, z {lo[2]:g}…{hi[2]:g})",
            problems,
        )
    zones = dict(body.quiet_zones)
    # Kept first: a node that starts later, or the expo after a restart, applies the same. One
    # change of a room at a time, so the room ends as the database says.
    async with _quiet_lock(request, room_id):
        await asyncio.to_thread(
            save_quiet_places, office_of(request).db, room_id, body.quiet_hall, zones, caller
        )
        room.set_quiet_places(body.quiet_hall, zones)
    places: dict[str, Any] = room.quiet_places()
    return places


def _quiet_lock(request: Request, room_id: str) -> asyncio.Lock:
    """The lock that orders changes of one room's quiet places on this node."""
    locks: dict[str, asyncio.Lock] | None = getattr(request.app.state, "quiet_locks", None)
    if locks is None:
        locks = request.app.state.quiet_locks = {}
    return locks.setdefault(room_id, asyncio.Lock())
