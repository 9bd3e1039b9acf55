"""Prometheus metrics of exhibitor reach: live occupancy per zone, and the sampler's own cost.

``metaexpo_reach_zone_visitors`` counts this node's connected visitors in
each zone: summed over the nodes of an expo (``sum by (zone)``) it is the
hall's occupancy, exactly. ``metaexpo_reach_zone_avatars`` is what this node
sees of every node's avatars (the same on every node, a bus hop late).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from metaexpo.http.reach_wiring import ReachWiring


class ReachCollector(Collector):
    """Collects the reach gauges and counters of one app."""

    def __init__(self, wiring: Callable[[], ReachWiring | None]) -> None:
        self._wiring = wiring

    def collect(self) -> Iterator[Metric]:
        wiring = self._wiring()
        reach = wiring.reach if wiring is not None else None
        if wiring is None or reach is None:
            return
        local = GaugeMetricFamily(
            "metaexpo_reach_zone_visitors",
            "This node's connected visitors per zone (sum over nodes: the hall's occupancy)",
            labels=["room", "zone"],
        )
        seen = GaugeMetricFamily(
            "metaexpo_reach_zone_avatars",
            "Avatars of every node per zone, as this node sees them",
            labels=["room", "zone"],
        )
        for room_id, sampler in reach.samplers.items():
            live = sampler.live
            zones = sampler.layout.zones.ids
            here = live.zone_local.tolist() if len(live.zone_local) else [0] * len(zones)
            everywhere = live.zone.tolist() if len(live.zone) else [0] * len(zones)
            for zone, n_local, n_all in zip(zones, here, everywhere, strict=True):
                local.add_metric([room_id, zone], n_local)
                seen.add_metric([room_id, zone], n_all)
        samples = CounterMetricFamily("metaexpo_reach_samples", "Reach samples taken", labels=[])
        samples.add_metric([], reach.samples)
        cost = CounterMetricFamily(
            "metaexpo_reach_sample_seconds", "Time spent sampling for reach", labels=[]
        )
        cost.add_metric([], reach.sample_seconds)
        gap = GaugeMetricFamily(
            "metaexpo_reach_sample_gap_max_seconds",
            "Longest gap between two reach samples since start (bounds each stay's dwell error)",
            labels=[],
        )
        gap.add_metric([], reach.longest_gap_s)
        writes = CounterMetricFamily("metaexpo_reach_writes", "Reach batches written", labels=[])
        writes.add_metric([], wiring.stats.writes)
        errors = CounterMetricFamily(
            "metaexpo_reach_write_errors", "Reach batches that failed to write", labels=[]
        )
        errors.add_metric([], wiring.stats.write_errors)
        yield from (local, seen, samples, cost, gap, writes, errors)
