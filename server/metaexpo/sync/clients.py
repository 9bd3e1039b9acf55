"""Per-row columns about connected clients, beside the avatar state.

The tick reads these as arrays (who is live, who needs a keyframe, which cell
they were in, whose buffer is full); the send callables sit in a plain list
indexed by row so the fan-out loop does one list lookup per client.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from metaexpo.sync.link import ClientLink

#: Invalid frames are counted in windows of this many seconds.
INVALID_WINDOW_S = 10.0


class ClientTable:
    """Connection facts per row; grows with the room's state."""

    def __init__(self, capacity: int) -> None:
        self.capacity = 0
        self.links: list[ClientLink | None] = []
        self.send: list[Callable[[bytes], None] | None] = []
        self.ensure(capacity)

    # Columns (one row per row), created and grown by ensure().
    live: npt.NDArray[np.bool_]
    needs_keyframe: npt.NDArray[np.bool_]
    needs_crowd: npt.NDArray[np.bool_]
    cell: npt.NDArray[np.int64]
    congested: npt.NDArray[np.bool_]
    congested_since: npt.NDArray[np.float64]
    invalid: npt.NDArray[np.int32]
    #: Receive time of each row's latest queued pose (for the server-added latency).
    received_at: npt.NDArray[np.float64]
    #: The visitor may not talk (a moderator's mute); their voice chunks are refused.
    voice_muted: npt.NDArray[np.bool_]
    #: Media rate buckets: chunk and byte allowances left, and when they were last topped up.
    media_chunks: npt.NDArray[np.float64]
    media_bytes: npt.NDArray[np.float64]
    media_at: npt.NDArray[np.float64]
    #: Media log position from which the client is owed chunks (-1: whatever is new to the
    #: phase that serves it); set at each of its turns, read when it has changed phase.
    media_from: npt.NDArray[np.int64]

    _COLUMNS: tuple[tuple[str, npt.DTypeLike, float], ...] = (
        ("live", np.bool_, 0),
        ("needs_keyframe", np.bool_, 0),
        ("needs_crowd", np.bool_, 0),
        ("cell", np.int64, -1),
        ("congested", np.bool_, 0),
        ("congested_since", np.float64, 0),
        ("invalid", np.int32, 0),
        ("received_at", np.float64, 0),
        ("voice_muted", np.bool_, 0),
        ("media_chunks", np.float64, 0),
        ("media_bytes", np.float64, 0),
        ("media_at", np.float64, -np.inf),
        ("media_from", np.int64, -1),
    )

    def ensure(self, capacity: int) -> None:
        """Grow the columns to ``capacity`` rows (keeping their contents)."""
        if capacity <= self.capacity:
            return
        old = self.capacity
        for name, dtype, fill in self._COLUMNS:
            column = np.full(capacity, fill, dtype)
            if old:
                column[:old] = getattr(self, name)
            setattr(self, name, column)
        self.links.extend([None] * (capacity - old))
        self.send.extend([None] * (capacity - old))
        self.capacity = capacity

    def attach(self, row: int, link: ClientLink) -> None:
        """A client connected (or resumed) into ``row``: it needs a full picture first."""
        self.links[row] = link
        self.send[row] = link.send_binary
        self.live[row] = True
        self.needs_keyframe[row] = True
        self.needs_crowd[row] = True
        self.cell[row] = -1
        self.congested[row] = False
        self.invalid[row] = 0
        self.voice_muted[row] = False
        self.media_at[row] = -np.inf  # a fresh connection starts with full media allowances
        self.media_from[row] = -1  # and hears from now on, not what the row's last owner missed

    def detach(self, row: int) -> None:
        """The client in ``row`` is gone (its avatar may stay, AWAY)."""
        self.links[row] = None
        self.send[row] = None
        self.live[row] = False
        self.congested[row] = False

    def count_invalid(self, row: int) -> int:
        """Count one invalid frame for ``row`` and return its count in the window."""
        self.invalid[row] += 1
        return int(self.invalid[row])

    def set_congested(self, row: int, congested: bool, now: float) -> None:
        """Record that the client's send buffer is full (True) or drained (False)."""
        if not self.live[row] or bool(self.congested[row]) == congested:
            return
        self.congested[row] = congested
        if congested:
            self.congested_since[row] = now
        else:
            # It missed delta frames while congested: give it a full picture again.
            self.needs_keyframe[row] = True
