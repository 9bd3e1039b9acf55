"""Connections that have not yet earned their keep: the per-address cap, and the edge's counters.

A connection is *pending* from the moment it is accepted until it has completed
one HTTP request (its response is sent) or its WebSocket visitor has joined.
A pending connection costs a file descriptor and buffers but proves nothing,
so one client address may hold only ``--max-pending-per-address`` of them;
the next is refused at once and counted. IPv6 clients are counted per /64,
the block one subscriber usually gets. Behind a reverse proxy every
connection comes from the proxy, so the cap is off there (0) and the proxy
enforces its own (docs/security.md).

The guard never needs to be told that a connection closed: a pending entry
whose transport is closing no longer counts, and is pruned the next time its
address connects.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol


class Closable(Protocol):
    """What the guard needs of a transport."""

    def is_closing(self) -> bool:
        """True once the connection is closed or closing."""
        ...


@dataclass(slots=True)
class EdgeStats:
    """Plain counters of what happened at the edge, read by /metrics and the log summary."""

    #: TCP connections accepted by the one-port router.
    accepted: int = 0
    #: Connections handed over, by protocol ("http", "websocket").
    handed: Counter[str] = field(default_factory=Counter)
    #: Connections refused before reading anything, by reason.
    refused: Counter[str] = field(default_factory=Counter)
    #: Connections closed because a deadline passed, by stage ("request_head", "body").
    timeouts: Counter[str] = field(default_factory=Counter)
    #: Request bodies refused with 413 (over their route's cap).
    bodies_refused: int = 0

    def snapshot(self) -> dict[str, int]:
        """Every counter flattened to ``name`` or ``name:label``, for differences over time."""
        flat = {"accepted": self.accepted, "bodies_refused": self.bodies_refused}
        for name in ("handed", "refused", "timeouts"):
            for label, n in getattr(self, name).items():
                flat[f"{name}:{label}"] = n
        return flat


def address_key(address: str) -> str:
    """The key one client is counted under: its IPv4 address, or its IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address  # a Unix socket path or something else: count it as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Pending:
    """One pending connection's place under its address's cap."""

    __slots__ = ("_guard", "key", "transport")

    def __init__(self, guard: ConnectionGuard, key: str, transport: Closable) -> None:
        self._guard = guard
        self.key = key
        self.transport = transport

    def release(self) -> None:
        """The connection proved itself (or is gone): it no longer counts. Idempotent."""
        self._guard._forget(self)


class ConnectionGuard:
    """Counts pending connections per client address and refuses those over the cap."""

    def __init__(self, per_address: int, stats: EdgeStats | None = None) -> None:
        assert per_address >= 0, "0 turns the cap off"
        self.per_address = per_address
        self.stats = stats if stats is not None else EdgeStats()
        self._by_key: dict[str, set[Pending]] = {}

    def admit(self, address: str | None, transport: Closable) -> Pending | None:
        """A new connection from ``address``: its ticket, or None if it must be refused."""
        key = address_key(address) if address else "unknown"
        if not self.per_address:
            return Pending(self, key, transport)  # no cap: nothing to count against
        held = self._by_key.get(key)
        if held is None:
            held = self._by_key[key] = set()
        elif len(held) >= self.per_address:
            held.difference_update([p for p in held if p.transport.is_closing()])
            if len(held) >= self.per_address:
                self.stats.refused["pending_per_address"] += 1
                return None
        ticket = Pending(self, key, transport)
        held.add(ticket)
        return ticket

    def _forget(self, ticket: Pending) -> None:
        held = self._by_key.get(ticket.key)
        if held is None:
            return
        held.discard(ticket)
        if not held:
            del self._by_key[ticket.key]

    def pending(self) -> int:
        """Pending connections now, while the cap is on (closed ones are pruned first)."""
        for key in list(self._by_key):
            held = self._by_key[key]
            held.difference_update([p for p in held if p.transport.is_closing()])
            if not held:
                del self._by_key[key]
        return sum(len(held) for held in self._by_key.values())
