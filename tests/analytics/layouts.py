"""Small hall layouts and presences for the reach tests (no server, no catalog files)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from metaexpo.analytics.areas import AreaSet
from metaexpo.analytics.heat import HeatGrid
from metaexpo.analytics.sampler import HallLayout, Presence

#: Two booths (4 m kiosks) 20 m apart in zone "west", one in zone "east".
BOOTHS = [
    ("b1", (-22.0, -18.0), (-2.0, 2.0)),
    ("b2", (-2.0, 2.0), (-2.0, 2.0)),
    ("b3", (28.0, 32.0), (-2.0, 2.0)),
]


def layout() -> HallLayout:
    """A 100 m × 40 m hall: zone west (x < 10), zone east (x ≥ 10), a forum hall in the south."""
    return HallLayout(
        hall_id="main",
        booths=AreaSet.of_booths(BOOTHS),
        zones=AreaSet.of(
            [("west", (-50.0, 10.0, -20.0, 10.0)), ("east", (10.0, 50.0, -20.0, 10.0))]
        ),
        booth_zone=(0, 0, 1),
        forum_halls={"forum-a": (-50.0, 50.0, 10.0, 20.0)},
        grid=HeatGrid.covering(-50.0, 50.0, -20.0, 20.0),
    )


class Crowd:
    """Visitors of one room by row: key and position; ``held`` rows wait for a resume."""

    def __init__(self) -> None:
        self.where: dict[int, tuple[int, float, float]] = {}
        self.held: set[int] = set()
        self.others: list[tuple[float, float]] = []

    def put(self, row: int, visitor: int, x: float, z: float) -> None:
        self.where[row] = (visitor, x, z)
        self.held.discard(row)

    def hold(self, row: int) -> None:
        self.held.add(row)

    def leave(self, row: int) -> None:
        self.where.pop(row, None)
        self.held.discard(row)

    def presence(self) -> Presence:
        live = sorted(r for r in self.where if r not in self.held)
        rows = np.array(live, np.intp)
        keys = np.array([self.where[r][0] for r in live], np.int64)
        x = np.array([self.where[r][1] for r in live], np.float32)
        z = np.array([self.where[r][2] for r in live], np.float32)
        everyone: Sequence[tuple[float, float]] = [
            (self.where[r][1], self.where[r][2]) for r in sorted(self.where)
        ] + self.others
        all_xz = np.array(everyone, np.float32).reshape(-1, 2)
        return Presence(
            rows,
            keys,
            x,
            z,
            np.array(sorted(self.held), np.intp),
            all_xz[:, 0],
            all_xz[:, 1],
        )
