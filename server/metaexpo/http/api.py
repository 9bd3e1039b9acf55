"""Read-only JSON about the halls: what a client or the load-test harness needs first."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/api", tags=["halls"])


def _room_info(request: Request, hall_id: str) -> dict[str, object]:
    catalog = request.app.state.catalog
    hub = request.app.state.hub
    hall = catalog.hall(hall_id)
    room = hub.rooms.get(hall_id) if hub is not None else None
    return {
        "id": hall.id,
        "title": {"zh": hall.title.zh, "en": hall.title.en},
        "bounds": {"min": list(hall.bounds_min), "max": list(hall.bounds_max)},
        "spawn": list(hall.spawn),
        "spawn_yaw_deg": hall.spawn_yaw_deg,
        "connected": room.connected if room is not None else 0,
        "points_of_interest": [list(p) for p in catalog.points_of_interest(hall.id)],
        "stages": [list(f.stage.centre) for f in catalog.forum_halls if f.hall == hall.id],
        # Same order as "stages": each forum hall's audience area (x0, x1, z0, z1).
        "forum_areas": [[*f.area.x, *f.area.z] for f in catalog.forum_halls if f.hall == hall.id],
        # Booth voice zones (x0, x1, z0, z1): inside, people hear each other, not the aisle.
        "voice_zones": [
            list(b.voice_area) for b in catalog.booths if b.hall == hall.id and b.voice_zone
        ],
    }


@router.get("/rooms", summary="All halls with bounds, spawn and points of interest")
async def rooms(request: Request) -> list[dict[str, object]]:
    """Every hall visitors can join."""
    return [_room_info(request, h.id) for h in request.app.state.catalog.halls]


@router.get("/rooms/{room_id}", summary="One hall")
async def room(request: Request, room_id: str) -> dict[str, object]:
    """One hall, or 404 with the ids that exist."""
    ids = [h.id for h in request.app.state.catalog.halls]
    if room_id not in ids:
        raise HTTPException(404, detail=f"no room {room_id!r}; rooms: {', '.join(ids)}")
    return _room_info(request, room_id)
