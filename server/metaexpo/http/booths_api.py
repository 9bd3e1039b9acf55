"""The booth API: the hall's live booths for everyone, and editing for their exhibitors and staff.

| method | path | who |
|---|---|---|
| GET | /api/booths | anyone: every booth's live state |
| GET | /api/booths/{id} | anyone: one booth's live state |
| GET | /api/my/booths | signed in: the booths I manage (staff: all) |
| GET | /api/booths/{id}/workspace | owner or staff: live, draft, last decision |
| PUT | /api/booths/{id}/draft | owner or staff: texts, links, template, colours |
| POST | /api/booths/{id}/submit, …/withdraw | owner or staff |
| GET | /api/booths/{id}/revisions | owner or staff |
| DELETE | /api/booths/{id}/model | owner or staff: back to the template |
| DELETE | /api/booths/{id}/screens/{image} | owner or staff: a picture off the screen's slideshow |
| PUT | /api/booths/{id}/screens/order | owner or staff: ``{"order": [image, ...]}`` |

Models, logos, posters and screen images are uploaded through :mod:`metaexpo.http.uploads`.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Body, Request, Response

from metaexpo.booths.live import live_key
from metaexpo.booths.payload import public_state
from metaexpo.http.security import Caller, Office

router = APIRouter(tags=["booths"])


@router.get("/api/booths", summary="Every booth as the hall shows it now")
def live_booths(request: Request, office: Office) -> Response:
    """``{"version", "booths": [...]}``: each booth's live (approved) state, in catalog order.

    Fields as the ``booth`` announcement (docs/accounts.md); ``version``
    changes whenever any booth goes live (also the ETag).
    """
    payloads = office.live.payloads()
    version = live_key(payloads) or "catalog"
    etag = f'"{office.catalog.fingerprint[:16]}-{version}"'
    headers = {"Cache-Control": "no-cache", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = {"version": version, "booths": [public_state(p) for p in payloads.values()]}
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)


@router.get("/api/booths/{booth_id}", summary="One booth as the hall shows it now")
def live_booth(booth_id: str, office: Office) -> dict[str, Any]:
    """The booth's live state (404 for an unknown booth)."""
    booth = office.editing.booth(booth_id)
    with office.db.reading() as session:
        return public_state(office.live.payload(session, booth))


@router.get("/api/my/booths", summary="The booths I manage")
def my_booths(caller: Caller, office: Office) -> list[dict[str, object]]:
    """An exhibitor's booths (staff: every booth) and where their work stands."""
    return [s.to_json() for s in office.editing.summaries(caller)]


@router.get("/api/booths/{booth_id}/workspace", summary="Live state, draft and last decision")
def workspace(booth_id: str, caller: Caller, office: Office) -> dict[str, Any]:
    """Everything the booth editor needs; 403 for someone else's booth."""
    return office.editing.workspace(caller, booth_id).to_json()


@router.put("/api/booths/{booth_id}/draft", summary="Save the booth's texts, links and look")
def save_draft(
    booth_id: str,
    caller: Caller,
    office: Office,
    content: dict[str, Any] = Body(  # noqa: B008
        description="``{exhibitor: {name, tagline, description: {zh, en}, tags, contact}, "
        "links: [{title: {zh, en}, url}], template, colours: {accent, panel}}``"
    ),
) -> dict[str, Any]:
    """Replaces the draft's content (422 listing every problem); 409 while submitted."""
    return office.editing.save_content(caller, booth_id, content).to_json()


@router.post("/api/booths/{booth_id}/submit", summary="Send the draft to staff")
def submit(booth_id: str, caller: Caller, office: Office) -> dict[str, Any]:
    """The draft waits for approval; it cannot be edited until withdrawn or decided."""
    return office.editing.submit(caller, booth_id).to_json()


@router.post("/api/booths/{booth_id}/withdraw", summary="Take a submission back")
def withdraw(booth_id: str, caller: Caller, office: Office) -> dict[str, Any]:
    """Back to a draft (before staff decide)."""
    return office.editing.withdraw(caller, booth_id).to_json()


@router.get("/api/booths/{booth_id}/revisions", summary="The booth's revisions, newest first")
def revisions(booth_id: str, caller: Caller, office: Office) -> list[dict[str, Any]]:
    """Every version with its state, decision and reason."""
    return [r.to_json() for r in office.editing.history(caller, booth_id)]


@router.delete("/api/booths/{booth_id}/model", summary="Use the template booth again")
def remove_model(booth_id: str, caller: Caller, office: Office) -> dict[str, Any]:
    """The draft drops its custom model."""
    return office.editing.remove_model(caller, booth_id).to_json()


@router.delete(
    "/api/booths/{booth_id}/screens/{image}", summary="Take a picture off the screen's slideshow"
)
def remove_screen(booth_id: str, image: str, caller: Caller, office: Office) -> dict[str, Any]:
    """``image`` is the picture's id (``open.screens[i].id``); 404 if the draft has none such."""
    return office.editing.remove_screen(caller, booth_id, image).to_json()


@router.put("/api/booths/{booth_id}/screens/order", summary="Reorder the screen's slideshow")
def order_screens(
    booth_id: str,
    caller: Caller,
    office: Office,
    order: Any = Body(  # noqa: B008
        embed=True, description="every screen image's id, each once, in the order to show them"
    ),
) -> dict[str, Any]:
    """422 unless ``order`` names each of the draft's screen images exactly once."""
    return office.editing.order_screens(caller, booth_id, order).to_json()
