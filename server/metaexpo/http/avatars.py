"""The avatar models visitors can pick: manifest and content-addressed files."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request, Response

from metaexpo.http.assets import immutable_file

router = APIRouter(tags=["avatars"])
_FILE = re.compile(r"^([a-z0-9][a-z0-9-]{0,47})\.(glb|png)$")
_TYPES = {"glb": "model/gltf-binary", "png": "image/png"}


@router.get("/api/avatars", summary="Avatars to choose from, with model and thumbnail URLs")
async def list_avatars(request: Request) -> dict[str, object]:
    """Every avatar with its bilingual name and hashed URLs (cache forever)."""
    manifest = request.app.state.avatars
    return {
        "avatars": [
            {
                "id": a.id,
                "name": {"zh": a.name.zh, "en": a.name.en},
                "model": f"/avatars/{a.glb}?v={a.sha256[:16]}",
                "thumbnail": f"/avatars/{a.thumbnail}?v={a.sha256[:16]}",
                "triangles": a.triangles,
            }
            for a in manifest.avatars
        ]
    }


@router.get("/avatars/{name}", summary="An avatar model or thumbnail")
async def avatar_file(request: Request, name: str) -> Response:
    """The file, cached forever (the URL carries the model's hash)."""
    m = _FILE.match(name)
    if m is None:
        raise HTTPException(404, detail=f"no avatar file {name!r}")
    manifest = request.app.state.avatars
    entry = next((a for a in manifest.avatars if name in (a.glb, a.thumbnail)), None)
    if entry is None:
        raise HTTPException(404, detail=f"no avatar file {name!r}")
    path = request.app.state.settings.avatars_dir / name
    return immutable_file(request, path, f"{entry.sha256[:16]}-{m.group(2)}", _TYPES[m.group(2)])
