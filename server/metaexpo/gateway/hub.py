"""The sync service: its rooms, live sessions, the tick loop and graceful shutdown.

Created by the app's lifespan and handed to the WebSocket transports; holds no
global state, so tests can run several in one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from metaexpo.config import Settings
from metaexpo.gateway.identity import Identify, Identity
from metaexpo.gateway.scheduler import TickLoop
from metaexpo.gateway.tuning import sync_config
from metaexpo.protocol import control
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.moderation import ModerationMessage
from metaexpo.sync.bus import Bus, ResumeRegistry
from metaexpo.sync.link import ClientLink
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Partition

if TYPE_CHECKING:
    from metaexpo.forums.desk import ForumDesk

log = logging.getLogger(__name__)


class Closable(Protocol):
    """A live session as the hub sees it: a link to warn, and a way to close it."""

    @property
    def link(self) -> ClientLink:
        """The client's connection."""

    def close(self, close_code: int, reason: str) -> None:
        """Tell the client why and close its connection."""


class Gatekeeper(Protocol):
    """Moderation as the session sees it (:class:`metaexpo.gateway.moderation.HallModeration`)."""

    def admit(self, identity: Identity, name: str, room_id: str) -> str:
        """The name to show for a visitor about to join, or SessionClosed (refused)."""

    def joined(self, session: Closable) -> None:
        """The session's visitor is in (apply a standing mute, tell them about slow mode)."""

    def receive(self, session: Closable, message: ModerationMessage) -> None:
        """A ``mod.*`` or ``report`` message from a joined session (ControlError: refused)."""

    def chat_gap_s(self, room_id: str) -> float:
        """The chat slow mode in force in the room (seconds; 0: none)."""


class SyncHub:
    """Everything the sync WebSocket needs, owned by one app instance."""

    def __init__(
        self,
        settings: Settings,
        specs: list[RoomSpec],
        bus: Bus,
        avatar_ids: frozenset[str],
        partition: Partition | None = None,
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.avatar_ids = avatar_ids
        config = sync_config(settings)
        self.rooms: dict[str, Room] = {
            spec.id: Room(spec, config, bus, partition=partition) for spec in specs
        }
        self.sessions: set[Closable] = set()
        self.shutting_down = False
        self.loop = TickLoop(self.rooms.values, settings.step_hz, flush_hz=settings.bus_flush_hz)
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        #: Resume tokens shared between nodes (None on a single node).
        self.resumes: ResumeRegistry | None = None
        #: Verifies join tokens (set by the accounts layer; None: tokens are refused).
        self.identify: Identify | None = None
        #: Admits joins against the trust ledger (set by the app's wiring; None: no checks).
        self.moderation: Gatekeeper | None = None
        #: Handles ``forum.*`` messages (set by the app's wiring; None: no forums).
        self.forums: ForumDesk | None = None

    def use_resume_registry(self, registry: ResumeRegistry) -> None:
        """Share resume tokens with other nodes through ``registry``."""
        self.resumes = registry
        for room in self.rooms.values():
            room.members.resumes = registry

    def announce(self, message: dict[str, Any], room_id: str | None = None) -> None:
        """Send a control message to every visitor (of one room, or all), on every node.

        For events that concern everyone: a booth that went live, a staff
        announcement. ``message`` needs a ``type`` that clients know.
        """
        assert isinstance(message.get("type"), str), "announcements need a type"
        for room in self.rooms.values():
            if room_id is None or room.id == room_id:
                room.announce(message)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def connected(self) -> int:
        """Clients connected to any room on this node."""
        return sum(room.connected for room in self.rooms.values())

    def start(self) -> None:
        """Start ticking (inside the running event loop)."""
        assert self._task is None, "hub already started"
        self._task = asyncio.get_running_loop().create_task(self.loop.run(), name="sync-tick")

    async def shutdown(self) -> None:
        """Tell every client to reconnect, close them, and stop ticking."""
        self.shutting_down = True
        notice = control.dumps(
            {
                "type": "shutdown",
                "message": "the server is restarting; reconnecting",
                "reconnect_after_ms": 1000,
            }
        )
        for session in list(self.sessions):
            session.link.send_text(notice)
            session.close(CloseCode.SERVICE_RESTART, "server restarting; reconnect to resume")
        grace = self.settings.shutdown_grace_s
        deadline = asyncio.get_running_loop().time() + grace
        while self.sessions and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        self.loop.stop()
        if self._task is not None:
            await self._task
            self._task = None
        await self.bus.close()
