"""The application factory: FastAPI for HTTP, the sync hub in its lifespan.

``create_app(settings)`` builds everything from the settings, with no global
state: the lifespan loads the catalog, makes one sync room per hall, starts
the tick loop, and on shutdown tells every client to reconnect.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket

from metaexpo.avatars import load_avatar_manifest
from metaexpo.bus.node import node_bus
from metaexpo.config import Settings
from metaexpo.gateway.asgi_link import serve_sync_socket
from metaexpo.gateway.guard import ConnectionGuard
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.moderation import HallModeration
from metaexpo.http import (
    accounts,
    api,
    booths_api,
    console,
    forums_api,
    forums_console,
    forums_speaker,
    hallpass,
    health,
    moderation,
    portal,
    privacy_pages,
    reach_api,
    reach_pages,
    staff,
    uploads,
    web,
)
from metaexpo.http import apidocs as api_docs
from metaexpo.http import avatars as avatars_api
from metaexpo.http import builtin as builtin_files
from metaexpo.http import scenes as scenes_api
from metaexpo.http.errors import install_error_handlers
from metaexpo.http.forums_wiring import Forums
from metaexpo.http.headers import SecurityHeaders
from metaexpo.http.limits import BodyLimit
from metaexpo.http.metrics import make_registry
from metaexpo.http.office import BackOffice
from metaexpo.http.office_metrics import OfficeCollector
from metaexpo.http.reach_metrics import ReachCollector
from metaexpo.http.reach_wiring import ReachWiring
from metaexpo.moderation.actions import staff_display_names
from metaexpo.scenebuild import ensure_scenes
from metaexpo.scenes.catalog import Catalog, load_catalog
from metaexpo.store.filemodes import make_private_folder
from metaexpo.store.quietplaces import saved_quiet_places
from metaexpo.sync.room import RoomSpec
from metaexpo.sync.state import Bounds

log = logging.getLogger(__name__)
#: How often each node reloads the staff's display names (reserved for visitors).
STAFF_NAMES_EVERY_S = 60.0


def room_specs(catalog: Catalog) -> list[RoomSpec]:
    """One sync room per hall of the catalog, with its booths' voice zones."""
    specs = []
    for hall in catalog.halls:
        zones = tuple(b.voice_area for b in catalog.booths if b.hall == hall.id and b.voice_zone)
        x, _, z = hall.spawn
        eye = 1.6
        specs.append(
            RoomSpec(
                id=hall.id,
                bounds=Bounds(tuple(hall.bounds_min), tuple(hall.bounds_max)),  # type: ignore[arg-type]
                spawn=(x, eye, z),
                spawn_yaw=hall.spawn_yaw_deg * 3.141592653589793 / 180.0,
                eye_height=eye,
                voice_zones=zones,
            )
        )
    return specs


def calm_garbage_collector() -> None:
    """Keep the collector's pauses out of the tick.

    Everything loaded at startup (catalog, code, arrays) is frozen out of the
    collector's view, and young-generation collections run less often: the
    tick allocates many short-lived objects that reference counting frees
    anyway. Measured with bench/tick_cost.py: the worst tick at N = 1,000 went
    from 10.3 ms to 6.3 ms.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(settings: Settings) -> FastAPI:
    """Build the expo service for ``settings``."""
    catalog = load_catalog(settings.scenes_dir)
    avatars = load_avatar_manifest(settings.avatars_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Before anything writes into it: the data folder holds secrets and personal data.
        make_private_folder(settings.data_dir)
        # Building takes seconds when the catalog changed; keep the event loop free meanwhile.
        app.state.scenes = await asyncio.to_thread(ensure_scenes, catalog, settings.data_dir)
        avatar_ids = frozenset(a.id for a in avatars.avatars)
        async with node_bus(settings) as node:
            # Accounts, booths and uploads: migrates the database, finishes interrupted
            # approvals; sign-in limits and revocations are the node's shared ones.
            office = await asyncio.to_thread(
                BackOffice.open, settings, catalog, node.ledger, node.limiter
            )
            app.state.office = office
            # The forum agenda is seeded from the catalog once; the database holds it after that.
            forums = await asyncio.to_thread(Forums.open, settings, catalog, office)
            app.state.forums = forums
            reach = ReachWiring.open(settings, catalog, office)
            app.state.reach = reach
            hub = SyncHub(settings, room_specs(catalog), node.bus, avatar_ids, node.partition)
            hub.identify = office.identify
            desk = HallModeration(hub, node.ledger, office.db)
            desk.refresh_staff_names(await asyncio.to_thread(staff_display_names, office.db))
            names = asyncio.create_task(
                desk.keep_staff_names(lambda: staff_display_names(office.db), STAFF_NAMES_EVERY_S)
            )
            hub.moderation = desk
            for room_id, (quiet_hall, zones) in (
                await asyncio.to_thread(saved_quiet_places, office.db)
            ).items():
                if room_id in hub.rooms:  # staff's voice-free places, as they last left them
                    hub.rooms[room_id].set_quiet_places(quiet_hall, zones, publish=False)
            app.state.moderation = desk
            if node.resumes is not None:
                hub.use_resume_registry(node.resumes)
            forum_desk = await forums.start(hub, node.bus)
            # A live session's slow mode slows the chat of its hall too, besides its questions.
            desk.slow_mode_sources.append(forum_desk.slow_mode_s)
            await reach.start(hub, node.redis, forums)
            hub.start()
            app.state.hub = hub
            app.state.redis_bus = node.redis
            calm_garbage_collector()
            log.info(
                "node %s: rooms %s; tick %g Hz; bus %s",
                settings.node_id,
                ", ".join(hub.rooms),
                settings.tick_hz,
                "redis" if node.redis else "in-process",
            )
            try:
                yield
            finally:
                await reach.close()
                names.cancel()
                await forums.close()
                await hub.shutdown()
                app.state.hub = None
                office.close()

    app = FastAPI(
        title="元宇宙浙江 · Metaverse Zhejiang Expo",
        description="Virtual exhibition hall: catalog, scenes, real-time avatar sync.",
        version="0.1.0",
        lifespan=lifespan,
        # /docs and /redoc come from the expo's own files (http/apidocs.py), never a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.avatars = avatars
    app.state.hub = None
    app.state.redis_bus = None
    app.state.office = None
    app.state.moderation = None
    app.state.forums = None
    app.state.reach = None
    install_error_handlers(app)
    # Pending connections per address and the edge's counters (the one-port router uses them).
    app.state.guard = ConnectionGuard(settings.max_pending_per_address)
    app.state.metrics = make_registry(
        lambda: app.state.hub, lambda: app.state.redis_bus, app.state.guard
    )
    app.state.metrics.register(OfficeCollector(lambda: app.state.office))
    app.state.metrics.register(ReachCollector(lambda: app.state.reach))
    # The last added runs first: headers go on every answer, the 413s of BodyLimit included.
    app.add_middleware(BodyLimit, settings=settings, stats=app.state.guard.stats)
    app.add_middleware(SecurityHeaders)
    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(avatars_api.router)
    app.include_router(scenes_api.router)
    app.include_router(accounts.router)
    app.include_router(hallpass.router)
    app.include_router(staff.router)
    app.include_router(booths_api.router)
    app.include_router(uploads.router)
    app.include_router(portal.router)
    app.include_router(console.router)
    app.include_router(moderation.router)
    app.include_router(moderation.pages)
    app.include_router(api_docs.router)
    app.include_router(builtin_files.router)
    app.include_router(forums_api.router)
    app.include_router(forums_speaker.router)
    app.include_router(forums_speaker.api)
    app.include_router(forums_console.router)
    app.include_router(reach_api.router)
    app.include_router(reach_pages.router)
    app.include_router(privacy_pages.router)
    # The web client's routes come last: it serves "/" and its bundles.
    app.include_router(web.router)

    if settings.sync_transport == "asgi":

        @app.websocket("/ws")
        async def sync_socket(websocket: WebSocket) -> None:
            await serve_sync_socket(websocket, app.state.hub)

    return app
