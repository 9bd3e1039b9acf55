"""Read the server's /metrics (Prometheus text) into numbers the report needs."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass
class Scrape:
    """One scrape: samples by metric name, each a (labels, value) list."""

    samples: defaultdict[str, list[tuple[dict[str, str], float]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def total(self, name: str, **labels: str) -> float:
        """Sum of a metric's samples whose labels include ``labels`` (0 if absent)."""
        return sum(
            v
            for lab, v in self.samples.get(name, [])
            if all(lab.get(k) == x for k, x in labels.items())
        )

    def buckets(self, name: str) -> list[tuple[float, float]]:
        """Cumulative (upper bound, count) of a histogram, summed over label sets."""
        acc: defaultdict[float, float] = defaultdict(float)
        for lab, v in self.samples.get(f"{name}_bucket", []):
            acc[float(lab["le"])] += v
        return sorted(acc.items())


def parse(text: str) -> Scrape:
    """Parse Prometheus text exposition format."""
    scrape = Scrape()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        labels = dict(_LABEL.findall(m.group(2) or ""))
        scrape.samples[m.group(1)].append((labels, float(m.group(3))))
    return scrape


def histogram_delta(before: Scrape, after: Scrape, name: str) -> list[tuple[float, float]]:
    """Cumulative buckets of what a histogram observed between two scrapes."""
    b = dict(before.buckets(name))
    return [(le, c - b.get(le, 0.0)) for le, c in after.buckets(name)]


def quantile(buckets: list[tuple[float, float]], q: float) -> float | None:
    """The q-quantile of cumulative buckets, interpolated linearly within a bucket."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    total = buckets[-1][1]
    rank = q * total
    prev_le, prev_c = 0.0, 0.0
    for le, c in buckets:
        if c >= rank:
            if math.isinf(le):
                return prev_le
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le
