"""Counters and histograms the sync engine keeps for /metrics, cheap enough for the hot path.

Plain ints and numpy bucket arrays, read by the metrics endpoint at scrape
time; observing a whole tick's worth of latencies is one vectorised call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


class Histogram:
    """Cumulative-bucket histogram with vectorised observation."""

    def __init__(self, bounds: npt.ArrayLike) -> None:
        self.bounds = np.asarray(bounds, np.float64)
        assert np.all(np.diff(self.bounds) > 0), "bucket bounds must increase"
        self.counts = np.zeros(len(self.bounds) + 1, np.int64)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        """Add one observation."""
        self.counts[int(np.searchsorted(self.bounds, value, "left"))] += 1
        self.total += value
        self.count += 1

    def observe_many(self, values: npt.NDArray[np.floating]) -> None:
        """Add many observations at once."""
        if len(values) == 0:
            return
        idx = np.searchsorted(self.bounds, values, "left")
        self.counts += np.bincount(idx, minlength=len(self.counts))
        self.total += float(values.sum())
        self.count += len(values)

    def cumulative(self) -> list[tuple[float, int]]:
        """(upper bound, cumulative count) pairs ending with +Inf, as Prometheus wants."""
        cum = np.cumsum(self.counts)
        return [(float(b), int(c)) for b, c in zip(self.bounds, cum[:-1], strict=True)] + [
            (float("inf"), int(cum[-1]))
        ]


def latency_buckets() -> npt.NDArray[np.float64]:
    """Buckets in seconds, fine around the tick period: 0.25 ms … 1 s."""
    return np.concatenate(
        [np.arange(0.00025, 0.005, 0.00025), np.arange(0.005, 0.1, 0.0025), [0.15, 0.25, 0.5, 1.0]]
    )


@dataclass
class SyncStats:
    """Everything the sync engine counts; one instance per room."""

    frames_in: int = 0
    bytes_in: int = 0
    frames_out: int = 0
    bytes_out: int = 0
    records_out: int = 0
    poses_accepted: int = 0
    ticks: int = 0
    tick_overruns: int = 0
    frames_skipped_congested: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    disconnects: Counter[str] = field(default_factory=Counter)
    joins: int = 0
    joins_refused: Counter[str] = field(default_factory=Counter)
    resumes: int = 0
    chat_messages: int = 0
    #: Media chunks (and their Opus bytes) admitted from this node's visitors.
    media_chunks_in: int = 0
    media_bytes_in: int = 0
    #: Pose frames that carried media, chunks delivered in them, and their media bytes.
    media_frames_out: int = 0
    media_chunks_out: int = 0
    media_bytes_out: int = 0
    tick_seconds: Histogram = field(default_factory=lambda: Histogram(latency_buckets()))
    server_added_seconds: Histogram = field(default_factory=lambda: Histogram(latency_buckets()))
    #: Media chunk receive-to-send time (per chunk and fan-out phase that had listeners).
    media_added_seconds: Histogram = field(default_factory=lambda: Histogram(latency_buckets()))
    #: Share of the tick period used, smoothed (the overload guard reads it).
    load: float = 0.0
