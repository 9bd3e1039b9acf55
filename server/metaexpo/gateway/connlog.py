"""Connection noise at debug level, and one summary line at info now and then.

Every visitor opens connections, and anyone can open thousands: a log line
per connection at info level floods the log exactly when it matters. So each
connection event (accepted, handed over, refused, timed out, picows's own
messages) is logged at debug, and :class:`ConnectionLog` writes one info line
with the counts at most every ``--connection-log-interval-s``, and only after
something happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from metaexpo.gateway.guard import EdgeStats

log = logging.getLogger("metaexpo.connections")


def describe(diff: Mapping[str, int]) -> str:
    """One interval's counts as a sentence part: ``12 accepted (10 http, 2 websocket)``."""
    parts = [f"{diff.get('accepted', 0)} accepted"]
    handed = [f"{n} {key[7:]}" for key, n in sorted(diff.items()) if key.startswith("handed:")]
    if handed:
        parts[0] += f" ({', '.join(handed)})"
    for prefix, what in (("refused:", "refused"), ("timeouts:", "timed out")):
        items = [
            f"{n} {key[len(prefix) :]}" for key, n in sorted(diff.items()) if key.startswith(prefix)
        ]
        if items:
            parts.append(f"{what}: {', '.join(items)}")
    if diff.get("bodies_refused"):
        parts.append(f"bodies over their cap: {diff['bodies_refused']}")
    return "; ".join(parts)


class ConnectionLog:
    """A rate-limited info summary of the edge's counters."""

    def __init__(self, stats: EdgeStats, interval_s: float, logger: logging.Logger = log) -> None:
        self.stats = stats
        self.interval_s = interval_s
        self.log = logger
        self._last = stats.snapshot()
        self._timer: asyncio.TimerHandle | None = None

    def activity(self) -> None:
        """Something happened: make sure a summary follows within the interval."""
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.interval_s, self.summarise)

    def summarise(self) -> None:
        """Log what changed since the last summary (nothing if nothing did)."""
        self._timer = None
        now = self.stats.snapshot()
        diff = {key: n - self._last.get(key, 0) for key, n in now.items()}
        diff = {key: n for key, n in diff.items() if n}
        self._last = now
        if diff:
            self.log.info("connections in the last %g s: %s", self.interval_s, describe(diff))


class QuietLog(logging.LoggerAdapter[logging.Logger]):
    """A logger for picows that moves its per-connection info and warning lines to debug.

    picows logs "New connection accepted" and "Disconnected" at info for every
    connection, and a warning whenever a slow client's buffer fills; errors and
    tracebacks (bugs in our listener) keep their level.
    """

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        """Log ``msg``, one level down if it is per-connection noise."""
        if level < logging.ERROR:
            level = min(level, logging.DEBUG)
        super().log(level, msg, *args, **kwargs)
