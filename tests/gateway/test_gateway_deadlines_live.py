"""Connections that never finish a request, against a real server: silent, half a request
line, or headers dribbled one by one are closed after the deadline, before and after the
one-port router hands them over; one address cannot hold more than its share of them; and
connection noise stays out of the info log."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect

from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric

pytestmark = pytest.mark.integration

HEAD_TIMEOUT = 1.0 * TIME_FACTOR
CAP = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # Settings by environment: a server without them ignores them (and the tests say so).
    with pytest.MonkeyPatch.context() as env:
        env.setenv("METAEXPO_HEADER_TIMEOUT_S", str(HEAD_TIMEOUT))
        env.setenv("METAEXPO_MAX_PENDING_PER_ADDRESS", str(CAP))
        env.setenv("METAEXPO_CONNECTION_LOG_INTERVAL_S", "0.5")
        proc = ServerProcess(tmp_path_factory.mktemp("deadlines"), "--log-level", "info").start()
    yield proc
    proc.stop()


def connect_from(server: ServerProcess, source: str = "127.0.0.1") -> socket.socket:
    """A raw TCP connection to the server from the loopback address ``source``."""
    return socket.create_connection(
        ("127.0.0.1", server.port), timeout=10 * TIME_FACTOR, source_address=(source, 0)
    )


def closed_by_server(sock: socket.socket, within: float = 10.0) -> bytes:
    """Read until the server closes the connection; what it said. Fails if it never does."""
    sock.settimeout(within * TIME_FACTOR)
    said = b""
    try:
        while chunk := sock.recv(4096):
            said += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {within * TIME_FACTOR:g} s")
    except ConnectionResetError:
        pass
    return said


def dribble(sock: socket.socket, lines: list[bytes], every: float) -> bytes:
    """Send ``lines`` one every ``every`` s (each well inside the deadline) until the server
    closes; what it said. Fails if every line went through and the server still waits."""
    sock.settimeout(every)
    said = b""
    for line in lines:
        try:
            sock.sendall(line)
        except OSError:
            return said
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return said
        if not chunk:
            return said
        said += chunk
    return said + closed_by_server(sock, within=every * 2)


def whole_response(sock: socket.socket) -> bytes:
    """One HTTP response with a Content-Length body, however many reads it takes (the head and
    the body may come in two)."""
    said = b""
    while b"\r\n\r\n" not in said:
        chunk = sock.recv(4096)
        assert chunk, f"closed before the response's head ended: {said[:100]!r}"
        said += chunk
    head, _, body = said.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, f"closed before the body ended: {said[:100]!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


def timeouts(server: ServerProcess) -> float:
    return metric(server.metrics(), "metaexpo_connection_timeouts_total", stage="request_head")


def test_silent_sockets_are_closed_after_the_deadline(server: ServerProcess) -> None:
    before = timeouts(server)
    socks = [connect_from(server) for _ in range(3)]
    try:
        for sock in socks:
            assert closed_by_server(sock) == b"", "a silent socket is closed without an answer"
    finally:
        for sock in socks:
            sock.close()
    assert timeouts(server) - before == 3


def test_a_partial_request_line_is_answered_408_and_closed(server: ServerProcess) -> None:
    with connect_from(server) as sock:
        sock.sendall(b"GET /heal")
        said = closed_by_server(sock)
    assert said.startswith(b"HTTP/1.1 408"), said[:100]


def test_dribbled_headers_are_cut_off_after_the_deadline(server: ServerProcess) -> None:
    lines = [b"GET /healthz HTTP/1.1\r\n"] + [b"X-Slow: %d\r\n" % i for i in range(40)]
    with connect_from(server) as sock:
        said = dribble(sock, lines, every=HEAD_TIMEOUT / 4)
    assert said.startswith(b"HTTP/1.1 408"), said[:100]


def test_a_dribbled_websocket_upgrade_is_cut_off_after_the_hand_over(
    server: ServerProcess,
) -> None:
    # The request line goes to the router, which hands the socket to picows for the headers.
    lines = [b"GET /ws HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n"] + [
        b"X-Slow: %d\r\n" % i for i in range(40)
    ]
    before = timeouts(server)
    with connect_from(server) as sock:
        dribble(sock, lines, every=HEAD_TIMEOUT / 4)
    assert timeouts(server) - before == 1


def test_dribbled_headers_of_a_second_request_are_cut_off_too(server: ServerProcess) -> None:
    with connect_from(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(10 * TIME_FACTOR)
        first = whole_response(sock)
        assert first.startswith(b"HTTP/1.1 200"), first[:100]
        lines = [b"GET /healthz HTTP/1.1\r\n"] + [b"X-Slow: %d\r\n" % i for i in range(40)]
        said = dribble(sock, lines, every=HEAD_TIMEOUT / 4)
    assert said.startswith(b"HTTP/1.1 408"), said[:100]


def test_one_address_cannot_hold_more_than_its_pending_connections(
    server: ServerProcess,
) -> None:
    # From an address of its own (127.0.0.2), so the test's other requests do not count.
    before = metric(
        server.metrics(), "metaexpo_connections_refused_total", reason="pending_per_address"
    )
    held = [connect_from(server, "127.0.0.2") for _ in range(CAP)]
    try:
        with connect_from(server, "127.0.0.2") as extra:
            said = closed_by_server(extra)
        assert said.startswith(b"HTTP/1.1 429"), said[:100]
        assert b"retry-after" in said.lower()
        # Another address is not affected.
        with connect_from(server, "127.0.0.3") as other:
            other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert closed_by_server(other).startswith(b"HTTP/1.1 200")
        # A held connection that finishes its request frees its place.
        held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        held[0].settimeout(10 * TIME_FACTOR)
        assert held[0].recv(4096).startswith(b"HTTP/1.1 200")
        with connect_from(server, "127.0.0.2") as again:
            again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert closed_by_server(again).startswith(b"HTTP/1.1 200")
    finally:
        for sock in held:
            sock.close()
    after = metric(
        server.metrics(), "metaexpo_connections_refused_total", reason="pending_per_address"
    )
    assert after - before == 1


async def test_joined_visitors_do_not_count_as_pending(server: ServerProcess) -> None:
    # CAP visitors from one address (a venue's NAT) join; that address may still open CAP
    # connections that have not finished a request, and no more.
    clients = []
    held: list[socket.socket] = []
    try:
        for k in range(CAP):
            ws = await connect(
                server.ws, open_timeout=10 * TIME_FACTOR, local_addr=("127.0.0.4", 0)
            )
            client = Client(ws)
            await client.join(f"guest {k}")
            clients.append(client)
        held = [connect_from(server, "127.0.0.4") for _ in range(CAP)]
        with connect_from(server, "127.0.0.4") as extra:
            said = await asyncio.to_thread(closed_by_server, extra)
        assert said.startswith(b"HTTP/1.1 429"), said[:100]
    finally:
        for sock in held:
            sock.close()
        for client in clients:
            await client.close()


async def test_connections_are_logged_at_debug_with_a_periodic_summary(
    server: ServerProcess,
) -> None:
    for k in range(3):
        client = await Client.connect(server.ws)
        await client.join(f"visitor {k}")
        await client.close()

    def summaries() -> list[str]:
        return [line for line in server.log().splitlines() if "connections in the last" in line]

    deadline = time.monotonic() + 10 * TIME_FACTOR
    while not any("websocket" in line for line in summaries()):
        assert time.monotonic() < deadline, f"no summary of the visitors:\n{server.log()}"
        await asyncio.sleep(0.1)
    assert all(" INFO " in line for line in summaries())
    log = server.log()
    for noise in ("New connection accepted", "Disconnected", "connection open"):
        assert noise not in log, f"{noise!r} is logged per connection:\n{log[-2000:]}"
