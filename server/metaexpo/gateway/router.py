"""One port for everything: HTTP to uvicorn/FastAPI, the sync WebSocket to picows.

uvicorn accepts a protocol class for HTTP connections. This one waits for
the request line, then hands the connection — and the bytes read so far —
to either uvicorn's own HTTP protocol or picows's WebSocket protocol, and
steps aside. After the hand-over it is never called again, so neither side
pays for the routing.

It is also the edge's first line (docs/security.md): a connection from an
address that already holds ``--max-pending-per-address`` pending connections
is refused before a byte is read, and every connection must send its request
line and headers within ``--header-timeout-s`` of being accepted, whichever
protocol ends up reading them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from picows import WSAutoPingStrategy, WSUpgradeRequest
from picows.picows import WSProtocol  # type: ignore[attr-defined]
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from metaexpo.config import Settings
from metaexpo.gateway.connlog import ConnectionLog, QuietLog
from metaexpo.gateway.guard import ConnectionGuard, Pending

#: Makes the listener of one /ws connection; the Pending is that connection's place under the
#: per-address cap, to release once its visitor has joined.
ListenerFactory = Callable[[WSUpgradeRequest, Pending], Any]

#: A request line longer than this is not waited for; it goes to uvicorn, which answers it.
_MAX_REQUEST_LINE = 8192

log = logging.getLogger(__name__)


def is_sync_upgrade(head: bytes, path: bytes) -> bool:
    """True if ``head`` starts a GET for ``path`` (or ``path?query``)."""
    prefix = b"GET " + path
    return head.startswith((prefix + b" ", prefix + b"?"))


def plain_response(status: int, reason: str, detail: str, headers: str = "") -> bytes:
    """A complete HTTP/1.1 answer with a JSON ``detail`` that closes the connection.

    For the few answers given before uvicorn has the connection.
    """
    body = json.dumps({"detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"{headers}"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


_REQUEST_TIMEOUT = plain_response(
    408, "Request Timeout", "the request line and headers did not arrive in time"
)
_TOO_MANY_PENDING = plain_response(
    429,
    "Too Many Requests",
    "too many unfinished connections from your address; finish or close them and retry",
    "Retry-After: 1\r\n",
)


def picows_protocol(
    settings: Settings,
    factory: Callable[[WSUpgradeRequest], Any],
    logger: logging.LoggerAdapter[Any],
) -> asyncio.BufferedProtocol:
    """A picows server-side protocol configured from the settings.

    picows's WSProtocol constructor is not public API; picows is pinned exactly
    in pyproject.toml and this is the one place that calls it. Its handshake
    timeout is off: the router's own request-head deadline covers the upgrade.
    """
    proto: asyncio.BufferedProtocol = WSProtocol(
        None,  # host:port (client side only)
        None,  # path (client side only)
        False,  # is_client_side
        factory,
        logger,
        True,  # disconnect_on_exception
        None,  # handshake timeout: the router's deadline applies
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


@dataclass(frozen=True, slots=True)
class Edge:
    """What the router of one server needs: settings, the cap, the log, and the /ws hook."""

    settings: Settings
    guard: ConnectionGuard
    connlog: ConnectionLog
    picows_log: QuietLog
    #: The sync socket's picows listener factory; None sends /ws to uvicorn too.
    factory: ListenerFactory | None


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol with a deadline for each request's head and a pending ticket.

    uvicorn itself has a keep-alive timeout between requests but none while a
    request line and its headers trickle in; this adds one. The connection
    stops counting as pending once its first response is complete.
    """

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: Any,
        *,
        edge: Edge,
        ticket: Pending,
        first_deadline: float,
    ) -> None:
        super().__init__(config=config, server_state=server_state, app_state=app_state)
        self._edge = edge
        self._ticket: Pending | None = ticket
        self._first_deadline: float | None = first_deadline
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        assert self._first_deadline is not None
        self._head_timer = self.loop.call_at(self._first_deadline, self._head_timed_out)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # a keep-alive connection's next request
            self._head_timer = self.loop.call_later(
                self._edge.settings.header_timeout_s, self._head_timed_out
            )

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def handle_websocket_upgrade(self) -> None:
        self._release()
        super().handle_websocket_upgrade()

    def on_response_complete(self) -> None:
        self._release()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._release()
        super().connection_lost(exc)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _release(self) -> None:
        if self._ticket is not None:
            self._ticket.release()
            self._ticket = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        self._edge.guard.stats.timeouts["request_head"] += 1
        self._edge.connlog.activity()
        log.debug("request head from %s not complete in time; closing", self.client)
        self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()


class RouterProtocol(asyncio.Protocol):
    """First-bytes router installed as uvicorn's ``http`` protocol class (see bind_router)."""

    edge: ClassVar[Edge]
    sync_path: ClassVar[bytes] = b"/ws"

    def __init__(self, config: Any, server_state: Any, app_state: Any = None, **_: Any) -> None:
        self._uvicorn = (config, server_state, app_state)
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._ticket: Pending | None = None
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        #: True once the request head has arrived (in this router, or in picows after it).
        self._head_done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCPTransport quacks like asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        edge = self.edge
        edge.guard.stats.accepted += 1
        edge.connlog.activity()
        peer = transport.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) and peer else None
        ticket = edge.guard.admit(address, self._transport)
        if ticket is None:
            log.debug("refused a connection from %s: too many pending", address)
            self._transport.write(_TOO_MANY_PENDING)
            self._transport.close()
            return
        self._ticket = ticket
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + edge.settings.header_timeout_s
        self._timer = loop.call_at(self._deadline, self._head_timed_out)

    def data_received(self, data: bytes) -> None:
        if self._ticket is None:
            return  # refused: the answer is on its way and the connection closing
        self._buffer += data
        if b"\n" not in self._buffer and len(self._buffer) < _MAX_REQUEST_LINE:
            return  # wait for the whole request line
        self._hand_over()

    def _head_timed_out(self) -> None:
        self._timer = None
        transport = self._transport
        if self._head_done or transport is None or transport.is_closing():
            return
        self.edge.guard.stats.timeouts["request_head"] += 1
        self.edge.connlog.activity()
        log.debug("request head not complete in time; closing")
        if self._buffer:  # a partial request deserves an answer; a silent socket does not
            transport.write(_REQUEST_TIMEOUT)
        transport.close()

    def _upgrade_requested(self) -> None:
        """picows has the whole upgrade request: the head deadline is met."""
        self._head_done = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _hand_over(self) -> None:
        transport, data, ticket = self._transport, self._buffer, self._ticket
        assert transport is not None, "data arrives after connection_made"
        assert ticket is not None, "refused connections are not handed over"
        self._buffer = b""
        edge = self.edge
        if edge.factory is not None and is_sync_upgrade(data, self.sync_path):
            edge.guard.stats.handed["websocket"] += 1
            factory = edge.factory

            def listener(request: WSUpgradeRequest) -> Any:
                self._upgrade_requested()
                return factory(request, ticket)

            ws = picows_protocol(edge.settings, listener, edge.picows_log)
            transport.set_protocol(ws)
            ws.connection_made(transport)
            buf = ws.get_buffer(len(data))
            memoryview(buf)[: len(data)] = data
            ws.buffer_updated(len(data))
            return
        edge.guard.stats.handed["http"] += 1
        self._head_done = True  # from here uvicorn's protocol keeps the deadline
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        config, server_state, app_state = self._uvicorn
        http = GuardedHttpProtocol(
            config,
            server_state,
            app_state,
            edge=edge,
            ticket=ticket,
            first_deadline=self._deadline,
        )
        transport.set_protocol(http)
        http.connection_made(transport)
        http.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._ticket is not None:
            self._ticket.release()
        self._transport = None

    def eof_received(self) -> bool | None:
        return None


def bind_router(
    settings: Settings, factory: ListenerFactory | None, guard: ConnectionGuard
) -> type[RouterProtocol]:
    """A router class for one server: /ws goes to picows through ``factory`` (if given)."""
    edge = Edge(
        settings=settings,
        guard=guard,
        connlog=ConnectionLog(guard.stats, settings.connection_log_interval_s),
        picows_log=QuietLog(logging.getLogger("metaexpo.picows")),
        factory=factory,
    )
    return type("BoundRouterProtocol", (RouterProtocol,), {"edge": edge})
