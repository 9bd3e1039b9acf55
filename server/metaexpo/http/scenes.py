"""Built scenes and the catalog as JSON: what the web client loads before the first frame.

- ``GET /api/scenes``: which GLB to load for each hall (content-addressed URLs).
- ``GET /scenes/<hash>.glb``: a hall's GLB, cached forever; files of earlier
  builds stay servable, so a client holding an old URL still gets its file.
- ``GET /scenes/<hash>.json``: a hall's navigation grid (the walkable floor),
  content-addressed and cached the same way.
- ``GET /api/catalog``: every text and position the client's panels, minimap
  and directory show, in both languages; revalidated by the catalog's
  fingerprint. Each booth shows its live (approved) state: exhibitors'
  approved changes replace the catalog's texts and template and add
  ``revision``, ``model``, ``colours``, ``links``, ``logo``, ``poster``
  (docs/accounts.md).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request, Response

from metaexpo.booths.live import live_key
from metaexpo.booths.payload import overlay_catalog_booth
from metaexpo.http.assets import immutable_file
from metaexpo.scenebuild import SCENES_SUBDIR, SceneManifest
from metaexpo.scenebuild.manifest import HASH_CHARS
from metaexpo.scenes import Catalog, Text
from metaexpo.scenes.geometry import Rect

router = APIRouter(tags=["scenes"])

_SCENE_FILE = re.compile(rf"^([0-9a-f]{{{HASH_CHARS}}})\.(glb|json)$")
_MEDIA_TYPES = {"glb": "model/gltf-binary", "json": "application/json"}
_NO_CACHE = "no-cache"


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _rect(rect: Rect) -> dict[str, list[float]]:
    return {"x": list(rect.x), "z": list(rect.z)}


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """The catalog as the client reads it: every visitor-facing text as ``{"zh", "en"}``."""
    plaza = catalog.plaza
    wall = plaza.info_wall
    return {
        "fingerprint": catalog.fingerprint,
        "expo": {
            "title": _text(catalog.title),
            "subtitle": _text(catalog.subtitle),
            "notice": _text(catalog.notice),
        },
        "halls": [
            {
                "id": hall.id,
                "title": _text(hall.title),
                "size": list(hall.size),
                "height": hall.height,
                "bounds_min": list(hall.bounds_min),
                "bounds_max": list(hall.bounds_max),
                "spawn": list(hall.spawn),
                "spawn_yaw_deg": hall.spawn_yaw_deg,
            }
            for hall in catalog.halls
        ],
        "plaza": {
            "hall": plaza.hall,
            "title": _text(plaza.title),
            "area": _rect(plaza.area),
            "info_wall": {
                "position": list(wall.position),
                "rotation_deg": wall.rotation_deg,
                "width": wall.width,
                "height": wall.height,
                "headline": _text(wall.headline),
                "goals": [_text(goal) for goal in wall.goals],
                "targets": [
                    {
                        "title": _text(target.title),
                        "items": [
                            {"count": item.count, "label": _text(item.label)}
                            for item in target.items
                        ],
                    }
                    for target in wall.targets
                ],
                "key_tasks": [_text(task) for task in wall.key_tasks],
                "key_projects": [_text(project) for project in wall.key_projects],
            },
        },
        "zones": [
            {
                "id": zone.id,
                "hall": zone.hall,
                "title": _text(zone.title),
                "description": _text(zone.description),
                "colour": zone.colour,
                "area": _rect(zone.area),
            }
            for zone in catalog.zones
        ],
        "booths": [
            {
                "id": booth.id,
                "hall": booth.hall,
                "zone": booth.zone,
                "template": booth.template,
                "position": list(booth.position),
                "rotation_deg": booth.rotation_deg,
                "footprint": list(booth.footprint),
                "height": booth.height,
                "rect": _rect(booth.rect),
                "facing": list(booth.facing),
                "front": list(booth.front),
                "exhibitor": {
                    "name": _text(booth.exhibitor.name),
                    "tagline": _text(booth.exhibitor.tagline),
                    "description": _text(booth.exhibitor.description),
                    "tags": list(booth.exhibitor.tags),
                    "contact": booth.exhibitor.contact,
                },
                "scenarios": [
                    {"title": _text(s.title), "description": _text(s.description)}
                    for s in booth.scenarios
                ],
            }
            for booth in catalog.booths
        ],
        "forum_halls": [
            {
                "id": forum.id,
                "hall": forum.hall,
                "title": _text(forum.title),
                "description": _text(forum.description),
                "area": _rect(forum.area),
                "stage": _rect(forum.stage),
                "stage_height": forum.stage_height,
                "capacity": forum.capacity,
                "seat_count": len(forum.seats),
                "seats": [list(seat) for seat in forum.seats],
            }
            for forum in catalog.forum_halls
        ],
        "tags": {tag_id: _text(label) for tag_id, label in catalog.tags.items()},
    }


def _catalog_bytes(request: Request, tag: str, live: dict[str, dict[str, Any]]) -> bytes:
    """The catalog document with the booths' live states, rendered once per ``tag``."""
    state = request.app.state
    catalog: Catalog = state.catalog
    cached: tuple[str, bytes] | None = getattr(state, "catalog_json", None)
    if cached is None or cached[0] != tag:
        document = catalog_document(catalog)
        document["booths"] = [
            overlay_catalog_booth(entry, live[entry["id"]]) if entry["id"] in live else entry
            for entry in document["booths"]
        ]
        cached = (tag, orjson.dumps(document))
        state.catalog_json = cached
    return cached[1]


@router.get("/api/catalog", summary="The expo catalog: halls, plaza, zones, booths, forums, tags")
def catalog_json(request: Request) -> Response:
    """The whole catalog in both languages, booths as they are live now.

    ETag: the catalog's fingerprint, plus a digest of the booths' live
    revisions once any booth has gone live. (A plain ``def``: reading the
    live booths queries the database, in the thread pool.)
    """
    fingerprint: str = request.app.state.catalog.fingerprint
    office = getattr(request.app.state, "office", None)
    live: dict[str, dict[str, Any]] = office.live.payloads() if office is not None else {}
    key = live_key(live)
    tag = fingerprint if key is None else f"{fingerprint}-{key}"
    etag = f'"{tag}"'
    headers = {"Cache-Control": _NO_CACHE, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(
        _catalog_bytes(request, tag, live), media_type="application/json", headers=headers
    )


@router.get("/api/scenes", summary="The GLB to load for each hall, with its size and cost")
async def list_scenes(request: Request) -> Response:
    """Each hall's content-addressed GLB URL, sha256, bytes, draw calls and triangles."""
    manifest: SceneManifest | None = getattr(request.app.state, "scenes", None)
    if manifest is None:
        raise HTTPException(503, detail="the scenes are not built yet; try again in a moment")
    return Response(
        orjson.dumps(manifest.public()),
        media_type="application/json",
        headers={"Cache-Control": _NO_CACHE},
    )


@router.get(
    "/scenes/{name}",
    summary="A hall's GLB or navigation grid (content-addressed, cached forever)",
)
async def scene_file(request: Request, name: str) -> Response:
    """The GLB or navigation grid named by its hash; any build's file still on disk is served."""
    match = _SCENE_FILE.match(name)
    path = request.app.state.settings.data_dir / SCENES_SUBDIR / name
    if match is None or not path.is_file():
        raise HTTPException(404, detail=f"no scene file {name!r}; GET /api/scenes lists them")
    return immutable_file(request, path, match.group(1), _MEDIA_TYPES[match.group(2)])
