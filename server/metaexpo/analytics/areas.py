"""Which area each of many floor points is in, for all points at once (numpy).

An :class:`AreaSet` holds one kind of area of one hall (booths, zones or forum
halls): their rectangles, their ids and how far around each rectangle the area
reaches. :meth:`AreaSet.locate` answers for every point in one pass of array
operations; the server's sampler and the load-test harness's ground truth both
call it, so they cannot disagree on where a visitor was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.definitions import AREA_MARGIN_M, Area

#: ``locate`` answers this for a point in no area.
NOWHERE = -1


@dataclass(frozen=True, slots=True)
class AreaSet:
    """Named rectangles (x0, x1, z0, z1) whose areas reach ``margin`` metres around them."""

    ids: tuple[str, ...]
    rects: npt.NDArray[np.float64]
    margin: float = 0.0
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        assert self.rects.shape == (len(self.ids), 4), "one rectangle (x0, x1, z0, z1) per id"
        assert len(set(self.ids)) == len(self.ids), "area ids are unique"
        self._index.update({area_id: i for i, area_id in enumerate(self.ids)})

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
        r = self.rects
        px = np.asarray(x, np.float64)[:, None]
        pz = np.asarray(z, np.float64)[:, None]
        # How far outside each rectangle, along each axis (0 inside).
        dx = np.maximum(np.maximum(r[:, 0] - px, px - r[:, 1]), 0.0)
        dz = np.maximum(np.maximum(r[:, 2] - pz, pz - r[:, 3]), 0.0)
        d = np.maximum(dx, dz)
        outside = d > self.margin
        if enabled is not None:
            outside |= ~enabled[None, :]
        d[outside] = np.inf
        found = np.argmin(d, axis=1).astype(np.int32)
        found[outside.all(axis=1)] = NOWHERE
        return found
