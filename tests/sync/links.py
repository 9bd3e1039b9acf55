"""An in-memory ClientLink for unit tests of the pure tick (integration tests use real sockets)."""

from __future__ import annotations

import orjson

from metaexpo.protocol.frames import ServerFrame, decode_server_frame


class RecordingLink:
    """Keeps every frame it is sent; can pretend its buffer is full."""

    def __init__(self) -> None:
        self.binary: list[bytes] = []
        self.text: list[dict[str, object]] = []
        self.closed: tuple[int, str] | None = None
        self.send_binary = self.binary.append

    def send_text(self, data: bytes) -> None:
        self.text.append(orjson.loads(data))

    def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def frames(self) -> list[ServerFrame]:
        return [decode_server_frame(b) for b in self.binary]

    def take(self) -> list[ServerFrame]:
        out = self.frames()
        self.binary.clear()
        return out
