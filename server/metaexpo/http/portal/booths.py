"""The portal's booth pages: the booths an account manages, and the booth editor."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from metaexpo.booths.files import sha_of_url
from metaexpo.booths.images import ImageRole
from metaexpo.booths.screens import MAX_SCREEN_IMAGES
from metaexpo.booths.views import Workspace
from metaexpo.errors import Invalid, NotFound, RequestRefused
from metaexpo.http.pages import (
    check_form,
    error_page,
    login_redirect,
    read_form,
    redirect,
    render,
    user_of,
)
from metaexpo.http.security import office_of
from metaexpo.roles import Principal
from metaexpo.scenebuild import BUILDER_VERSION

router = APIRouter(prefix="/portal", include_in_schema=False)


@router.get("/booths")
async def booths_page(request: Request) -> Response:
    """The booths this account manages (staff: every booth)."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    summaries = await asyncio.to_thread(office_of(request).editing.summaries, principal)
    return render(request, "dashboard.html", {"booths": summaries}, principal=principal)


def _files(ws: Workspace) -> dict[str, Any]:
    """The files the editor shows: the open revision's, else the live booth's."""
    if ws.open is not None:
        upload = ws.open.upload
        return {
            "model": ws.open.model_url,
            "preview": ws.open.preview_url,
            "logo": ws.open.logo_url,
            "poster": ws.open.poster_url,
            "screens": ws.open.screens,
            "warnings": upload.report.get("warnings", []) if upload is not None else [],
        }
    preview = None
    last = ws.last_decision
    if last is not None and last.model_url == ws.live["model"]:
        preview = last.preview_url
    return {
        "model": ws.live["model"],
        "preview": preview,
        "logo": ws.live["logo"],
        "poster": ws.live["poster"],
        "screens": [{"id": sha_of_url(url), "url": url} for url in ws.live["screens"]],
        "warnings": [],
    }


async def _editor(
    request: Request,
    principal: Principal,
    booth_id: str,
    *,
    problems: list[dict[str, Any]] | None = None,
    message: str | None = None,
    content: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    office = office_of(request)
    try:
        ws = await asyncio.to_thread(office.editing.workspace, principal, booth_id)
        history = await asyncio.to_thread(office.editing.history, principal, booth_id)
    except RequestRefused as exc:
        return error_page(request, exc, principal, "/portal/booths")
    context = {
        "ws": ws,
        "content": content or ws.content,
        "files": _files(ws),
        "history": history,
        "problems": problems,
        "message": message,
        "back": "/staff/booths" if principal.is_staff else "/portal/booths",
        "max_screens": MAX_SCREEN_IMAGES,
        # Template pictures change with the builder: their URLs name its version.
        "builder_version": BUILDER_VERSION,
    }
    return render(request, "booth.html", context, principal=principal, status_code=status_code)


@router.get("/booths/{booth_id}")
async def booth_page(booth_id: str, request: Request) -> Response:
    """The booth editor."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    return await _editor(request, principal, booth_id)


def content_from_form(form: FormData) -> dict[str, Any]:
    """The booth content the editor's form describes (validated by the service)."""

    def field(name: str) -> str:
        return str(form.get(name, "")).strip()

    links = []
    for i in range(4):
        title = {"zh": field(f"link{i}_zh"), "en": field(f"link{i}_en")}
        url = field(f"link{i}_url")
        if url or title["zh"] or title["en"]:
            links.append({"title": title, "url": url})
    return {
        "exhibitor": {
            "name": {"zh": field("name_zh"), "en": field("name_en")},
            "tagline": {"zh": field("tagline_zh"), "en": field("tagline_en")},
            "description": {"zh": field("description_zh"), "en": field("description_en")},
            "tags": [str(tag) for tag in form.getlist("tags")],
            "contact": field("contact"),
        },
        "links": links,
        "template": field("template"),
        "colours": {"accent": field("accent"), "panel": field("panel")},
    }


@router.post("/booths/{booth_id}")
async def booth_save(booth_id: str, request: Request) -> Response:
    """Save the texts, links, template and colours into the draft."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    form = await read_form(request)
    content = content_from_form(form)
    try:
        check_form(request, principal, str(form.get("csrf", "")))
        await asyncio.to_thread(
            office_of(request).editing.save_content, principal, booth_id, content
        )
    except Invalid as exc:
        return await _editor(
            request,
            principal,
            booth_id,
            problems=exc.problems,
            message=exc.message,
            content=_form_echo(content),
            status_code=422,
        )
    except RequestRefused as exc:
        return error_page(request, exc, principal, f"/portal/booths/{booth_id}")
    return redirect(f"/portal/booths/{booth_id}?done=saved")


def _form_echo(content: dict[str, Any]) -> dict[str, Any]:
    """What was typed, shaped for the form again (so nothing is lost on a refusal)."""
    echo = json.loads(json.dumps(content))
    colours = echo["colours"]
    for key in ("accent", "panel"):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", colours.get(key, "")):
            colours[key] = "#888888"
    return echo


async def _booth_action(request: Request, booth_id: str, action: str) -> Response:
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    form = await read_form(request)
    editing = office_of(request).editing
    try:
        check_form(request, principal, str(form.get("csrf", "")))
        if action == "submit":
            await asyncio.to_thread(editing.submit, principal, booth_id)
        elif action == "withdraw":
            await asyncio.to_thread(editing.withdraw, principal, booth_id)
        elif action == "model/remove":
            await asyncio.to_thread(editing.remove_model, principal, booth_id)
        else:
            role = ImageRole.LOGO if action == "logo/remove" else ImageRole.POSTER
            await asyncio.to_thread(editing.set_image, principal, booth_id, role, None)
    except RequestRefused as exc:
        return error_page(request, exc, principal, f"/portal/booths/{booth_id}")
    done = "?done=waiting" if action == "submit" else "?done=saved"
    return redirect(f"/portal/booths/{booth_id}{done}")


@router.post("/booths/{booth_id}/submit")
async def booth_submit(booth_id: str, request: Request) -> Response:
    """Send the draft to staff."""
    return await _booth_action(request, booth_id, "submit")


@router.post("/booths/{booth_id}/withdraw")
async def booth_withdraw(booth_id: str, request: Request) -> Response:
    """Take the submission back."""
    return await _booth_action(request, booth_id, "withdraw")


@router.post("/booths/{booth_id}/model/remove")
async def booth_model_remove(booth_id: str, request: Request) -> Response:
    """Use the template booth again."""
    return await _booth_action(request, booth_id, "model/remove")


@router.post("/booths/{booth_id}/logo/remove")
async def booth_logo_remove(booth_id: str, request: Request) -> Response:
    """Remove the logo from the draft."""
    return await _booth_action(request, booth_id, "logo/remove")


@router.post("/booths/{booth_id}/poster/remove")
async def booth_poster_remove(booth_id: str, request: Request) -> Response:
    """Remove the poster from the draft."""
    return await _booth_action(request, booth_id, "poster/remove")


#: The screen image buttons: what each does to the draft's slideshow.
_SCREEN_ACTIONS = {"remove": None, "earlier": -1, "later": 1}


@router.post("/booths/{booth_id}/screens/{image}/{action}")
async def booth_screen_action(booth_id: str, image: str, action: str, request: Request) -> Response:
    """Remove a screen image, or move it one place earlier or later in the slideshow."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    form = await read_form(request)
    editing = office_of(request).editing
    try:
        if action not in _SCREEN_ACTIONS:
            raise NotFound(f"there is no screen image action {action!r}")
        check_form(request, principal, str(form.get("csrf", "")))
        step = _SCREEN_ACTIONS[action]
        if step is None:
            await asyncio.to_thread(editing.remove_screen, principal, booth_id, image)
        else:
            await asyncio.to_thread(editing.move_screen, principal, booth_id, image, step)
    except RequestRefused as exc:
        return error_page(request, exc, principal, f"/portal/booths/{booth_id}")
    return redirect(f"/portal/booths/{booth_id}?done=saved#screens")
