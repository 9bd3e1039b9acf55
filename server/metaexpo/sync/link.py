"""What the sync engine needs from a client connection, and nothing more.

The gateway adapts a real WebSocket (picows, or the ASGI route) to this
interface; the room never awaits it, so a slow client cannot stall a tick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class ClientLink(Protocol):
    """A connected client as the room sees it."""

    #: Queue a binary frame without waiting (the transport buffers it).
    send_binary: Callable[[bytes], None]

    def send_text(self, data: bytes) -> None:
        """Queue a JSON text frame (already UTF-8) without waiting."""

    def close(self, code: int, reason: str) -> None:
        """Send a close frame with ``code`` and ``reason`` and drop the connection."""
