"""Wiring exhibitor reach into one node: the rooms as RoomViews, the sampling and writing loops.

The analytics package never imports the sync engine; :class:`RoomReachView`
is the room seen as a :class:`~metaexpo.analytics.sampler.RoomView`: arrays
of this node's connected visitors (rows, visitor keys, x, z), the rows that
wait for a resume and where every avatar stands. Visitor keys are kept in a
column here and refreshed only for rows whose avatar changed (its wire id),
so a sample never walks the visitors in Python.

:class:`ReachWiring` runs three loops on the event loop: sampling (about
once a second, between ticks: the tick loop sleeps in between), writing the
figures to the database (every ``--analytics-flush-s``, in a thread) and
retention (hourly). On shutdown it writes what the current minute has.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.areas import AreaSet
from metaexpo.analytics.desk import ReachDesk
from metaexpo.analytics.heat import HeatGrid
from metaexpo.analytics.leads import LeadBook, consent_text
from metaexpo.analytics.sampler import HallLayout, Presence
from metaexpo.analytics.service import Reach
from metaexpo.analytics.store import ReachStore
from metaexpo.analytics.uniques import ExactUniques, UniqueCounter
from metaexpo.analytics.visitors import VisitorKeys
from metaexpo.bus.reach_uniques import RedisUniques
from metaexpo.bus.redis_bus import RedisBus
from metaexpo.config import Settings
from metaexpo.forums.states import ForumState
from metaexpo.gateway.hub import SyncHub
from metaexpo.http.forums_wiring import Forums
from metaexpo.http.office import BackOffice
from metaexpo.scenes import Catalog
from metaexpo.sync.room import Room

log = logging.getLogger(__name__)

#: The plaza counts as a zone of its hall (visitors arrive there; flows start there).
PLAZA_ZONE = "plaza"
#: How often old figures and cards are deleted (seconds).
PRUNE_EVERY_S = 3600.0


def hall_layouts(catalog: Catalog) -> dict[str, HallLayout]:
    """Each hall's booth, zone and forum areas and heatmap grid, from the catalog."""
    layouts = {}
    for hall in catalog.halls:
        booths = [b for b in catalog.booths if b.hall == hall.id]
        zones = [(z.id, (*z.area.x, *z.area.z)) for z in catalog.zones if z.hall == hall.id]
        if catalog.plaza.hall == hall.id:
            zones.append((PLAZA_ZONE, (*catalog.plaza.area.x, *catalog.plaza.area.z)))
        zone_ids = [zone_id for zone_id, _ in zones]
        x0, _, z0 = hall.bounds_min
        x1, _, z1 = hall.bounds_max
        layouts[hall.id] = HallLayout(
            hall_id=hall.id,
            booths=AreaSet.of_booths([(b.id, b.rect.x, b.rect.z) for b in booths]),
            zones=AreaSet.of(zones),
            booth_zone=tuple(zone_ids.index(b.zone) for b in booths),
            forum_halls={
                f.id: (*f.area.x, *f.area.z) for f in catalog.forum_halls if f.hall == hall.id
            },
            grid=HeatGrid.covering(x0, x1, z0, z1),
        )
    return layouts


class RoomReachView:
    """A sync room as the sampler's :class:`~metaexpo.analytics.sampler.RoomView`."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self._wire = np.full(0, -1, np.int64)
        self._key = np.zeros(0, np.int64)

    def _keys(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        st = self.room.state
        if len(self._wire) < st.capacity:
            grow = st.capacity - len(self._wire)
            self._wire = np.concatenate([self._wire, np.full(grow, -1, np.int64)])
            self._key = np.concatenate([self._key, np.zeros(grow, np.int64)])
        wire = st.wire_slot[rows].astype(np.int64) | (st.gen[rows].astype(np.int64) << 16)
        stale = rows[self._wire[rows] != wire]
        # Only rows whose avatar changed since the last sample (joins, adoptions): a few.
        for row in stale.tolist():
            member = self.room.members.get(row)
            self._key[row] = member.visitor if member is not None else 0
        self._wire[stale] = wire[self._wire[rows] != wire]
        return self._key[rows]

    def presence(self) -> Presence:
        """This node's connected visitors, the ones waiting for a resume, every avatar."""
        st, cl = self.room.state, self.room.clients
        n = min(cl.capacity, st.capacity)
        rows = np.flatnonzero(cl.live[:n] & st.active[:n] & st.local[:n])
        held = np.fromiter(self.room.members.away, np.intp, len(self.room.members.away))
        everyone = np.flatnonzero(st.active)
        return Presence(
            rows,
            self._keys(rows),
            st.pos[rows, 0],
            st.pos[rows, 2],
            held,
            st.pos[everyone, 0],
            st.pos[everyone, 2],
        )


def visitor_salt(office: BackOffice) -> bytes:
    """The salt of visitor keys, derived from the expo's secret (the same on every node)."""
    return hmac.new(office.keys.tokens, b"metaexpo/visitor-keys", hashlib.sha256).digest()


@dataclass(slots=True)
class ReachStats:
    """How the loops fared (for /metrics)."""

    writes: int = 0
    write_errors: int = 0
    rows_written: int = 0
    pruned: int = 0


@dataclass(slots=True)
class ReachWiring:
    """Everything reach-shaped of one app: the store, the cards, and (once started) the loops."""

    settings: Settings
    catalog: Catalog
    office: BackOffice
    store: ReachStore
    leads: LeadBook
    reach: Reach | None = None
    desk: ReachDesk | None = None
    views: dict[str, RoomReachView] = field(default_factory=dict)
    uniques: UniqueCounter | None = None
    stats: ReachStats = field(default_factory=ReachStats)
    forums: Forums | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _writing: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def open(cls, settings: Settings, catalog: Catalog, office: BackOffice) -> ReachWiring:
        """The reach store and card book on the back office's database."""
        return cls(settings, catalog, office, ReachStore(office.db), LeadBook(office.db))

    def day_of(self, wall: float) -> str:
        """The expo's local date of ``wall`` (epoch seconds): the "today" of live counts."""
        zone = ZoneInfo(self.catalog.time_zone)
        return datetime.fromtimestamp(wall, zone).date().isoformat()

    def consent(self, booth_id: str, lang: str) -> str:
        """The consent text of ``booth_id`` in ``lang``, with the exhibitor's live name (blocking:
        reads the live booth)."""
        payload = self.office.live.payloads()[booth_id]
        name = payload["exhibitor"]["name"].get(lang) or payload["exhibitor"]["name"]["en"]
        return consent_text(name, lang, self.settings.leads_retention_days)

    async def start(self, hub: SyncHub, redis: RedisBus | None, forums: Forums | None) -> None:
        """Count on ``hub``'s rooms from now on; hand the hub the reach desk and visitor keys."""
        s = self.settings
        run = f"{s.node_id}/{secrets.token_hex(4)}"
        layouts = hall_layouts(self.catalog)
        ttl = (s.analytics_retention_days + 1) * 86400.0
        self.uniques = RedisUniques(redis.redis, ttl) if redis is not None else ExactUniques()
        self.reach = Reach(
            {room_id: layouts[room_id] for room_id in hub.rooms if room_id in layouts},
            run,
            self.uniques,
            self.day_of,
            sample_hz=s.analytics_sample_hz,
        )
        self.views = {room_id: RoomReachView(room) for room_id, room in hub.rooms.items()}
        self.desk = ReachDesk(self.reach, self.leads, self.consent)
        self.forums = forums
        hub.visitor_keys = VisitorKeys(visitor_salt(self.office))
        hub.reach = self.desk
        self._spawn(self._sample_loop(), "reach-sample")
        self._spawn(self._write_loop(), "reach-write")
        self._spawn(self._prune_loop(), "reach-prune")
        log.info("reach: run %s, sampling at %g Hz", run, s.analytics_sample_hz)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(work, name=name))

    def sample_once(self) -> None:
        """Sample every room now (the loop's body; tests call it directly)."""
        assert self.reach is not None, "started"
        desk = self.forums.desk if self.forums is not None else None
        if desk is not None:
            live: dict[str, list[tuple[str, str]]] = {room_id: [] for room_id in self.views}
            for snapshot in desk.snapshots.values():
                stage = desk.stages.get(snapshot.forum_hall)
                if stage is not None and snapshot.live.state == ForumState.LIVE:
                    live.setdefault(stage.room_id, []).append(
                        (snapshot.session_id, snapshot.forum_hall)
                    )
            for room_id, sessions in live.items():
                self.reach.set_forums(room_id, sessions)
        self.reach.sample(self.views)

    async def _sample_loop(self) -> None:
        assert self.reach is not None
        loop = asyncio.get_running_loop()
        period = self.reach.period
        next_at = loop.time()
        while True:
            next_at += period
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            if loop.time() - next_at > period:
                next_at = loop.time()  # a stall: re-base rather than sample in a burst
            try:
                self.sample_once()
            except Exception:
                log.exception("reach: a sample failed; going on")
            if isinstance(self.uniques, RedisUniques):
                await self.uniques.flush()

    async def write_now(self) -> None:
        """Write the figures so far (ended minutes and the current one) to the database."""
        reach = self.reach
        if reach is None:
            return
        async with self._writing:
            batch = reach.batch()
            if not batch:
                return
            try:
                await asyncio.to_thread(self.store.write, batch)
            except Exception:
                self.stats.write_errors += 1
                reach.not_written(batch)
                log.exception("reach: writing the figures failed; trying again later")
                return
            reach.written(batch)
            self.stats.writes += 1
            self.stats.rows_written += len(batch.minutes)

    async def _write_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.analytics_flush_s)
            await self.write_now()

    async def _prune_loop(self) -> None:
        while True:
            try:
                self.stats.pruned += await asyncio.to_thread(self.prune)
            except Exception:
                log.exception("reach: deleting old figures failed; trying again later")
            await asyncio.sleep(PRUNE_EVERY_S)

    def prune(self, now: float | None = None) -> int:
        """Delete figures and cards past their retention (blocking)."""
        s = self.settings
        wall = time.time() if now is None else now
        figures = self.store.prune(int(wall // 60) - s.analytics_retention_days * 1440)
        cards = self.leads.prune(
            datetime.fromtimestamp(wall, UTC) - timedelta(days=s.leads_retention_days)
        )
        if figures or cards:
            log.info("reach: deleted %d old figure rows and %d old cards", figures, cards)
        return figures + cards

    async def close(self) -> None:
        """Stop the loops and write what the current minute has (a clean stop loses nothing)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.desk is not None:
            await self.desk.close()
        await self.write_now()
        if isinstance(self.uniques, RedisUniques):
            await self.uniques.flush()
