"""The pending-connection cap and the connection log, without a server."""

from __future__ import annotations

import logging

import pytest

from metaexpo.gateway.connlog import ConnectionLog, QuietLog, describe
from metaexpo.gateway.guard import ConnectionGuard, EdgeStats, address_key


class Socketish:
    """Just what the guard asks of a transport: whether it is closing."""

    def __init__(self) -> None:
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing


def test_ipv6_clients_are_counted_per_64_block_and_ipv4_per_address() -> None:
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_key("fe80::1%eth0") == address_key("fe80::2")
    assert address_key("/run/expo.sock") == "/run/expo.sock"


def test_the_next_pending_connection_over_the_cap_is_refused_and_counted() -> None:
    guard = ConnectionGuard(2)
    first = guard.admit("198.51.100.1", Socketish())
    assert first is not None and guard.admit("198.51.100.1", Socketish()) is not None
    assert guard.admit("198.51.100.1", Socketish()) is None
    assert guard.admit("198.51.100.2", Socketish()) is not None, "other addresses are not capped"
    assert guard.stats.refused["pending_per_address"] == 1
    first.release()
    first.release()  # idempotent
    assert guard.admit("198.51.100.1", Socketish()) is not None
    assert guard.pending() == 3


def test_closed_connections_stop_counting_without_being_released() -> None:
    guard = ConnectionGuard(1)
    transport = Socketish()
    assert guard.admit("198.51.100.1", transport) is not None
    assert guard.admit("198.51.100.1", Socketish()) is None
    transport.closing = True
    assert guard.admit("198.51.100.1", Socketish()) is not None
    assert guard.pending() == 1


def test_a_cap_of_zero_refuses_nothing_and_keeps_nothing() -> None:
    guard = ConnectionGuard(0)
    for _ in range(1000):
        assert guard.admit("198.51.100.1", Socketish()) is not None
    assert guard.pending() == 0 and not guard.stats.refused


def test_the_summary_says_what_changed_since_the_last_one(caplog: pytest.LogCaptureFixture) -> None:
    stats = EdgeStats()
    clog = ConnectionLog(stats, 60.0, logging.getLogger("test.connections"))
    stats.accepted += 5
    stats.handed["http"] += 3
    stats.handed["websocket"] += 1
    stats.refused["pending_per_address"] += 1
    stats.timeouts["request_head"] += 2
    with caplog.at_level(logging.INFO, "test.connections"):
        clog.summarise()
        clog.summarise()  # nothing new: no line
    lines = [r for r in caplog.records if r.name == "test.connections"]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert lines[0].getMessage() == (
        "connections in the last 60 s: 5 accepted (3 http, 1 websocket); "
        "refused: 1 pending_per_address; timed out: 2 request_head"
    )
    assert describe({"accepted": 1, "bodies_refused": 2}) == (
        "1 accepted; bodies over their cap: 2"
    )


def test_picows_connection_noise_goes_to_debug_and_errors_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet = QuietLog(logging.getLogger("test.picows"))
    with caplog.at_level(logging.DEBUG, "test.picows"):
        quiet.info("New connection accepted: %s", "peer")
        quiet.warning("Protocol writing pause requested")
        quiet.error("Exception from WSListener.on_ws_disconnected: %s", "boom")
    levels = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "test.picows"]
    assert levels == [
        (logging.DEBUG, "New connection accepted: peer"),
        (logging.DEBUG, "Protocol writing pause requested"),
        (logging.ERROR, "Exception from WSListener.on_ws_disconnected: boom"),
    ]
