"""Sampling one room about once a second: stays, visits, occupancy, heat, into minute figures.

The sampler sees the room only through :class:`RoomView` (implemented at the
edge on the sync room), which hands over arrays: this node's connected
visitors (rows, visitor keys, x, z), the rows waiting for a resume, and every
avatar of the hall (this node's and the others'). One sample is a few array
operations per kind of area, never a Python loop over visitors.

Visits, dwell, uniques and heat are counted from this node's own visitors
only, so the figures of several nodes add up exactly. Live occupancy and the
peak are counted over every avatar in the hall, which every node sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.areas import NOWHERE, AreaSet
from metaexpo.analytics.definitions import Area
from metaexpo.analytics.figures import KindFigures
from metaexpo.analytics.heat import HeatGrid, HeatMinute
from metaexpo.analytics.tracker import Tracker

#: A gap between two samples longer than this is credited as this much (a stalled loop).
MAX_GAP_S = 5.0
#: The kinds of area, in the order they are sampled.
KINDS = ("booth", "zone", "forum")


@dataclass(frozen=True, slots=True)
class Presence:
    """Who is in a room now, as arrays (see :class:`RoomView`)."""

    rows: npt.NDArray[np.intp]
    visitors: npt.NDArray[np.int64]
    x: npt.NDArray[np.floating]
    z: npt.NDArray[np.floating]
    held: npt.NDArray[np.intp]
    all_x: npt.NDArray[np.floating]
    all_z: npt.NDArray[np.floating]


class RoomView(Protocol):
    """A hall's room on this node, as the sampler needs it."""

    def presence(self) -> Presence:
        """This node's connected visitors (room rows, visitor keys, floor x and z), the rows of
        this node's visitors waiting for a resume, and the floor x and z of every avatar."""


@dataclass(frozen=True, slots=True)
class HallLayout:
    """The areas of one hall, from the catalog."""

    hall_id: str
    booths: AreaSet
    zones: AreaSet
    #: The zone number of each booth (for comparing a booth with its zone).
    booth_zone: tuple[int, ...]
    #: Forum hall id → its area, for attendance while a session is live there.
    forum_halls: dict[str, Area]
    grid: HeatGrid


@dataclass(slots=True)
class Visited:
    """Visitors who began a visit in one sample: (kind, area id, visitor key) each."""

    visits: list[tuple[str, str, int]] = field(default_factory=list)
    #: Visitors seen for the first time in a row of the room (new or resumed elsewhere).
    arrived: list[int] = field(default_factory=list)


class MinuteFigures:
    """Everything one room counted in one minute (``minute``: minutes since the epoch, UTC)."""

    def __init__(self, minute: int, layout: HallLayout, forums: tuple[str, ...]) -> None:
        self.minute = minute
        self.hall_id = layout.hall_id
        self.kinds = {
            "booth": KindFigures(layout.booths.ids),
            "zone": KindFigures(layout.zones.ids),
            "forum": KindFigures(forums),
        }
        self.heat = HeatMinute(layout.grid)
        #: (kind, area id, visitor key) of every visit begun this minute.
        self.visitors: set[tuple[str, str, int]] = set()


@dataclass(slots=True)
class LiveCounts:
    """What the last sample saw, hall-wide: avatars per area, and in the whole hall."""

    at: float = 0.0
    booth: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    zone: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    forum: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    #: The same per zone, this node's connected visitors only (they add up across nodes).
    zone_local: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    hall: int = 0
    local: int = 0
    #: Where every avatar stood (cell numbers of the layout's grid).
    cells: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))


class RoomSampler:
    """Samples one room and keeps its figures by minute until they are written."""

    def __init__(self, layout: HallLayout) -> None:
        self.layout = layout
        self.trackers = {"booth": Tracker(), "zone": Tracker(flows=True), "forum": Tracker()}
        #: Live forum sessions here: their ids and areas (renumbered as sessions come and go).
        self.forums = AreaSet.of([])
        self.forum_hall_of: dict[str, str] = {}
        self.current: MinuteFigures | None = None
        #: Minutes that ended and wait to be written.
        self.closed: list[MinuteFigures] = []
        self.last_sample: float | None = None
        self.live = LiveCounts()

    def areas(self, kind: str) -> AreaSet:
        """The areas of ``kind`` now."""
        if kind == "booth":
            return self.layout.booths
        if kind == "zone":
            return self.layout.zones
        return self.forums

    def minute(self, wall: float) -> MinuteFigures:
        """The figures of the minute of ``wall`` (epoch seconds), closing an older one."""
        m = int(wall // 60)
        current = self.current
        if current is not None and current.minute == m:
            return current
        if current is not None and current.minute < m:
            self.closed.append(current)
        elif current is not None:
            return current  # the clock stepped back: keep adding to the newest minute
        self.current = MinuteFigures(m, self.layout, self.forums.ids)
        return self.current

    def set_forums(self, sessions: Sequence[tuple[str, str]], wall: float) -> None:
        """The forum sessions live here now: (session id, forum hall id) pairs."""
        known = [(sid, hall) for sid, hall in sessions if hall in self.layout.forum_halls]
        ids = tuple(sid for sid, _ in known)
        if ids == self.forums.ids:
            return
        figures = self.minute(wall)
        tracker = self.trackers["forum"]
        old = self.forums
        remap = np.array([ids.index(sid) if sid in ids else NOWHERE for sid in old.ids], np.int32)
        tracker.end_in(np.flatnonzero(remap == NOWHERE).astype(np.int32), figures.kinds["forum"])
        tracker.renumber(remap)
        figures.kinds["forum"].renumber(ids)
        self.forums = AreaSet.of([(sid, self.layout.forum_halls[hall]) for sid, hall in known])
        self.forum_hall_of = dict(known)

    def sample(self, presence: Presence, now: float, wall: float, period: float) -> Visited:
        """One sample at monotonic ``now`` and epoch ``wall``; ``period`` is the nominal gap."""
        dt = period if self.last_sample is None else min(now - self.last_sample, MAX_GAP_S)
        self.last_sample = now
        figures = self.minute(wall)
        seen = Visited()
        live = LiveCounts(at=wall, hall=len(presence.all_x), local=len(presence.rows))
        for kind in KINDS:
            areas = self.areas(kind)
            here = areas.locate(presence.all_x, presence.all_z)
            counts = np.bincount(here[here != NOWHERE], minlength=len(areas))
            setattr(live, kind, counts)
            kf = figures.kinds[kind]
            np.maximum(kf.peak, counts, out=kf.peak)
            where = areas.locate(presence.x, presence.z)
            if kind == "zone":
                live.zone_local = np.bincount(where[where != NOWHERE], minlength=len(areas))
            tracker = self.trackers[kind]
            if kind == "booth":
                # The first tracker notices rows taken by someone new: new visitors here.
                before = tracker.keys_of(presence.rows)
                seen.arrived = presence.visitors[before != presence.visitors].tolist()
            fresh = tracker.step(presence.rows, presence.visitors, where, presence.held, dt, kf)
            ids = areas.ids
            pairs = zip(fresh.areas.tolist(), fresh.visitors.tolist(), strict=True)
            seen.visits.extend((kind, ids[area], visitor) for area, visitor in pairs)
        figures.visitors.update(seen.visits)
        figures.heat.add(presence.x, presence.z, dt)
        live.cells = self.layout.grid.cells_of(presence.all_x, presence.all_z)
        self.live = live
        return seen

    def take_closed(self) -> list[MinuteFigures]:
        """The ended minutes not yet handed out (the caller writes them)."""
        closed, self.closed = self.closed, []
        return closed
