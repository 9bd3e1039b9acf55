"""Uploading booth files, and serving stored ones.

| method | path | who |
|---|---|---|
| POST | /api/booths/{id}/model?filename=booth.glb | owner or staff: the body is the file |
| POST | /api/booths/{id}/logo, /api/booths/{id}/poster | owner or staff: the body is the picture |
| DELETE | /api/booths/{id}/logo, /api/booths/{id}/poster | owner or staff |
| POST | /api/booths/{id}/screens | owner or staff: the body is a screen image (slideshow) |
| GET | /assets/{sha256}.{glb,png,jpg} | anyone: content-addressed, cached forever |

Bodies are raw bytes (``Content-Type: application/octet-stream`` or the
file's own type), streamed to disk under a cap: a declared length over it is
refused before reading (413), a body that grows past it the moment it does,
a body that falls behind the minimum rate when it does (408). Each account
has a share of the upload slots (429 past it; 503 when all are taken).
A refused model answers 422 with every problem in ``detail``; the hall goes
on serving meanwhile, because models are checked and pictures decoded in the
upload worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from metaexpo.booths.files import assets_root, servable
from metaexpo.booths.images import ImageRole
from metaexpo.booths.processing import StoredBlob
from metaexpo.booths.receive import check_declared_length
from metaexpo.booths.uploads import check_filename
from metaexpo.errors import NotFound
from metaexpo.http.assets import immutable_file
from metaexpo.http.security import Caller, office_of
from metaexpo.models import store_blob

router = APIRouter(tags=["uploads"])

#: The request body of the upload routes, for /docs (the handlers stream it themselves).
_RAW_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}

#: Most asset look-ups remembered (content-addressed: an answer never changes).
_SERVED_CACHE = 4096


@router.post(
    "/api/booths/{booth_id}/model",
    status_code=201,
    summary="Upload a custom 3D booth (.glb, .gltf, or .zip of a .gltf and its files)",
    responses={
        408: {"description": "the body arrived slower than --upload-min-bytes-per-s; cut"},
        413: {"description": "larger than --upload-max-bytes"},
        422: {"description": "refused: detail lists every problem (code, message, where, limit)"},
        429: {"description": "this account has its share of uploads under way; try again"},
        503: {"description": "too many uploads at once; try again"},
    },
    openapi_extra=_RAW_BODY,
)
async def upload_model(
    booth_id: str,
    request: Request,
    caller: Caller,
    filename: Annotated[str, Query(max_length=255, description="the file's name")] = "",
) -> Response:
    """Check, fit into the booth's slot and store the model; it becomes the draft's model.

    Answers 201 with the upload (report with warnings and stats, the fitted
    model's URL, a preview picture) and the booth's workspace.
    """
    office = office_of(request)
    limit = office.settings.upload_max_bytes
    check_declared_length(request.headers.get("content-length"), limit, "model file")
    name = check_filename(filename)
    booth = await asyncio.to_thread(office.uploads.check_allowed, caller, booth_id)
    async with office.uploads.receiving(
        caller.user_id, request.stream(), limit, "model file"
    ) as path:
        upload = await office.uploads.process(caller, booth, path, name)
    workspace = await asyncio.to_thread(office.editing.workspace, caller, booth_id)
    return JSONResponse(
        {"upload": upload.to_json(), "workspace": workspace.to_json()}, status_code=201
    )


async def _upload_image(
    booth_id: str, role: ImageRole, request: Request, caller: Caller
) -> dict[str, Any]:
    """Receive, re-encode and store one picture, then put it in the draft in ``role``'s place
    (a screen image goes at the end of the slideshow); returns the workspace."""
    office = office_of(request)
    limit = office.settings.image_max_bytes
    check_declared_length(request.headers.get("content-length"), limit, role.value)
    await asyncio.to_thread(office.uploads.check_allowed, caller, booth_id)
    if role is ImageRole.SCREEN:
        # A full slideshow is refused before the body is read: no upload to throw away.
        await asyncio.to_thread(office.editing.check_screen_room, caller, booth_id)
    async with office.uploads.receiving(
        caller.user_id, request.stream(), limit, role.value
    ) as path:
        deadline = office.uploads.deadline()
        data = await office.uploads.reencode(path, role)
        root = assets_root(office.settings.data_dir)
        blob = StoredBlob(await asyncio.to_thread(store_blob, root, data), len(data))
        deadline.check(role.value)
        if role is ImageRole.SCREEN:
            keep = functools.partial(office.editing.add_screen, caller, booth_id, blob)
        else:
            keep = functools.partial(office.editing.set_image, caller, booth_id, role, blob)
        workspace = await asyncio.to_thread(keep)
    return workspace.to_json()


async def _remove_image(
    booth_id: str, role: ImageRole, request: Request, caller: Caller
) -> dict[str, Any]:
    office = office_of(request)
    workspace = await asyncio.to_thread(office.editing.set_image, caller, booth_id, role, None)
    return workspace.to_json()


@router.post(
    "/api/booths/{booth_id}/logo",
    summary="Upload the booth's logo (PNG, JPEG, WebP, GIF)",
    openapi_extra=_RAW_BODY,
)
async def upload_logo(booth_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Re-encoded as PNG, at most 1024 px, metadata removed; returns the workspace."""
    return await _upload_image(booth_id, ImageRole.LOGO, request, caller)


@router.post(
    "/api/booths/{booth_id}/poster", summary="Upload the booth's poster", openapi_extra=_RAW_BODY
)
async def upload_poster(booth_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Re-encoded as JPEG, at most 2048 px, metadata removed; returns the workspace."""
    return await _upload_image(booth_id, ImageRole.POSTER, request, caller)


@router.delete("/api/booths/{booth_id}/logo", summary="Remove the logo from the draft")
async def remove_logo(booth_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Returns the workspace."""
    return await _remove_image(booth_id, ImageRole.LOGO, request, caller)


@router.delete("/api/booths/{booth_id}/poster", summary="Remove the poster from the draft")
async def remove_poster(booth_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Returns the workspace."""
    return await _remove_image(booth_id, ImageRole.POSTER, request, caller)


@router.post(
    "/api/booths/{booth_id}/screens",
    summary="Add a picture to the booth screen's slideshow",
    responses={
        422: {
            "description": "refused: not a readable picture, too large, a duplicate, or the "
            "screen already has its most images (detail says which)"
        },
    },
    openapi_extra=_RAW_BODY,
)
async def upload_screen(booth_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Re-encoded as JPEG, at most 2048 px, metadata removed, added at the end of the draft's
    screen images (at most six); returns the workspace."""
    return await _upload_image(booth_id, ImageRole.SCREEN, request, caller)


@router.get("/assets/{name}", summary="A stored booth file by its hash (cached forever)")
async def asset(name: str, request: Request) -> Response:
    """A fitted model, logo, poster or preview; originals are never served."""
    office = office_of(request)
    cache: dict[str, Any] = office.served
    found = cache.get(name)
    if found is None:

        def look_up() -> Any:
            with office.db.reading() as session:
                return servable(session, name, office.settings.data_dir)

        found = await asyncio.to_thread(look_up)
        if found is None:
            raise NotFound(f"no file {name!r}")
        if len(cache) >= _SERVED_CACHE:
            with contextlib.suppress(StopIteration, KeyError):
                del cache[next(iter(cache))]
        cache[name] = found
    path, sha256, media_type = found
    return immutable_file(request, path, sha256, media_type)
