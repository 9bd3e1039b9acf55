"""A booth model in the portal's 3D viewer, and the portal's own stylesheet and scripts."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from metaexpo.booths.files import ASSET_NAME, FileKind, url_or_none
from metaexpo.errors import NotFound, RequestRefused
from metaexpo.http.pages import error_page, login_redirect, render, user_of
from metaexpo.http.security import office_of
from metaexpo.portal.render import STATIC_DIR
from metaexpo.store.schema import Upload

router = APIRouter(prefix="/portal", include_in_schema=False)

_STATIC = {
    "portal.css": "text/css; charset=utf-8",
    "portal.js": "text/javascript; charset=utf-8",
    "viewer.js": "text/javascript; charset=utf-8",
    "template_preview.js": "text/javascript; charset=utf-8",
    "forum_run.js": "text/javascript; charset=utf-8",
}
_VIEWER_BUNDLE = re.compile(r"^viewer-[A-Z0-9]{8}\.js$")


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
