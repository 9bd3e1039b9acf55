"""One port for everything: HTTP to uvicorn/FastAPI, the sync WebSocket to picows.

uvicorn accepts a protocol class for HTTP connections. This one waits for
the request line, then hands the connection — and the bytes read so far —
to either uvicorn's own HTTP protocol or picows's WebSocket protocol, and
steps aside. After the hand-over it is never called again, so neither side
pays for the routing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar, cast

from picows import WSAutoPingStrategy, WSUpgradeRequest
from picows.picows import WSProtocol  # type: ignore[attr-defined]
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from metaexpo.config import Settings

ListenerFactory = Callable[[WSUpgradeRequest], Any]

#: A request line longer than this is not waited for; it goes to uvicorn, which answers it.
_MAX_REQUEST_LINE = 8192


def is_sync_upgrade(head: bytes, path: bytes) -> bool:
    """True if ``head`` starts a GET for ``path`` (or ``path?query``)."""
    prefix = b"GET " + path
    return head.startswith((prefix + b" ", prefix + b"?"))


def picows_protocol(settings: Settings, factory: ListenerFactory) -> asyncio.BufferedProtocol:
    """A picows server-side protocol configured from the settings.

    picows's WSProtocol constructor is not public API; picows is pinned exactly
    in pyproject.toml and this is the one place that calls it.
    """
    proto: asyncio.BufferedProtocol = WSProtocol(
        None,  # host:port (client side only)
        None,  # path (client side only)
        False,  # is_client_side
        factory,
        logging.getLogger("metaexpo.picows"),
        True,  # disconnect_on_exception
        settings.join_timeout_s,  # handshake timeout
        True,  # enable_auto_ping
        settings.ping_interval_s,
        settings.ping_timeout_s,
        WSAutoPingStrategy.PING_PERIODICALLY,
        True,  # enable_auto_pong
        settings.max_message_bytes,
        None,  # extra response headers
        16 * 1024,  # initial read buffer
    )
    return proto


class RouterProtocol(asyncio.Protocol):
    """First-bytes router installed as uvicorn's ``http`` protocol class (see bind_router)."""

    #: The sync socket's settings and picows listener factory; None sends /ws to uvicorn too.
    hooks: ClassVar[tuple[Settings, ListenerFactory] | None] = None
    sync_path: ClassVar[bytes] = b"/ws"

    def __init__(self, config: Any, server_state: Any, app_state: Any = None, **_: Any) -> None:
        self._uvicorn = (config, server_state, app_state)
        self._transport: asyncio.Transport | None = None
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCPTransport quacks like asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if b"\n" not in self._buffer and len(self._buffer) < _MAX_REQUEST_LINE:
            return  # wait for the whole request line
        self._hand_over()

    def _hand_over(self) -> None:
        transport, data = self._transport, self._buffer
        assert transport is not None, "data arrives after connection_made"
        self._buffer = b""
        if self.hooks is not None and is_sync_upgrade(data, self.sync_path):
            settings, factory = self.hooks
            ws = picows_protocol(settings, factory)
            transport.set_protocol(ws)
            ws.connection_made(transport)
            buf = ws.get_buffer(len(data))
            memoryview(buf)[: len(data)] = data
            ws.buffer_updated(len(data))
            return
        config, server_state, app_state = self._uvicorn
        http = HttpToolsProtocol(config=config, server_state=server_state, app_state=app_state)
        transport.set_protocol(http)
        http.connection_made(transport)
        http.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def eof_received(self) -> bool | None:
        return None


def bind_router(settings: Settings, factory: ListenerFactory | None) -> type[RouterProtocol]:
    """A router class for one server: /ws goes to picows through ``factory`` (if given)."""
    hooks = (settings, factory) if factory is not None else None
    return type("BoundRouterProtocol", (RouterProtocol,), {"hooks": hooks})
