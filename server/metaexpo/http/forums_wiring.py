"""Wiring the forums into one node: services on the database, the desk on the rooms and the bus.

The forum package never imports the sync engine or the bus; the two small
adapters here give it what its ports ask for. :class:`RoomStage` is the
room seen as a :class:`~metaexpo.forums.ports.StageRoom`: delivering
messages is real, and the media permissions are recorded here until the
media path implements them on the room (``set_stage``/``allow_stage_audio``).
:class:`BusChannel` carries forum events on the node's bus (in-process, or
Redis with ``--redis-url``) on a channel of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from metaexpo.booths.files import assets_root
from metaexpo.config import Settings
from metaexpo.forums.agenda import Agenda
from metaexpo.forums.decks import Decks
from metaexpo.forums.desk import DeskLimits, ForumDesk, StageInfo
from metaexpo.forums.livestore import LiveStore
from metaexpo.forums.people import People
from metaexpo.forums.ports import BusHandler
from metaexpo.forums.questions import Questions
from metaexpo.forums.recorder import StageAudioRecorder
from metaexpo.forums.replay import Replays
from metaexpo.forums.seed import opening_date, seed_agenda
from metaexpo.forums.slides import SlideLimits
from metaexpo.gateway.hub import SyncHub
from metaexpo.http.office import BackOffice
from metaexpo.scenes import Catalog
from metaexpo.sync.bus import Bus
from metaexpo.sync.room import Room

log = logging.getLogger(__name__)

#: The bus channel of forum events (not a valid hall id, so it never meets a room's).
FORUM_CHANNEL = "~forums"
#: Where unfinished stage recordings are written.
RECORDINGS_TMP = Path("tmp") / "recordings"
#: A standing voice in the hall: the height stage sound comes from above the stage floor.
VOICE_HEIGHT = 1.6


@dataclass(slots=True)
class RoomStage:
    """A sync room as the forum desk's :class:`~metaexpo.forums.ports.StageRoom`: the
    desk's word on stages and microphones becomes the room's media permissions."""

    room: Room

    def set_stage(
        self,
        stage: int,
        area: tuple[float, float, float, float],
        source: tuple[float, float, float],
        live: bool,
    ) -> None:
        """Stage audio reaches ``area`` while ``live``, and audience voice is off there."""
        self.room.set_stage(stage, area, source, live)

    def allow_stage_audio(self, wire_id: int, stage: int | None) -> None:
        """Let the avatar send stage audio on ``stage`` (mic on, on stage), or no longer."""
        self.room.allow_stage_audio(wire_id, stage)

    def deliver(self, data: bytes, rows: Iterable[int] | None = None) -> None:
        """Send to all of this node's visitors of the room, or to some rows."""
        if rows is None:
            self.room.deliver(data)
            return
        for row in rows:
            member = self.room.members.get(row)
            if member is not None and member.link is not None:
                member.link.send_text(data)

    def wire_id(self, row: int) -> int | None:
        """The avatar id of a local visitor's row."""
        return self.room.state.wire_id(row) if self.room.members.get(row) is not None else None

    def row_of(self, wire_id: int) -> int | None:
        """The row of a visitor connected here."""
        row = self.room.state.row_of(wire_id)
        member = None if row is None else self.room.members.get(row)
        return row if member is not None and member.link is not None else None

    def name_of(self, row: int) -> str | None:
        """A local visitor's display name."""
        member = self.room.members.get(row)
        return None if member is None else member.name


@dataclass(slots=True)
class BusChannel:
    """Forum events on the node's bus, on a channel of their own."""

    bus: Bus
    node_id: str

    def publish(self, payload: bytes) -> None:
        """Send to the other nodes (a no-op when there are none)."""
        if self.bus.has_peers:
            self.bus.publish(FORUM_CHANNEL, payload)

    def subscribe(self, handler: BusHandler) -> None:
        """Receive the other nodes' events."""
        self.bus.subscribe(FORUM_CHANNEL, handler)


def stage_infos(catalog: Catalog) -> dict[str, StageInfo]:
    """Each forum hall's stage number (catalog order), room, audience area and sound source."""
    infos = {}
    for index, forum in enumerate(catalog.forum_halls):
        (x0, x1), (z0, z1) = forum.area.x, forum.area.z
        sx, sz = forum.stage.centre
        infos[forum.id] = StageInfo(
            index,
            forum.hall,
            (x0, x1, z0, z1),
            (sx, forum.stage_height + VOICE_HEIGHT, sz),
        )
    return infos


@dataclass(slots=True)
class Forums:
    """Everything forum-shaped of one app: services, and the desk once the rooms exist."""

    settings: Settings
    catalog: Catalog
    agenda: Agenda
    people: People
    questions: Questions
    decks: Decks
    replays: Replays
    store: LiveStore
    uid_domain: str
    desk: ForumDesk | None = None
    recorder: StageAudioRecorder | None = None
    rooms: dict[str, RoomStage] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, catalog: Catalog, office: BackOffice) -> Forums:
        """The forum services on the back office's database; seeds the agenda (blocking)."""
        db = office.db
        root = assets_root(settings.data_dir)
        opens = opening_date(db, settings.expo_opens, catalog.forum_sessions, catalog.time_zone)
        added = seed_agenda(db, catalog.forum_sessions, opens, catalog.time_zone)
        if added:
            log.info("forum agenda: %d session(s) from the catalog, day 1 = %s", len(added), opens)
        uid = hashlib.sha256(office.keys.tokens + b"forum-calendar-uid").hexdigest()[:16]
        return cls(
            settings=settings,
            catalog=catalog,
            agenda=Agenda(db, [forum.id for forum in catalog.forum_halls]),
            people=People(db, office.signer, settings.invite_ttl_s, settings.token_ttl_s),
            questions=Questions(db),
            decks=Decks(db, root, SlideLimits(settings.slides_max_pages), office.uploads.workers),
            replays=Replays(db, root),
            store=LiveStore(db),
            uid_domain=f"{uid}.forums.metaexpo",
        )

    async def start(self, hub: SyncHub, bus: Bus) -> ForumDesk:
        """Create and start the desk on ``hub``'s rooms and ``bus``; the hub hands it
        ``forum.*`` messages from then on."""
        self.rooms = {room_id: RoomStage(room) for room_id, room in hub.rooms.items()}
        s = self.settings
        self.recorder = StageAudioRecorder(s.data_dir / RECORDINGS_TMP, bus.node_id)
        await asyncio.to_thread(_clear, s.data_dir / RECORDINGS_TMP)
        desk = ForumDesk(
            people=self.people,
            questions=self.questions,
            store=self.store,
            replays=self.replays,
            rooms=self.rooms,
            stages=stage_infos(self.catalog),
            bus=BusChannel(bus, bus.node_id),
            limits=DeskLimits(s.question_max_chars, s.questions_per_minute, s.hands_per_minute),
            recorder=self.recorder,
        )
        for room in hub.rooms.values():
            room.set_stage_recorder(self.recorder)
        await desk.start()
        self.recorder.run()
        self.desk = desk
        hub.forums = desk
        return desk

    async def close(self) -> None:
        """Stop the desk and the recorder."""
        if self.desk is not None:
            await self.desk.close()
        if self.recorder is not None:
            for stage in self.rooms.values():
                stage.room.set_stage_recorder(None)
            await self.recorder.close()


def _clear(folder: Path) -> None:
    """Remove recordings an earlier run left unfinished (their node is gone)."""
    if folder.is_dir():
        for path in folder.glob("*.part"):
            path.unlink(missing_ok=True)
