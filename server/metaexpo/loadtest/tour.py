"""The ``booth-tour`` plan: which booths each bot visits, the paths there, how long it stays.

Pure functions of the catalog and a seed, computed once by the harness. A
bot walks from booth to booth along paths that keep clear of every other
booth's area (:mod:`metaexpo.analytics.definitions`): the hall's floor is a
grid of 1 m cells, the cells within a metre of any booth's area are walls,
and each booth is reached through its *door*, a free cell straight in front
of it, from which the bot walks in to the booth's point of interest. One
Dijkstra per door (scipy) gives every shortest path to that booth at once.
So a bot is only ever inside the area of the booth it visits, and the
ground truth of what it did (:mod:`metaexpo.loadtest.truth`) is exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from metaexpo.analytics.areas import AreaSet
from metaexpo.analytics.definitions import AREA_MARGIN_M, OPEN_REPEAT_S, VISIT_MIN_S

#: Side of a grid cell (m).
CELL = 1.0
#: How far paths keep from any booth's area they do not visit (m).
CLEARANCE = 1.0
#: Stays are this long (s), well above a visit's minimum so sampling never decides.
STAY_RANGE = (max(12.0, 2.5 * VISIT_MIN_S), 30.0)
#: Share of stays at which a card is left, and at which an earlier card is withdrawn.
CARD_SHARE = 0.3
WITHDRAW_SHARE = 0.1
#: Share of bots that join with a guest token (the same visitor on every node).
GUEST_SHARE = 0.2
#: Opens of one booth by one bot are kept this far apart (s): the server counts an open
#: repeated within OPEN_REPEAT_S once, so the plan never sends one that close.
OPEN_GAP_S = OPEN_REPEAT_S + 5.0


@dataclass(frozen=True, slots=True)
class BoothSpot:
    """A booth as the tour sees it: its footprint, where visitors stand, and its door."""

    id: str
    rect_x: tuple[float, float]
    rect_z: tuple[float, float]
    front: tuple[float, float]
    door: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Leg:
    """Walk ``path`` (ending at the booth's point of interest), stay, maybe open and leave a
    card; ``withdraw`` names a booth whose card this bot withdraws during the stay."""

    booth: str
    path: tuple[tuple[float, float], ...]
    stay_s: float
    open_panel: bool
    card: bool
    withdraw: str | None
    #: From the point of interest back out through the door (walked after the stay).
    out: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Tour:
    """One bot's tour: where it starts, its legs, and how it joins."""

    start: tuple[float, float]
    legs: tuple[Leg, ...]
    guest: bool
    #: Leave and join again on the next server after this many legs (None: never).
    hop_after: int | None


def booth_spots(booths: Sequence[dict[str, object]], hall: str) -> list[BoothSpot]:
    """The booths of ``hall`` from ``GET /api/catalog``'s booth entries, with their doors."""
    spots = []
    for b in booths:
        if b.get("hall") != hall:
            continue
        rect = b["rect"]
        assert isinstance(rect, dict)
        fx, fz = (float(v) for v in b["front"])  # type: ignore[attr-defined]
        dx, dz = (float(v) for v in b["facing"])  # type: ignore[attr-defined]
        # The door: far enough out to be clear of the booth's own area and its clearance.
        reach = AREA_MARGIN_M + CLEARANCE + 1.5
        x0, x1 = (float(v) for v in rect["x"])
        z0, z1 = (float(v) for v in rect["z"])
        edge = (x1 if dx > 0 else x0) if dx else (z1 if dz > 0 else z0)
        along = fx if dx else fz
        out = reach - abs(along - edge)
        spots.append(
            BoothSpot(str(b["id"]), (x0, x1), (z0, z1), (fx, fz), (fx + dx * out, fz + dz * out))
        )
    return spots


class TourMap:
    """The walkable grid of a hall and the shortest paths to each booth's door."""

    def __init__(
        self, spots: Sequence[BoothSpot], bounds_min: Sequence[float], bounds_max: Sequence[float]
    ) -> None:
        self.x0, self.z0 = float(bounds_min[0]) + 1.0, float(bounds_min[2]) + 1.0
        self.columns = int((float(bounds_max[0]) - 1.0 - self.x0) // CELL)
        self.rows = int((float(bounds_max[2]) - 1.0 - self.z0) // CELL)
        self.areas = AreaSet.of_booths([(s.id, s.rect_x, s.rect_z) for s in spots])
        cx = self.x0 + (np.arange(self.columns) + 0.5) * CELL
        cz = self.z0 + (np.arange(self.rows) + 0.5) * CELL
        gx, gz = np.meshgrid(cx, cz)
        walls = AreaSet(self.areas.ids, self.areas.rects, AREA_MARGIN_M + CLEARANCE)
        self.free = (walls.locate(gx.ravel(), gz.ravel()) < 0).reshape(self.rows, self.columns)
        reachable = [s for s in spots if self._free_at(s.door)]
        self.spots = {s.id: s for s in reachable}
        self.order = [s.id for s in reachable]
        graph = self._graph()
        doors = [self.cell_of(self.spots[b].door) for b in self.order]
        self.distance, self.towards = dijkstra(
            graph, directed=False, indices=doors, return_predecessors=True
        )
        self._paths: dict[tuple[int, str], list[tuple[float, float]] | None] = {}

    def nearest(self, cell: int) -> list[str]:
        """The booths reachable from ``cell``, nearest door first (walking distance)."""
        far = self.distance[:, cell]
        order = np.argsort(far, kind="stable")
        return [self.order[i] for i in order.tolist() if np.isfinite(far[i])]

    def _free_at(self, p: tuple[float, float]) -> bool:
        c = self.cell_of(p)
        return 0 <= c < self.rows * self.columns and bool(self.free.ravel()[c])

    def cell_of(self, p: tuple[float, float]) -> int:
        """The grid cell under floor point ``p``."""
        col = int((p[0] - self.x0) // CELL)
        row = int((p[1] - self.z0) // CELL)
        if not (0 <= col < self.columns and 0 <= row < self.rows):
            return -1
        return row * self.columns + col

    def centre(self, cell: int) -> tuple[float, float]:
        """The middle of a grid cell."""
        row, col = divmod(cell, self.columns)
        return (self.x0 + (col + 0.5) * CELL, self.z0 + (row + 0.5) * CELL)

    def _graph(self) -> coo_matrix:
        """Free cells linked to their free neighbours (diagonals only around no wall)."""
        free = self.free
        index = np.arange(self.rows * self.columns).reshape(self.rows, self.columns)
        sources, targets, weights = [], [], []
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            r0, r1 = max(0, -dr), self.rows - max(0, dr)
            c0, c1 = max(0, -dc), self.columns - max(0, dc)
            a = free[r0:r1, c0:c1] & free[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
            if dr and dc:  # no corner cutting past a wall
                a &= free[r0 + dr : r1 + dr, c0:c1] & free[r0:r1, c0 + dc : c1 + dc]
            sources.append(index[r0:r1, c0:c1][a])
            targets.append(index[r0 + dr : r1 + dr, c0 + dc : c1 + dc][a])
            weights.append(np.full(int(a.sum()), math.hypot(dr, dc)))
        n = self.rows * self.columns
        return coo_matrix(
            (np.concatenate(weights), (np.concatenate(sources), np.concatenate(targets))),
            shape=(n, n),
        ).tocsr()

    def path(self, start: tuple[float, float], booth: str) -> list[tuple[float, float]] | None:
        """Waypoints from ``start`` (a free point) to ``booth``'s door; None if unreachable."""
        key = (self.cell_of(start), booth)
        if key not in self._paths:
            self._paths[key] = self._path(start, booth)
        found = self._paths[key]
        return None if found is None else [start, *found[1:]]

    def _path(self, start: tuple[float, float], booth: str) -> list[tuple[float, float]] | None:
        which = self.order.index(booth)
        cell = self.cell_of(start)
        door = self.cell_of(self.spots[booth].door)
        if cell < 0 or not self.free.ravel()[cell]:
            return None
        cells = [cell]
        pred = self.towards[which]
        while cell != door:
            cell = int(pred[cell])
            if cell < 0:
                return None
            cells.append(cell)
        return _corners([start] + [self.centre(c) for c in cells[1:]] + [self.spots[booth].door])

    def free_point(
        self, rng: np.random.Generator, near: tuple[float, float], spread: float
    ) -> tuple[float, float]:
        """The centre of a free cell near ``near`` from which every door can be reached."""
        first_door = self.cell_of(self.spots[self.order[0]].door)
        for _ in range(1000):
            p = (near[0] + rng.normal(0, spread), near[1] + rng.normal(0, spread))
            cell = self.cell_of(p)
            if self._free_at(p) and (cell == first_door or self.towards[0][cell] >= 0):
                return self.centre(cell)
        raise ValueError(f"no free floor near {near}")


def _corners(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop the points of straight runs: keep the ends and every turn."""
    if len(points) <= 2:
        return points
    kept = [points[0]]
    for before, here, after in zip(points, points[1:], points[2:], strict=False):
        d1 = (here[0] - before[0], here[1] - before[1])
        d2 = (after[0] - here[0], after[1] - here[1])
        if abs(d1[0] * d2[1] - d1[1] * d2[0]) > 1e-9 or d1[0] * d2[0] + d1[1] * d2[1] < 0:
            kept.append(here)
    kept.append(points[-1])
    return kept


#: A bot's next booth is one of this many nearest (by walking distance), as visitors go.
NEAREST = 3


def make_tours(tour_map: TourMap, n: int, seed: int, legs: int, hop: bool) -> list[Tour]:
    """``n`` tours of ``legs`` legs each (bots stop early when the run ends); bots start near a
    booth and go on to one of the booths nearest to where they are."""
    rng = np.random.default_rng(seed)
    booths = tour_map.order
    if not booths:
        raise ValueError("no booth of this hall can be reached by a path clear of the others")
    tours = []
    for _ in range(n):
        first = tour_map.spots[str(rng.choice(booths))]
        start = tour_map.free_point(rng, first.door, 3.0)
        guest = bool(rng.random() < GUEST_SHARE)
        plan: list[Leg] = []
        here = start
        previous: str | None = None
        carded: list[str] = []
        for _ in range(legs):
            if previous is None:
                booth = first.id  # the bot starts at its door
            else:
                near = [b for b in tour_map.nearest(tour_map.cell_of(here)) if b != previous]
                booth = str(rng.choice(near[:NEAREST]))
            path = tour_map.path(here, booth)
            if path is None:
                continue
            spot = tour_map.spots[booth]
            jitter = (rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3))
            stand = (spot.front[0] + jitter[0], spot.front[1] + jitter[1])
            card = bool(rng.random() < CARD_SHARE)
            withdraw = None
            if carded and rng.random() < WITHDRAW_SHARE:
                withdraw = carded.pop(0)
            if card and booth not in carded:
                carded.append(booth)
            plan.append(
                Leg(
                    booth,
                    (*path, stand),
                    float(rng.uniform(*STAY_RANGE)),
                    True,
                    card,
                    withdraw,
                    (spot.door,),
                )
            )
            here, previous = spot.door, booth
        hop_after = 1 if hop and guest and len(plan) > 2 else None
        tours.append(Tour(start, tuple(plan), guest, hop_after))
    return tours
