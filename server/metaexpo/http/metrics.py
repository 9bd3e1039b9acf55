"""Prometheus metrics of the sync engine and the process, read at scrape time.

The engine keeps plain counters (cheap on the hot path); this collector turns
them into metric families when /metrics is scraped. Each app has its own
registry: no module-level global state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from metaexpo.bus.redis_bus import RedisBus
from metaexpo.gateway.guard import ConnectionGuard
from metaexpo.gateway.hub import SyncHub
from metaexpo.sync.stats import Histogram

_COUNTERS = (
    ("frames_in", "WebSocket binary frames received"),
    ("bytes_in", "Bytes of binary frames received"),
    ("frames_out", "Binary frames sent"),
    ("bytes_out", "Bytes of binary frames sent"),
    ("records_out", "Avatar pose records sent"),
    ("poses_accepted", "Pose frames validated and applied"),
    ("ticks", "Ticks run"),
    ("tick_overruns", "Ticks that ended after the next one was due"),
    ("frames_skipped_congested", "Frames skipped because a client's send buffer was full"),
    ("joins", "Visitors admitted"),
    ("resumes", "Visitors who resumed their avatar with a token"),
    ("chat_messages", "Chat messages accepted"),
    ("media_chunks_in", "Media chunks (20 ms of Opus) admitted from this node's visitors"),
    ("media_bytes_in", "Opus bytes of the media chunks admitted"),
    ("media_frames_out", "Pose frames sent with a media section"),
    ("media_chunks_out", "Media chunks delivered (one per listener)"),
    ("media_bytes_out", "Bytes of media sections sent"),
)


def _add_histogram(fam: HistogramMetricFamily, h: Histogram, room: str) -> None:
    fam.add_metric([room], [(str(b), c) for b, c in h.cumulative()], h.total)


class SyncCollector(Collector):
    """Collects the sync counters of every room of a hub."""

    def __init__(
        self, hub: Callable[[], SyncHub | None], redis: Callable[[], RedisBus | None]
    ) -> None:
        self._hub = hub
        self._redis = redis

    def collect(self) -> Iterator[Metric]:
        hub = self._hub()
        if hub is None:
            return
        connected = GaugeMetricFamily(
            "metaexpo_clients_connected", "Connected clients", labels=["room"]
        )
        avatars = GaugeMetricFamily(
            "metaexpo_avatars", "Avatars in the room (incl. away)", labels=["room"]
        )
        load = GaugeMetricFamily(
            "metaexpo_tick_load", "Share of the tick period used (smoothed)", labels=["room"]
        )
        counters = {
            key: CounterMetricFamily(f"metaexpo_{key}", doc, labels=["room"])
            for key, doc in _COUNTERS
        }
        dropped = CounterMetricFamily(
            "metaexpo_dropped_frames",
            "Frames/messages dropped, by reason",
            labels=["room", "reason"],
        )
        disconnects = CounterMetricFamily(
            "metaexpo_disconnects", "Disconnects, by reason", labels=["room", "reason"]
        )
        refused = CounterMetricFamily(
            "metaexpo_joins_refused", "Joins refused, by reason", labels=["room", "reason"]
        )
        errors = CounterMetricFamily("metaexpo_tick_errors", "Ticks that raised (bugs)", labels=[])
        errors.add_metric([], hub.loop.errors)
        tick_hist = HistogramMetricFamily("metaexpo_tick_seconds", "Tick duration", labels=["room"])
        added_hist = HistogramMetricFamily(
            "metaexpo_server_added_seconds",
            "Pose receive-to-send time inside the server",
            labels=["room"],
        )
        media_hist = HistogramMetricFamily(
            "metaexpo_media_added_seconds",
            "Media chunk receive-to-send time inside the server (per fan-out phase)",
            labels=["room"],
        )
        for room in hub.rooms.values():
            st, rid = room.stats, room.id
            connected.add_metric([rid], room.connected)
            avatars.add_metric([rid], room.state.count)
            load.add_metric([rid], st.load)
            for key, fam in counters.items():
                fam.add_metric([rid], getattr(st, key))
            for reason, n in st.dropped.items():
                dropped.add_metric([rid, reason], n)
            for reason, n in st.disconnects.items():
                disconnects.add_metric([rid, reason], n)
            for reason, n in st.joins_refused.items():
                refused.add_metric([rid, reason], n)
            _add_histogram(tick_hist, st.tick_seconds, rid)
            _add_histogram(added_hist, st.server_added_seconds, rid)
            _add_histogram(media_hist, st.media_added_seconds, rid)
        yield from (connected, avatars, load, *counters.values(), dropped, disconnects, refused)
        yield from (errors, tick_hist, added_hist, media_hist)
        yield from self._bus_metrics(hub)

    def _bus_metrics(self, hub: SyncHub) -> Iterator[Metric]:
        def counter(name: str, doc: str, labels: list[str]) -> CounterMetricFamily:
            return CounterMetricFamily(f"metaexpo_bus_{name}", doc, labels=labels)

        msgs_in = counter("messages_in", "Bus messages received", ["room"])
        msgs_out = counter("messages_out", "Bus messages published", ["room"])
        bytes_in = counter("bytes_in", "Bus bytes received", ["room"])
        bytes_out = counter("bytes_out", "Bus bytes published", ["room"])
        ignored = counter("ignored", "Foreign or malformed bus messages", ["room", "reason"])
        inbox = counter("inbox_dropped", "Bus messages dropped before a tick", ["room"])
        stale = counter("nodes_stale", "Times another node went silent", ["room"])
        gone = counter("nodes_dropped", "Other nodes removed after silence", ["room"])
        gone_avatars = counter("avatars_dropped", "Avatars removed with their node", ["room"])
        peers = GaugeMetricFamily("metaexpo_bus_nodes_alive", "Other nodes heard", labels=["room"])
        remote = GaugeMetricFamily(
            "metaexpo_avatars_remote", "Avatars owned by other nodes", labels=["room"]
        )
        for room in hub.rooms.values():
            f, rid = room.federation, room.id
            msgs_in.add_metric([rid], f.stats.messages_in)
            msgs_out.add_metric([rid], f.stats.messages_out)
            bytes_in.add_metric([rid], f.stats.bytes_in)
            bytes_out.add_metric([rid], f.stats.bytes_out)
            for reason, n in f.stats.ignored.items():
                ignored.add_metric([rid, reason], n)
            inbox.add_metric([rid], f.stats.inbox_dropped)
            stale.add_metric([rid], f.stats.nodes_stale)
            gone.add_metric([rid], f.stats.nodes_dropped)
            gone_avatars.add_metric([rid], f.stats.avatars_dropped)
            peers.add_metric([rid], f.peers.alive)
            st = room.state
            remote.add_metric([rid], int((st.active & ~st.local).sum()))
        yield from (msgs_in, msgs_out, bytes_in, bytes_out, ignored, inbox, stale, gone)
        yield from (gone_avatars, peers, remote)
        rb = self._redis()
        if rb is None:
            return
        up = GaugeMetricFamily("metaexpo_redis_connected", "1 while Redis answers", labels=[])
        up.add_metric([], 1 if rb.stats.connected else 0)
        outages = CounterMetricFamily("metaexpo_redis_outages", "Times Redis went away", labels=[])
        outages.add_metric([], rb.stats.outages)
        published = CounterMetricFamily(
            "metaexpo_redis_published", "Messages published to Redis", labels=[]
        )
        published.add_metric([], rb.stats.published)
        drops = CounterMetricFamily(
            "metaexpo_redis_queue_dropped",
            "Messages dropped while Redis was slow or away",
            labels=[],
        )
        drops.add_metric([], rb.stats.dropped)
        errs = CounterMetricFamily("metaexpo_redis_errors", "Redis errors", labels=["op"])
        for op, n in rb.stats.errors.items():
            errs.add_metric([op], n)
        yield from (up, outages, published, drops, errs)


class EdgeCollector(Collector):
    """Collects the edge's counters: connections accepted, refused, timed out; bodies refused."""

    def __init__(self, guard: ConnectionGuard) -> None:
        self._guard = guard

    def collect(self) -> Iterator[Metric]:
        guard = self._guard
        st = guard.stats
        accepted = CounterMetricFamily(
            "metaexpo_connections_accepted", "TCP connections accepted", labels=[]
        )
        accepted.add_metric([], st.accepted)
        handed = CounterMetricFamily(
            "metaexpo_connections_handed",
            "Connections handed over, by protocol",
            labels=["protocol"],
        )
        for protocol, n in st.handed.items():
            handed.add_metric([protocol], n)
        refused = CounterMetricFamily(
            "metaexpo_connections_refused",
            "Connections refused before reading a byte, by reason",
            labels=["reason"],
        )
        refused.add_metric(["pending_per_address"], st.refused["pending_per_address"])
        timeouts = CounterMetricFamily(
            "metaexpo_connection_timeouts",
            "Connections closed because a deadline passed, by stage",
            labels=["stage"],
        )
        for stage in ("request_head", "body"):
            timeouts.add_metric([stage], st.timeouts[stage])
        bodies = CounterMetricFamily(
            "metaexpo_request_bodies_refused", "Request bodies over their cap (413)", labels=[]
        )
        bodies.add_metric([], st.bodies_refused)
        pending = GaugeMetricFamily(
            "metaexpo_connections_pending",
            "Connections not yet through a request or a join (counted while the cap is on)",
            labels=[],
        )
        pending.add_metric([], guard.pending())
        yield from (accepted, handed, refused, timeouts, bodies, pending)


def make_registry(
    hub: Callable[[], SyncHub | None],
    redis: Callable[[], RedisBus | None] = lambda: None,
    guard: ConnectionGuard | None = None,
) -> CollectorRegistry:
    """A private registry with the sync and edge collectors and process CPU/memory."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SyncCollector(hub, redis))
    if guard is not None:
        registry.register(EdgeCollector(guard))
    ProcessCollector(registry=registry)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The registry in Prometheus text format."""
    return bytes(generate_latest(registry))
