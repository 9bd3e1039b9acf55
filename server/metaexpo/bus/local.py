"""The in-process bus: the default, for one node.

With a single node nobody listens, so ``has_peers`` is False and rooms skip
encoding their bus message altogether. Several nodes in one process (tests)
can share a :class:`LocalBroker`; delivery is then asynchronous, as over a
network.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from metaexpo.sync.bus import MessageHandler


class LocalBroker:
    """Subscriptions of the in-process nodes that share it."""

    def __init__(self) -> None:
        self.subscribers: defaultdict[str, dict[str, MessageHandler]] = defaultdict(dict)
        self.nodes: set[str] = set()


class LocalBus:
    """:class:`~metaexpo.sync.bus.Bus` within one process."""

    def __init__(self, node_id: str = "local", broker: LocalBroker | None = None) -> None:
        self.node_id = node_id
        self.broker = broker or LocalBroker()
        self.broker.nodes.add(node_id)
        self.closed = False

    @property
    def has_peers(self) -> bool:
        """True once another node shares the broker."""
        return not self.closed and len(self.broker.nodes) > 1

    def publish(self, room_id: str, payload: bytes) -> None:
        """Deliver to the other nodes' handlers on the next loop iteration."""
        if self.closed:
            return
        loop = asyncio.get_running_loop()
        for node, handler in self.broker.subscribers[room_id].items():
            if node != self.node_id:
                loop.call_soon(handler, payload)

    def subscribe(self, room_id: str, handler: MessageHandler) -> None:
        """Receive other nodes' messages for ``room_id``."""
        self.broker.subscribers[room_id][self.node_id] = handler

    def unsubscribe(self, room_id: str) -> None:
        """Stop receiving messages for ``room_id``."""
        self.broker.subscribers[room_id].pop(self.node_id, None)

    async def close(self) -> None:
        """Leave the broker."""
        self.closed = True
        self.broker.nodes.discard(self.node_id)
        for subs in self.broker.subscribers.values():
            subs.pop(self.node_id, None)
