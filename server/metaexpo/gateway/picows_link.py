"""The sync WebSocket on picows: a thin pump between picows callbacks and a Session.

picows parses frames in C and calls ``on_ws_frame`` synchronously from the
read callback, so a pose costs one callback and a dict store; sends go
straight to the transport without awaiting.

Closing is a handshake, not a drop: the server sends its close frame and
keeps reading (and ignoring) the client's frames until the client answers
with its own close frame, or ``--close-timeout-s`` passes. Closing the
socket at once while the client's later frames sit unread makes the kernel
reset the connection, and the close frame with its reason is lost on the
way (the client sees 1006).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import cast

from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport

from metaexpo.gateway.guard import Pending
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.session import Session, SessionState
from metaexpo.protocol.codes import CloseCode

#: A close reason must fit a control frame (125 bytes, 2 of them the code).
_MAX_REASON = 123


def close_reason_bytes(reason: str) -> bytes:
    """UTF-8 ``reason`` cut to what a close frame can carry, never mid-character."""
    raw = reason.encode()
    if len(raw) <= _MAX_REASON:
        return raw
    return raw[: _MAX_REASON - 3].decode(errors="ignore").encode() + b"..."


class PicowsLink:
    """:class:`~metaexpo.sync.link.ClientLink` over a picows transport."""

    __slots__ = ("close_timeout_s", "closed", "send_binary", "transport")

    def __init__(self, transport: WSTransport, close_timeout_s: float) -> None:
        self.transport = transport
        self.send_binary: Callable[[bytes], None] = functools.partial(
            transport.send, WSMsgType.BINARY
        )
        self.close_timeout_s = close_timeout_s
        self.closed = False

    def send_text(self, data: bytes) -> None:
        """Queue a text frame."""
        if not self.closed:
            self.transport.send(WSMsgType.TEXT, data)

    def close(self, code: int, reason: str) -> None:
        """Send a close frame; disconnect when the client answers it, or after the timeout."""
        if self.closed:
            return
        self.closed = True
        self.transport.send_close(cast(WSCloseCode, code), close_reason_bytes(reason))
        # A client that has not answered by then may not be reading at all: abort rather than
        # wait for a write buffer it never drains. disconnect() is idempotent.
        asyncio.get_running_loop().call_later(
            self.close_timeout_s, self.transport.disconnect, False
        )


class SyncListener(WSListener):
    """picows listener for one /ws connection."""

    def __init__(self, hub: SyncHub, pending: Pending | None = None) -> None:
        self.hub = hub
        self.session: Session | None = None
        self.link: PicowsLink | None = None
        #: This connection's place under the per-address cap, until its visitor has joined.
        self.pending = pending
        self._timer: asyncio.TimerHandle | None = None
        self._clean = False

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.link = PicowsLink(transport, self.hub.settings.close_timeout_s)
        self.session = Session(self.hub, self.link)
        s = self.hub.settings
        transport.underlying_transport.set_write_buffer_limits(
            high=s.send_buffer_bytes, low=s.send_buffer_bytes // 4
        )
        self._timer = asyncio.get_running_loop().call_later(
            s.join_timeout_s, self.session.on_join_timeout
        )

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        session, link = self.session, self.link
        assert session is not None and link is not None, "frames arrive after on_ws_connected"
        kind = frame.msg_type
        if link.closed:  # our close frame is out: wait for the client's, ignore the rest
            if kind == WSMsgType.CLOSE:
                transport.disconnect(graceful=True)
            return
        if kind == WSMsgType.BINARY and frame.fin:
            session.on_binary(frame.get_payload_as_bytes())
            if self.pending is not None:  # a join resumed through the registry has finished
                self._joined(session)
        elif kind == WSMsgType.TEXT and frame.fin:
            try:
                text = frame.get_payload_as_utf8_text()
            except UnicodeDecodeError:
                session.close(
                    CloseCode.INVALID_DATA, "text frame is not valid UTF-8", code="bad_utf8"
                )
                return
            session.on_text(text)
            if self.pending is not None:
                self._joined(session)
        elif kind == WSMsgType.CLOSE:
            code = frame.get_close_code()
            self._clean = code.value in (CloseCode.NORMAL, 1001)
            transport.send_close(WSCloseCode.OK if self._clean else code)
            transport.disconnect(graceful=True)
        elif kind in (WSMsgType.BINARY, WSMsgType.TEXT, WSMsgType.CONTINUATION):
            session.close(
                CloseCode.MESSAGE_TOO_BIG
                if frame.payload_size > self.hub.settings.max_message_bytes
                else CloseCode.PROTOCOL_ERROR,
                "fragmented messages are not supported; send each message in one frame",
                code="fragmented",
            )

    def _joined(self, session: Session) -> None:
        """Once the visitor has joined, the connection no longer counts as pending."""
        if session.state is SessionState.JOINED and self.pending is not None:
            self.pending.release()
            self.pending = None

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.pending is not None:
            self.pending.release()
            self.pending = None
        if self.session is not None:
            self.session.on_disconnected(
                clean=self._clean, reason="closed" if self._clean else "dropped"
            )

    def pause_writing(self) -> None:
        if self.session is not None:
            self.session.on_congestion(True)

    def resume_writing(self) -> None:
        if self.session is not None:
            self.session.on_congestion(False)
