"""The fixed-rate tick loop: drift-tolerant, overrun-counting, never fatal.

The next tick time advances by a fixed step, so a late tick does not shift
every later one; after a stall longer than a period the schedule is re-based
instead of firing a burst of catch-up ticks. A tick that raises is logged and
counted, and the loop goes on. It lives at the edge, beside the sockets: the
sync core it drives (:func:`~metaexpo.sync.tick.run_tick`) never awaits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from metaexpo.sync.room import Room
from metaexpo.sync.tick import run_tick

log = logging.getLogger(__name__)
#: Smoothing of the load figure (share of the period spent ticking).
_LOAD_ALPHA = 0.1


class TickLoop:
    """Ticks every room at ``tick_hz`` until stopped."""

    def __init__(
        self,
        rooms: Callable[[], Iterable[Room]],
        tick_hz: float,
        clock: Callable[[], float] = time.monotonic,
        flush_hz: float = 200.0,
    ) -> None:
        self.rooms = rooms
        self.period = 1.0 / tick_hz
        self.flush_period = 1.0 / flush_hz
        self.clock = clock
        self.errors = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Ask the loop to finish after the current tick."""
        self._stopping.set()

    def tick_once(self) -> None:
        """Tick every room once, now (the loop's body; tests call it directly)."""
        for room in self.rooms():
            start = self.clock()
            try:
                run_tick(room, start)
            except Exception:
                self.errors += 1
                log.exception("tick of room %s failed; continuing", room.id)
            took = self.clock() - start
            room.stats.tick_seconds.observe(took)
            room.stats.load += _LOAD_ALPHA * (took / self.period - room.stats.load)

    def flush_once(self) -> bool:
        """Publish poses to other nodes between ticks; False if no room has peers."""
        busy = False
        for room in self.rooms():
            if room.bus.has_peers:
                busy = True
                try:
                    room.flush_bus(self.clock())
                except Exception:
                    self.errors += 1
                    log.exception("bus flush of room %s failed; continuing", room.id)
        return busy

    async def run(self) -> None:
        """Tick until :meth:`stop`; with other nodes listening, flush to the bus in between."""
        next_at = self.clock()
        while not self._stopping.is_set():
            next_at += self.period
            self.tick_once()
            now = self.clock()
            if now > next_at:
                for room in self.rooms():
                    room.stats.tick_overruns += 1
                if now - next_at > self.period:
                    next_at = now  # a stall: re-base rather than fire catch-up ticks
            flushing = True
            while flushing and next_at - now > self.flush_period * 1.5:
                if await self._sleep(now + self.flush_period):
                    return
                flushing = self.flush_once()
                now = self.clock()
            if await self._sleep(next_at):
                return

    async def _sleep(self, until: float) -> bool:
        """Wait until ``until``; True if asked to stop meanwhile.

        A plain sleep: ``wait_for`` on the stop event would create a task per
        wake-up, which at 200 flushes a second costs more than the flush.
        """
        await asyncio.sleep(max(0.0, until - self.clock()))
        return self._stopping.is_set()
