"""Which area each of many floor points is in, for all points at once (numpy).

An :class:`AreaSet` holds one kind of area of one hall (booths, zones or forum
halls): their rectangles, their ids and how far around each rectangle the area
reaches. :meth:`AreaSet.locate` answers for every point in one pass of array
operations; the server's sampler and the load-test harness's ground truth both
call it, so they cannot disagree on where a visitor was.

Each point is tested against the few areas near it only: the floor is cut into
:data:`BUCKET_M` squares, each listing the areas that reach into it (found once,
when the set is made), so the cost grows with the points, not points × areas. The
answer is the one of testing every area: a square lists every area that may
hold one of its points, in the areas' order, and the same exact test decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.definitions import AREA_MARGIN_M, Area

#: ``locate`` answers this for a point in no area.
NOWHERE = -1
#: Side of the squares that list the areas near them, in metres.
BUCKET_M = 4.0
#: Squares list an area this much beyond its edge too, so rounding never leaves one out.
_SLACK_M = 1e-3
#: A rectangle no point is near: what an empty slot of a square's list points at.
_FAR = (1e18, 1e18, 1e18, 1e18)


@dataclass(frozen=True, slots=True)
class AreaSet:
    """Named rectangles (x0, x1, z0, z1) whose areas reach ``margin`` metres around them."""

    ids: tuple[str, ...]
    rects: npt.NDArray[np.float64]
    margin: float = 0.0
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    #: The squares: origin x, origin z, columns, and per square the areas near it (-1: none).
    _squares: tuple[float, float, int] = field(default=(0.0, 0.0, 1), compare=False, repr=False)
    _near: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.zeros((1, 0), np.int32), compare=False, repr=False
    )
    #: ``rects`` with :data:`_FAR` appended (what index -1 picks).
    _padded: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.array([_FAR], np.float64), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        assert self.rects.shape == (len(self.ids), 4), "one rectangle (x0, x1, z0, z1) per id"
        assert len(set(self.ids)) == len(self.ids), "area ids are unique"
        self._index.update({area_id: i for i, area_id in enumerate(self.ids)})
        if len(self.ids):
            self._make_squares()

    def _make_squares(self) -> None:
        reach = self.margin + _SLACK_M
        grown = self.rects + np.array([-reach, reach, -reach, reach])
        x0, z0 = float(grown[:, 0].min()), float(grown[:, 2].min())
        columns = max(1, math.ceil((float(grown[:, 1].max()) - x0) / BUCKET_M))
        rows = max(1, math.ceil((float(grown[:, 3].max()) - z0) / BUCKET_M))
        lists: list[list[int]] = [[] for _ in range(columns * rows)]
        for i, (ax0, ax1, az0, az1) in enumerate(grown.tolist()):
            c0, c1 = (min(columns - 1, int((v - x0) // BUCKET_M)) for v in (ax0, ax1))
            r0, r1 = (min(rows - 1, int((v - z0) // BUCKET_M)) for v in (az0, az1))
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    lists[r * columns + c].append(i)
        near = np.full((len(lists), max(1, *map(len, lists))), -1, np.int32)
        for square, areas in enumerate(lists):
            near[square, : len(areas)] = areas
        object.__setattr__(self, "_squares", (x0, z0, columns))
        object.__setattr__(self, "_near", near)
        padded = np.vstack([self.rects, np.array([_FAR], np.float64)])
        object.__setattr__(self, "_padded", padded)

    @classmethod
    def of(cls, areas: Sequence[tuple[str, Area]], margin: float = 0.0) -> AreaSet:
        """An area set from ``(id, (x0, x1, z0, z1))`` pairs."""
        rects = np.array([rect for _, rect in areas], np.float64).reshape(len(areas), 4)
        return cls(tuple(area_id for area_id, _ in areas), rects, margin)

    @classmethod
    def of_booths(
        cls, booths: Sequence[tuple[str, tuple[float, float], tuple[float, float]]]
    ) -> AreaSet:
        """Booth areas from ``(id, footprint x span, footprint z span)``: the footprints, reaching
        :data:`~metaexpo.analytics.definitions.AREA_MARGIN_M` around them."""
        return cls.of([(booth_id, (*x, *z)) for booth_id, x, z in booths], AREA_MARGIN_M)

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, area_id: str) -> int | None:
        """The position of ``area_id``, or None if it is not one of these."""
        return self._index.get(area_id)

    def area(self, i: int) -> Area:
        """The whole area of number ``i`` (its rectangle grown by the margin)."""
        x0, x1, z0, z1 = (float(v) for v in self.rects[i])
        m = self.margin
        return (x0 - m, x1 + m, z0 - m, z1 + m)

    def locate(
        self,
        x: npt.NDArray[np.floating],
        z: npt.NDArray[np.floating],
        enabled: npt.NDArray[np.bool_] | None = None,
    ) -> npt.NDArray[np.int32]:
        """For each point (``x[i]``, ``z[i]``): the number of its area, or :data:`NOWHERE`.

        A point in several areas belongs to the one whose rectangle is nearest
        (Chebyshev distance), the first on a tie. ``enabled`` leaves some areas
        out (a forum hall without a live session).
        """
        n = len(x)
        if n == 0 or len(self.ids) == 0:
            return np.full(n, NOWHERE, np.int32)
        px = np.asarray(x, np.float64)
        pz = np.asarray(z, np.float64)
        x0, z0, columns = self._squares
        rows = len(self._near) // columns
        c = np.clip((px - x0) // BUCKET_M, 0, columns - 1).astype(np.intp)
        r = np.clip((pz - z0) // BUCKET_M, 0, rows - 1).astype(np.intp)
        near = self._near[r * columns + c]  # (points, areas near each), -1 padded
        rect = self._padded[near]
        px, pz = px[:, None], pz[:, None]
        # How far outside each rectangle, along each axis (0 inside).
        dx = np.maximum(np.maximum(rect[..., 0] - px, px - rect[..., 1]), 0.0)
        dz = np.maximum(np.maximum(rect[..., 2] - pz, pz - rect[..., 3]), 0.0)
        d = np.maximum(dx, dz)
        outside = d > self.margin
        if enabled is not None:
            outside |= ~np.append(enabled, False)[near]
        d[outside] = np.inf
        found = near[np.arange(n), np.argmin(d, axis=1)]
        found[outside.all(axis=1)] = NOWHERE
        return found.astype(np.int32)
