"""``metaexpo serve`` with a test-only door into the rooms; never part of the product.

The media path's integration tests need what the moderators will do to a room
(mute a visitor, make a zone or the hall voice-free) before the moderation work
is wired in; stage audio needs no door (the forum desk drives it). This
launcher runs the real server with one extra route, ``POST /__test__/rooms/{room}`` taking
``{"call": <room method>, "args": [...]}`` for a fixed list of room methods;
``set_voice_muted`` takes the visitor's avatar id instead of its row, and an
avatar id may be given as ``{"name": ...}``: the visitor of that name on this
node (for load-test bots, whose ids the test does not know).

    python -m tests.gateway.hooked_server serve --port 0 --port-file ...
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request

import metaexpo.server
from metaexpo.cli import main
from metaexpo.config import Settings

#: The room methods the tests may call: what moderators will decide about voice.
CALLS = frozenset(
    {
        "set_voice_muted",
        "set_voice_free_zone",
        "set_voice_free_hall",
    }
)
_create_app = metaexpo.server.create_app


def create_app(settings: Settings) -> FastAPI:
    """The real app, plus the test door."""
    app = _create_app(settings)
    router = APIRouter()

    @router.post("/__test__/rooms/{room_id}")
    async def call(room_id: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        room = request.app.state.hub.rooms[room_id]
        name, args = body["call"], list(body["args"])
        if name not in CALLS:
            raise HTTPException(400, f"{name} is not a room method tests may call")
        if args and isinstance(args[0], dict):
            rows = [r for r, m in room.members.by_row.items() if m.name == args[0]["name"]]
            if not rows:
                raise HTTPException(404, f"nobody called {args[0]['name']} here")
            args[0] = room.state.wire_id(rows[0])
        if name == "set_voice_muted":
            row = room.state.row_of(int(args[0]))
            if row is None:
                raise HTTPException(404, f"no avatar {args[0]}")
            args[0] = row
        getattr(room, name)(*args)
        return {"ok": True}

    app.include_router(router)
    return app


metaexpo.server.create_app = create_app  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(main())
