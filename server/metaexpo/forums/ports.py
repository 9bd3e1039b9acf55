"""What the forums need from the rest of the server, as small interfaces (never imports of it).

The wiring (``metaexpo.http.forums_wiring``) implements these on the node's
sync rooms and bus; the tests implement them in memory. The first two are
the seams fixed with the media path (docs/forums.md): the room's media
permissions and the stage-audio recorder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar


class StageRoom(Protocol):
    """A hall's room on this node, as the forum desk sees it."""

    def set_stage(
        self,
        stage: int,
        area: tuple[float, float, float, float],
        source: tuple[float, float, float],
        live: bool,
    ) -> None:
        """The audience region (x0, x1, z0, z1) of forum hall number ``stage`` and where its
        sound comes from; ``live`` while a session is live there (audience voice is muted)."""

    def allow_stage_audio(self, wire_id: int, stage: int | None) -> None:
        """This avatar may (stage) or may no longer (None) send STAGE audio."""

    def deliver(self, data: bytes, rows: Iterable[int] | None = None) -> None:
        """Send an encoded control message to this node's visitors of the room (all, or
        the given rows)."""

    def wire_id(self, row: int) -> int | None:
        """The avatar id on the wire of a local visitor's row (None: no one there)."""

    def row_of(self, wire_id: int) -> int | None:
        """The row of a visitor connected to this node, by avatar id (None: not here)."""

    def name_of(self, row: int) -> str | None:
        """The display name of a local visitor."""


class StageRecorder(Protocol):
    """Receives every STAGE audio chunk of the live stages (the media path calls it)."""

    def stage_chunk(
        self, stage: int, speaker: int, seq: int, opus: bytes, received_at: float
    ) -> None:
        """One 20 ms Opus packet of stage ``stage`` from avatar ``speaker`` (its wire id),
        sequence ``seq`` (wrapping u16, counted per speaker)."""


#: A handler of forum messages other nodes published.
BusHandler = Callable[[bytes], None]


class ForumBus(Protocol):
    """Forum events between the nodes of one expo (nothing, on a single node)."""

    node_id: str

    def publish(self, payload: bytes) -> None:
        """Send an event to every other node; never blocks, may drop under pressure."""

    def subscribe(self, handler: BusHandler) -> None:
        """Call ``handler`` with every event other nodes publish."""


class Caller(Protocol):
    """Who sent a message on the sync socket (the join token's identity)."""

    @property
    def role(self) -> str:
        """``visitor``, ``exhibitor`` or ``staff``."""

    @property
    def user_id(self) -> str | None:
        """The token's subject: account id, ``guest-…``, ``speaker-…``; None without a token."""


T = TypeVar("T")


class Workers(Protocol):
    """Where heavy work runs away from the event loop and the server's heap (the upload
    worker pool: slide rendering shares it with model checks)."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker (picklable function and arguments), awaited."""
