"""The exhibitor portal's pages (``/portal``): sign in, accept an invite, list and edit booths.

Server-rendered (``metaexpo/portal/templates``), usable on a phone, in
Chinese and English. Text edits are plain HTML forms; files are sent by
``portal.js`` to the JSON API (``/api/booths/{id}/model|logo|poster``) with
a progress bar, and the verdict is shown in plain words. Every form carries
a CSRF token; every action is checked again by the services (role and
ownership) whatever the page showed.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select
from starlette.datastructures import FormData

from metaexpo.auth.errors import Invalid, NotFound, RequestRefused, TooLarge
from metaexpo.auth.principal import Principal
from metaexpo.booths.files import ASSET_NAME, FileKind, url_or_none
from metaexpo.booths.images import ImageRole
from metaexpo.booths.views import Workspace
from metaexpo.http.pages import (
    check_form,
    check_form_token,
    error_page,
    form_token,
    login_redirect,
    page_user,
    redirect,
    render,
    safe_next,
    set_form_cookie,
)
from metaexpo.http.security import (
    SESSION_COOKIE,
    clear_session_cookie,
    client_address,
    office_of,
    set_session_cookie,
)
from metaexpo.portal.render import STATIC_DIR
from metaexpo.store.schema import Upload

router = APIRouter(prefix="/portal", include_in_schema=False)

#: Largest form post (texts only; files go through the upload API).
MAX_FORM_BYTES = 64 * 1024
_STATIC = {
    "portal.css": "text/css; charset=utf-8",
    "portal.js": "text/javascript; charset=utf-8",
    "viewer.js": "text/javascript; charset=utf-8",
    "forum_run.js": "text/javascript; charset=utf-8",
}
_VIEWER_BUNDLE = re.compile(r"^viewer-[A-Z0-9]{8}\.js$")


async def read_form(request: Request) -> FormData:
    """The posted form, refused (413) if larger than a text form can be."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        raise TooLarge("the form is too large")
    return await request.form(max_files=0, max_fields=200)


async def user_of(request: Request) -> Principal | None:
    """The page's signed-in user (looked up off the event loop)."""
    return await asyncio.to_thread(page_user, request)


# --- signing in -------------------------------------------------------------------------------


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
        principal = await asyncio.to_thread(
            office.accounts.sign_in,
            login,
            str(form.get("password", ""))[:1024],
            client_address(request),
            "cookie",
        )
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
        await asyncio.to_thread(office.accounts.close_session, request.cookies[SESSION_COOKIE])
    clear_session_cookie(request, response)
    return response


@router.get("/invite/{secret}")
async def invite_page(secret: str, request: Request) -> Response:
    """What the invite offers, and the form to choose a password."""
    office = office_of(request)
    invite = await asyncio.to_thread(office.accounts.invite_info, secret[:100])
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
        principal = await asyncio.to_thread(
            office.accounts.accept_invite, secret[:100], password, client_address(request)
        )
        session_secret = await asyncio.to_thread(office.accounts.open_session, principal)
    except RequestRefused as exc:
        invite = await asyncio.to_thread(office.accounts.invite_info, secret[:100])
        token, nonce = form_token(request, office)
        context = {"invite": invite, "form_token": token, "message": exc.message}
        response = render(request, "invite.html", context, status_code=exc.status)
        set_form_cookie(request, response, nonce)
        return response
    response = redirect(_home_of(principal))
    set_session_cookie(request, response, session_secret)
    return response


# --- booths -----------------------------------------------------------------------------------


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


# --- the 3D preview and static files ----------------------------------------------------------


def viewer_kit(web_dir: Path) -> str | None:
    """The URL of the web build's viewer module (three.js + GLTFLoader + OrbitControls), if built.

    The web build is expected to emit ``dist/app/viewer-<HASH>.js`` exporting
    ``THREE``, ``GLTFLoader`` and ``OrbitControls`` (docs/accounts.md).
    """
    try:
        manifest = json.loads((web_dir / "dist" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    names = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    found = sorted(name for name in names if _VIEWER_BUNDLE.match(str(name)))
    return f"/app/{found[-1]}" if found else None


@router.get("/view")
async def viewer_page(request: Request) -> Response:
    """A booth model in the 3D viewer (signed-in users), with its preview picture."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    office = office_of(request)
    model = request.query_params.get("model", "")
    booth_id = request.query_params.get("booth", "")
    name = model.removeprefix("/assets/")
    try:
        if (
            not model.startswith("/assets/")
            or not ASSET_NAME.match(name)
            or not name.endswith(".glb")
        ):
            raise NotFound("no such model")
        booth = office.editing.booth(booth_id)
        preview = await asyncio.to_thread(_preview_of, request, name[:64])
    except RequestRefused as exc:
        return error_page(request, exc, principal, "/portal/booths")
    context = {
        "kit": viewer_kit(office.settings.web_dir),
        "model": model,
        "footprint": booth.footprint,
        "height": booth.height,
        "preview": preview,
        "back": f"/portal/booths/{booth_id}",
    }
    return render(request, "view.html", context, principal=principal)


def _preview_of(request: Request, model_sha: str) -> str | None:
    office = office_of(request)
    with office.db.reading() as session:
        sha = session.scalar(
            select(Upload.preview_sha).where(Upload.model_sha == model_sha).limit(1)
        )
    return url_or_none(FileKind.PREVIEW, sha)


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    """The portal's stylesheet and scripts (revalidated: they are small)."""
    media_type = _STATIC.get(name)
    if media_type is None:
        raise NotFound(f"no file {name!r}")
    return FileResponse(
        STATIC_DIR / name, media_type=media_type, headers={"Cache-Control": "no-cache"}
    )
