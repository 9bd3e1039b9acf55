"""The small interface between a room and other nodes serving the same hall.

Each tick a room publishes one binary message with its local avatars'
changes and merges what other nodes published. The in-process bus (one node)
has no peers, so the room skips encoding; the Redis bus (several nodes)
implements the same four calls. Adapters live in :mod:`metaexpo.bus`, never
imported from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

MessageHandler = Callable[[bytes], None]


class Bus(Protocol):
    """Publish/subscribe of per-room tick messages between nodes."""

    #: This node's id, carried in every message it publishes.
    node_id: str

    @property
    def has_peers(self) -> bool:
        """True if another node may be listening (else publishing is skipped)."""

    def publish(self, room_id: str, payload: bytes) -> None:
        """Send this tick's message for ``room_id``; never blocks the tick."""

    def subscribe(self, room_id: str, handler: MessageHandler) -> None:
        """Call ``handler`` with every message other nodes publish for ``room_id``."""

    def unsubscribe(self, room_id: str) -> None:
        """Stop receiving messages for ``room_id``."""

    async def close(self) -> None:
        """Release connections; publishing after close is a no-op."""


class ResumeRegistry(Protocol):
    """Resume tokens visible to every node, so a visitor can resume on any of them."""

    def remember(self, token: str, record: dict[str, Any]) -> None:
        """Make ``token`` resolvable (kept alive while this node holds the avatar)."""

    def forget(self, token: str) -> None:
        """The token was rotated or its avatar left."""

    async def lookup(self, token: str) -> dict[str, Any] | None:
        """The record of a token held by any node, or None."""
