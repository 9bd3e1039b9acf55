"""Stays and visits of one kind of area, for every visitor of a room at once.

Per room row the tracker keeps, as arrays, the area the visitor is in, how
long the stay has lasted, whether it is already a visit, and which visitor
key the row had (a row taken by someone new ends the old stay). Each sample
(:meth:`Tracker.step`) is a handful of whole-array operations whatever the
number of visitors; the rules are those of :mod:`metaexpo.analytics.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.areas import NOWHERE
from metaexpo.analytics.definitions import DWELL_EDGES_S, VISIT_MIN_S
from metaexpo.analytics.figures import KindFigures

_EDGES = np.asarray(DWELL_EDGES_S, np.float64)


@dataclass(slots=True)
class NewVisits:
    """Visits that became visits in one sample: the area and visitor of each."""

    areas: npt.NDArray[np.int32]
    visitors: npt.NDArray[np.int64]


@dataclass(slots=True)
class Tracker:
    """Stays in one kind of area; ``flows`` also counts moves between consecutive visits."""

    flows: bool = False
    capacity: int = 0
    cur: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    key: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    stay: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0, np.float64))
    counted: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    #: The area of the row's last visit (for flows), or NOWHERE.
    last: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))

    def _ensure(self, capacity: int) -> None:
        if capacity <= self.capacity:
            return
        size = max(capacity, 2 * self.capacity, 64)
        grow = size - self.capacity
        self.cur = np.concatenate([self.cur, np.full(grow, NOWHERE, np.int32)])
        self.key = np.concatenate([self.key, np.zeros(grow, np.int64)])
        self.stay = np.concatenate([self.stay, np.zeros(grow, np.float64)])
        self.counted = np.concatenate([self.counted, np.zeros(grow, np.bool_)])
        self.last = np.concatenate([self.last, np.full(grow, NOWHERE, np.int32)])
        self.capacity = size

    def keys_of(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        """The visitor key each row had at the last sample (0: never sampled)."""
        keys = np.zeros(len(rows), np.int64)
        known = rows < self.capacity
        keys[known] = self.key[rows[known]]
        return keys

    def renumber(self, remap: npt.NDArray[np.int32]) -> None:
        """The areas were renumbered: old number ``i`` is now ``remap[i]`` (NOWHERE: gone).

        Stays in an area that is gone end as if the visitor had left it (the
        caller ends them first with :meth:`end_in`), and flows forget it.
        """
        lookup = np.append(remap, np.int32(NOWHERE))  # index -1 (NOWHERE) maps to NOWHERE
        self.cur = lookup[self.cur]
        self.last = lookup[self.last]

    def end_in(self, areas: npt.NDArray[np.int32], figures: KindFigures) -> None:
        """End every stay in one of ``areas`` (their session ended)."""
        rows = np.flatnonzero(np.isin(self.cur, areas))
        self._end(rows, figures)

    def step(
        self,
        rows: npt.NDArray[np.intp],
        visitors: npt.NDArray[np.int64],
        areas: npt.NDArray[np.int32],
        held: npt.NDArray[np.intp],
        dt: float,
        figures: KindFigures,
    ) -> NewVisits:
        """One sample: ``rows`` are sampled visitors (keys ``visitors``, in ``areas``), ``held``
        rows wait for a resume (their stays neither end nor grow), ``dt`` the seconds since the
        previous sample. Adds to ``figures``; returns the visits that began counting."""
        top = max(int(rows.max(initial=-1)), int(held.max(initial=-1))) + 1
        self._ensure(top)
        # Stays of rows that are gone (left, or expired after a drop) end.
        present = np.zeros(self.capacity, np.bool_)
        present[rows] = True
        present[held] = True
        self._end(np.flatnonzero((self.cur != NOWHERE) & ~present), figures)
        # A row taken by someone new: the old visitor's stay ends, their flows are forgotten.
        renewed = rows[self.key[rows] != visitors]
        self._end(renewed, figures)
        self.last[renewed] = NOWHERE
        self.key[rows] = visitors
        # Moved to another area (or out): the stay ends, a new one may begin.
        moved = rows[self.cur[rows] != areas]
        self._end(moved, figures)
        self.cur[rows] = areas
        inside = rows[areas != NOWHERE]
        self.stay[inside] += dt
        # Visits go on: their dwell grows by this sample.
        going = inside[self.counted[inside]]
        figures.add_seconds(figures.dwell, self.cur[going], dt)
        # Stays long enough to be visits now: counted in this minute with all their time.
        fresh = inside[~self.counted[inside] & (self.stay[inside] >= VISIT_MIN_S)]
        self.counted[fresh] = True
        fresh_areas = self.cur[fresh]
        figures.add_counts(figures.visits, fresh_areas)
        figures.add_seconds(figures.dwell, fresh_areas, self.stay[fresh])
        if self.flows:
            before = self.last[fresh]
            crossing = (before != NOWHERE) & (before != fresh_areas)
            np.add.at(figures.flows, (before[crossing], fresh_areas[crossing]), 1)
            self.last[fresh] = fresh_areas
        # Who is where (local visitors): visitor-seconds of presence.
        figures.add_seconds(figures.occupancy, areas[areas != NOWHERE], dt)
        return NewVisits(fresh_areas, self.key[fresh])

    def _end(self, rows: npt.NDArray[np.intp], figures: KindFigures) -> None:
        """End the stays of ``rows``: finished visits go into the dwell distribution."""
        if len(rows) == 0:
            return
        done = rows[self.counted[rows] & (self.cur[rows] != NOWHERE)]
        if len(done):
            bins = np.searchsorted(_EDGES, self.stay[done], side="right")
            np.add.at(figures.hist, (self.cur[done], bins), 1)
        self.cur[rows] = NOWHERE
        self.stay[rows] = 0.0
        self.counted[rows] = False
