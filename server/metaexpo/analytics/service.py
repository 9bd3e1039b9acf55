"""The reach of one node: a sampler per hall, panel opens and link clicks, batches to write.

The edge calls :meth:`Reach.sample` about once a second between ticks with a
:class:`~metaexpo.analytics.sampler.RoomView` of each room, hands socket events
to :meth:`Reach.panel_open` and :meth:`Reach.link_click`, and every few
seconds writes :meth:`Reach.batch` to the database (in a thread), then calls
:meth:`Reach.written`. A batch holds the whole of the current minute (written
again and again, each write replacing the last: idempotent) and every ended
minute not yet written, so a crash loses at most what the last write missed
of the current minute, and a failed write is simply tried again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from metaexpo.analytics.definitions import OPEN_REPEAT_S
from metaexpo.analytics.figures import AreaRow
from metaexpo.analytics.heat import HeatGrid, pack
from metaexpo.analytics.sampler import HallLayout, MinuteFigures, RoomSampler, RoomView
from metaexpo.analytics.uniques import UniqueCounter


@dataclass(frozen=True, slots=True)
class MinuteRow:
    """One area's figures of one minute, ready for the database."""

    minute: int
    kind: str
    area: str
    hall: str
    figures: AreaRow


@dataclass(frozen=True, slots=True)
class HeatRow:
    """A hall's heatmap of one minute: tenths of visitor-seconds per cell of ``grid``."""

    minute: int
    hall: str
    grid: HeatGrid
    tenths: bytes


@dataclass(slots=True)
class Batch:
    """What one write stores: figures by minute and area, flows, heatmaps, new unique visitors."""

    run: str
    minutes: list[MinuteRow] = field(default_factory=list)
    flows: list[tuple[int, str, str, int]] = field(default_factory=list)
    heat: list[HeatRow] = field(default_factory=list)
    #: (kind, area, minute, visitor key) of visits begun since the last batch.
    visitors: list[tuple[str, str, int, int]] = field(default_factory=list)
    #: The ended minutes in this batch (forgotten once it is written).
    closed: list[MinuteFigures] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.minutes or self.flows or self.heat or self.visitors)


def _rows_of(figures: MinuteFigures, batch: Batch) -> None:
    for kind, kf in figures.kinds.items():
        for area, row in kf.rows().items():
            batch.minutes.append(MinuteRow(figures.minute, kind, area, figures.hall_id, row))
    for (a, b), n in figures.kinds["zone"].flow_rows().items():
        batch.flows.append((figures.minute, a, b, n))
    if figures.heat:
        tenths = pack(figures.heat.tenths())
        batch.heat.append(HeatRow(figures.minute, figures.hall_id, figures.heat.grid, tenths))


class Reach:
    """Counts reach on this node (see the module docstring)."""

    def __init__(
        self,
        layouts: Mapping[str, HallLayout],
        run: str,
        uniques: UniqueCounter,
        day_of: Callable[[float], str],
        *,
        sample_hz: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.run = run
        self.uniques = uniques
        self.day_of = day_of
        self.period = 1.0 / sample_hz
        self.clock = clock
        self.wall = wall
        self.samplers = {room_id: RoomSampler(layout) for room_id, layout in layouts.items()}
        #: Which room's sampler counts a booth's events.
        self.room_of_booth = {
            booth_id: room_id
            for room_id, layout in layouts.items()
            for booth_id in layout.booths.ids
        }
        self._visitors: list[tuple[str, str, int, int]] = []
        self._last_event: dict[tuple[int, str, str], float] = {}
        self.samples = 0
        #: Seconds spent sampling (for /metrics and docs/perf.md).
        self.sample_seconds = 0.0
        #: The longest gap between two samples so far (s): a stay's dwell is off by less than
        #: the gap around its start or end, so this is how precise dwell was (for /metrics).
        self.longest_gap_s = 0.0
        self._sampled_at: float | None = None

    # --- sampling -------------------------------------------------------------------------------

    def sample(self, views: Mapping[str, RoomView]) -> None:
        """Sample every room (about once a second, between ticks)."""
        started = self.clock()
        if self._sampled_at is not None:
            self.longest_gap_s = max(self.longest_gap_s, started - self._sampled_at)
        self._sampled_at = started
        wall = self.wall()
        day = self.day_of(wall)
        for room_id, view in views.items():
            sampler = self.samplers.get(room_id)
            if sampler is None:
                continue
            seen = sampler.sample(view.presence(), started, wall, self.period)
            minute = int(wall // 60)
            if seen.arrived:
                self.uniques.add(f"{day}:hall:{sampler.layout.hall_id}", seen.arrived)
                self._visitors.extend(
                    ("hall", sampler.layout.hall_id, minute, v) for v in seen.arrived
                )
            for kind, area, visitor in seen.visits:
                self.uniques.add(f"{day}:{kind}:{area}", (visitor,))
                self._visitors.append((kind, area, minute, visitor))
        self.samples += 1
        self.sample_seconds += self.clock() - started

    def set_forums(self, room_id: str, sessions: Sequence[tuple[str, str]]) -> None:
        """The forum sessions live in ``room_id``'s hall now: (session id, forum hall id)."""
        sampler = self.samplers.get(room_id)
        if sampler is not None:
            sampler.set_forums(sessions, self.wall())

    # --- events ----------------------------------------------------------------------------------

    def knows_booth(self, booth_id: str) -> bool:
        """Whether ``booth_id`` is a booth of this expo's halls."""
        return booth_id in self.room_of_booth

    def _event(self, visitor: int, booth_id: str, what: str, link: str = "") -> bool:
        """Count one event unless the same visitor sent it for the same booth (and link) lately."""
        room_id = self.room_of_booth.get(booth_id)
        if room_id is None:
            return False
        now = self.clock()
        key = (visitor, booth_id, link)
        last = self._last_event.get(key)
        if last is not None and now - last < OPEN_REPEAT_S:
            return False
        self._last_event[key] = now
        sampler = self.samplers[room_id]
        kf = sampler.minute(self.wall()).kinds["booth"]
        index = sampler.layout.booths.index(booth_id)
        assert index is not None, "booths of a room are in its layout"
        target = kf.opens if what == "open" else kf.clicks
        target[index] += 1
        return True

    def panel_open(self, visitor: int, booth_id: str) -> bool:
        """A visitor opened a booth's panel; True if it counted (see definitions)."""
        return self._event(visitor, booth_id, "open")

    def link_click(self, visitor: int, booth_id: str, url: str) -> bool:
        """A visitor followed one of a booth's links; True if it counted."""
        return self._event(visitor, booth_id, "click", url)

    # --- writing ---------------------------------------------------------------------------------

    def batch(self) -> Batch:
        """Everything to write now: ended minutes, the current one so far, new visitors."""
        batch = Batch(self.run)
        for sampler in self.samplers.values():
            closed = sampler.take_closed()
            sampler.closed = closed  # kept until written
            batch.closed.extend(closed)
            for figures in closed:
                _rows_of(figures, batch)
            if sampler.current is not None:
                _rows_of(sampler.current, batch)
        batch.visitors, self._visitors = self._visitors, []
        now = self.clock()
        stale = [k for k, at in self._last_event.items() if now - at >= OPEN_REPEAT_S]
        for k in stale:
            del self._last_event[k]
        return batch

    def written(self, batch: Batch) -> None:
        """``batch`` is in the database: its ended minutes need not be written again."""
        done = {id(figures) for figures in batch.closed}
        for sampler in self.samplers.values():
            sampler.closed = [f for f in sampler.closed if id(f) not in done]

    def not_written(self, batch: Batch) -> None:
        """Writing ``batch`` failed: its new visitors go into the next one."""
        self._visitors[:0] = batch.visitors
