"""The sync WebSocket as a FastAPI route: the slower stack, kept to measure against.

Starlette's send is a coroutine, so each client gets a bounded outbox and a
writer task; the tick only appends to the outbox and never awaits. The
measured cost per message is in docs/perf.md (picows is the default).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.origin import origin_allowed
from metaexpo.gateway.session import Session
from metaexpo.protocol.codes import CloseCode


class AsgiLink:
    """:class:`~metaexpo.sync.link.ClientLink` over a Starlette WebSocket."""

    def __init__(self, websocket: WebSocket, high_water: int) -> None:
        self.websocket = websocket
        self.outbox: deque[tuple[bool, bytes]] = deque()
        self.queued = 0
        self.high_water = high_water
        self.closed = False
        self.close_with: tuple[int, str] | None = None
        self.session: Session | None = None
        self.congested = False
        self._wake = asyncio.Event()
        self.send_binary: Callable[[bytes], None] = self._send_binary

    def _push(self, binary: bool, data: bytes) -> None:
        if self.closed:
            return
        self.outbox.append((binary, data))
        self.queued += len(data)
        self._wake.set()
        if not self.congested and self.queued > self.high_water:
            self.congested = True
            if self.session is not None:
                self.session.on_congestion(True)

    def _send_binary(self, data: bytes) -> None:
        self._push(True, data)

    def send_text(self, data: bytes) -> None:
        """Queue a text frame."""
        self._push(False, data)

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued has been sent."""
        if not self.closed:
            self.closed = True
            self.close_with = (code, reason[:120])
            self._wake.set()

    async def pump(self) -> None:
        """Writer task: send queued frames in order; close when asked."""
        ws = self.websocket
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.outbox:
                binary, data = self.outbox.popleft()
                self.queued -= len(data)
                if binary:
                    await ws.send_bytes(data)
                else:
                    await ws.send_text(data.decode())
                if self.congested and self.queued < self.high_water // 4:
                    self.congested = False
                    if self.session is not None:
                        self.session.on_congestion(False)
            if self.close_with is not None:
                code, reason = self.close_with
                await ws.close(code, reason)
                return
            if self.closed:
                return


async def serve_sync_socket(websocket: WebSocket, hub: SyncHub) -> None:
    """Run one sync connection over the ASGI WebSocket until it ends."""
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), headers.get("host"), hub.settings.allowed_origins):
        await websocket.close(1008, "this page's origin may not open the expo's WebSocket")
        return
    await websocket.accept()
    link = AsgiLink(websocket, hub.settings.send_buffer_bytes)
    session = Session(hub, link)
    link.session = session
    writer = asyncio.create_task(link.pump())
    timer = asyncio.get_running_loop().call_later(
        hub.settings.join_timeout_s, session.on_join_timeout
    )
    clean = False
    try:
        while not writer.done():
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                clean = message.get("code", 1006) in (CloseCode.NORMAL, 1001)
                break
            if link.closed:
                continue  # closing: what the client still sends is ignored
            data = message.get("bytes")
            if data is not None:
                if len(data) > hub.settings.max_message_bytes:
                    session.close(CloseCode.MESSAGE_TOO_BIG, "message too big", code="too_big")
                    break
                session.on_binary(data)
            elif message.get("text") is not None:
                session.on_text(message["text"])
    except WebSocketDisconnect as exc:
        clean = exc.code in (CloseCode.NORMAL, 1001)
    finally:
        timer.cancel()
        session.on_disconnected(clean=clean, reason="closed" if clean else "dropped")
        link.closed = True
        link._wake.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer, 1.0)
