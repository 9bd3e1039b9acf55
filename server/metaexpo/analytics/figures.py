"""One minute's figures of one kind of area (booths, zones or forum sessions), as arrays.

The sampler adds into these with whole-array operations; once in a while they
are read out as plain rows (one per area that saw anything) for the database.
Areas are numbered in the order of their :class:`~metaexpo.analytics.areas.AreaSet`;
when the set changes (a forum session goes live or ends) the figures so far
are folded into rows by area id first, so nothing is lost or misattributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.definitions import DWELL_EDGES_S

#: Bins of the dwell distribution (the last one is open-ended).
DWELL_BINS = len(DWELL_EDGES_S) + 1
#: The counters of a row, in the order the database keeps them.
COUNTERS = ("visits", "dwell_s", "occupancy_s", "peak", "panel_opens", "link_clicks")


@dataclass(slots=True)
class AreaRow:
    """One area's figures for one minute: what a database row holds."""

    visits: int = 0
    dwell_s: float = 0.0
    occupancy_s: float = 0.0
    peak: int = 0
    panel_opens: int = 0
    link_clicks: int = 0
    dwell_hist: list[int] = field(default_factory=lambda: [0] * DWELL_BINS)

    def add(self, other: AreaRow) -> None:
        """Fold ``other`` (the same area, same minute, earlier part) into this row."""
        self.visits += other.visits
        self.dwell_s += other.dwell_s
        self.occupancy_s += other.occupancy_s
        self.peak = max(self.peak, other.peak)
        self.panel_opens += other.panel_opens
        self.link_clicks += other.link_clicks
        self.dwell_hist = [a + b for a, b in zip(self.dwell_hist, other.dwell_hist, strict=True)]

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-able values."""
        return {
            "visits": self.visits,
            "dwell_s": round(self.dwell_s, 3),
            "occupancy_s": round(self.occupancy_s, 3),
            "peak": self.peak,
            "panel_opens": self.panel_opens,
            "link_clicks": self.link_clicks,
            "dwell_hist": list(self.dwell_hist),
        }


class KindFigures:
    """The figures of one kind of area for one minute, one slot per area."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        self.ids = ids
        self.carried: dict[str, AreaRow] = {}
        #: Moves between consecutive visits (from, to) → count, of areas renumbered since.
        self.carried_flows: dict[tuple[str, str], int] = {}
        self._zero(len(ids))

    def _zero(self, n: int) -> None:
        self.visits = np.zeros(n, np.int64)
        self.dwell = np.zeros(n, np.float64)
        self.occupancy = np.zeros(n, np.float64)
        self.peak = np.zeros(n, np.int64)
        self.opens = np.zeros(n, np.int64)
        self.clicks = np.zeros(n, np.int64)
        self.hist = np.zeros((n, DWELL_BINS), np.int64)
        #: flows[a, b]: visitors whose visit in ``b`` followed one in ``a``.
        self.flows = np.zeros((n, n), np.int64)

    def renumber(self, ids: tuple[str, ...]) -> None:
        """The areas are now ``ids``: keep what was counted so far under the old ids."""
        for area_id, row in self._rows().items():
            self.carried.setdefault(area_id, AreaRow()).add(row)
        for pair, count in self._flow_rows().items():
            self.carried_flows[pair] = self.carried_flows.get(pair, 0) + count
        self.ids = ids
        self._zero(len(ids))

    def _rows(self) -> dict[str, AreaRow]:
        active = (
            (self.visits > 0)
            | (self.dwell > 0)
            | (self.occupancy > 0)
            | (self.peak > 0)
            | (self.opens > 0)
            | (self.clicks > 0)
            | (self.hist.sum(axis=1) > 0)
        )
        rows = {}
        for i in np.flatnonzero(active).tolist():
            rows[self.ids[i]] = AreaRow(
                int(self.visits[i]),
                float(self.dwell[i]),
                float(self.occupancy[i]),
                int(self.peak[i]),
                int(self.opens[i]),
                int(self.clicks[i]),
                self.hist[i].tolist(),
            )
        return rows

    def rows(self) -> dict[str, AreaRow]:
        """Every area that saw anything this minute, by id (folded-in parts included)."""
        out = {area_id: AreaRow() for area_id in self.carried}
        for area_id, row in self.carried.items():
            out[area_id].add(row)
        for area_id, row in self._rows().items():
            out.setdefault(area_id, AreaRow()).add(row)
        return out

    def _flow_rows(self) -> dict[tuple[str, str], int]:
        a, b = np.nonzero(self.flows)
        return {
            (self.ids[i], self.ids[j]): int(self.flows[i, j])
            for i, j in zip(a.tolist(), b.tolist(), strict=True)
        }

    def flow_rows(self) -> dict[tuple[str, str], int]:
        """Moves between consecutive visits this minute: (from id, to id) → visitors."""
        out = dict(self.carried_flows)
        for pair, count in self._flow_rows().items():
            out[pair] = out.get(pair, 0) + count
        return out

    def add_counts(self, target: npt.NDArray[np.int64], areas: npt.NDArray[np.int32]) -> None:
        """Add one to ``target`` for each entry of ``areas`` (an area number each)."""
        if len(areas):
            target += np.bincount(areas, minlength=len(self.ids))[: len(self.ids)]

    def add_seconds(
        self,
        target: npt.NDArray[np.float64],
        areas: npt.NDArray[np.int32],
        seconds: npt.NDArray[np.float64] | float,
    ) -> None:
        """Add ``seconds`` (one value, or one per entry) to ``target`` at each entry's area."""
        if len(areas):
            weights = np.broadcast_to(np.asarray(seconds, np.float64), areas.shape)
            target += np.bincount(areas, weights=weights, minlength=len(self.ids))[: len(self.ids)]
