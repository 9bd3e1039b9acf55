"""The numbers the sync core works with, and nothing else.

The core never sees the server's whole :class:`~metaexpo.config.Settings`
(listen address, database, TLS, ...): the edge builds one of these from it
(``metaexpo.gateway.tuning.sync_config``) and hands it to each room, the way
a protocol class gets its own config rather than the command line's object.
Frozen: a room's rules do not change while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """Tick rate, interest management, input limits and capacity of one room."""

    #: Pose frames per second each client receives.
    tick_hz: float
    #: Ticks per frame period; each tick serves 1/phases of the cells.
    fanout_phases: int
    #: Interest grid cell size (m).
    cell_size: float
    #: Avatars within this distance of a cell can be visible (m).
    interest_radius: float
    #: Most avatars sent at full rate to one cell.
    visible_cap: int
    #: Seconds between full keyframes of a cell's visible set.
    keyframe_interval_s: float
    #: Seconds between crowd-layer frames.
    crowd_interval_s: float
    #: Most crowd points in one crowd frame.
    crowd_max_points: int
    #: Fastest allowed walk (m/s) and extra metres allowed per pose.
    max_speed: float
    speed_slack: float
    #: Invalid frames/messages within 10 s before the client is closed.
    invalid_frame_limit: int
    #: Chat: longest message, burst and sustained rate per client.
    chat_max_chars: int
    chat_burst: int
    chat_per_minute: float
    #: Shortest gap between two teleports of one visitor (s).
    teleport_min_interval_s: float
    #: Joins beyond this many connected clients get "hall full".
    max_clients: int
    #: Refuse joins while recent ticks use more than this share of the period.
    tick_load_limit: float
    #: How long a dropped visitor's avatar waits for a resume (s).
    resume_window_s: float
    #: How long a client's send buffer may stay full before it is closed (s).
    slow_client_timeout_s: float
    #: Largest media chunk (bytes), and each visitor's media rate: chunks and bytes a second.
    media_chunk_max_bytes: int
    media_chunks_per_s: float
    media_bytes_per_s: float
    #: Voices are heard within this distance (m), at most this many at once per listener.
    voice_radius: float
    voice_cap: int

    @property
    def tick_period(self) -> float:
        """Seconds between two frames to one client."""
        return 1.0 / self.tick_hz

    @property
    def step_hz(self) -> float:
        """Ticks (steps of the sync loop) per second: every phase is a step."""
        return self.tick_hz * self.fanout_phases

    @property
    def step_period(self) -> float:
        """Seconds between two steps of the sync loop."""
        return 1.0 / self.step_hz

    def ticks(self, seconds: float) -> int:
        """How many frame periods (at least one) make ``seconds``."""
        return max(1, round(seconds * self.tick_hz))

    def steps(self, seconds: float) -> int:
        """How many steps of the sync loop (at least one) make ``seconds``."""
        return max(1, round(seconds * self.step_hz))
