"""The harness's own ground truth of a ``booth-tour`` run: what the bots did, by the server's rules.

Each generator process keeps a :class:`TruthBook`. Whenever bots move, the
worker hands their new positions (the poses they just sent) to
:meth:`TruthBook.observe` in one array call; the book sees each bot enter
and leave booth areas (:class:`~metaexpo.analytics.areas.AreaSet`, the same
code the server samples with) and applies the rules of
:mod:`metaexpo.analytics.definitions`: a stay of at least ``VISIT_MIN_S`` is
a visit, all its time is dwell, a visitor is unique by identity (a bot, or a
guest token's subject on whatever node it joins). Panel opens are what bots
sent, cards what the server confirmed and was not withdrawn. The harness
merges the books of every process into ``ground_truth.booths``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.areas import NOWHERE, AreaSet
from metaexpo.analytics.definitions import is_visit

#: The five figures compared with the server's export, in the order reports show them.
FIGURES = ("visits", "unique_visitors", "dwell_s", "panel_opens", "leads")


@dataclass(slots=True)
class _Stay:
    area: int
    since: float


@dataclass
class TruthBook:
    """What the bots of one process did at booths."""

    areas: AreaSet
    stays: dict[int, _Stay] = field(default_factory=dict)
    visits: Counter[str] = field(default_factory=Counter)
    dwell: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    visitors: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    opens: Counter[str] = field(default_factory=Counter)
    #: booth → identities with a card there now.
    cards: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: bot → its identity (for unique visitors).
    identity: dict[int, str] = field(default_factory=dict)
    first_join: float | None = None
    last_leave: float | None = None

    def observe(
        self,
        bots: Sequence[int],
        x: npt.NDArray[np.floating],
        z: npt.NDArray[np.floating],
        at: float,
    ) -> None:
        """Bots ``bots`` are now at (``x``, ``z``) (poses sent at time ``at``)."""
        where = self.areas.locate(np.asarray(x), np.asarray(z)).tolist()
        for bot, area in zip(bots, where, strict=True):
            stay = self.stays.get(bot)
            if stay is not None and stay.area == area:
                continue
            if stay is not None:
                self._end(bot, stay, at)
            if area != NOWHERE:
                self.stays[bot] = _Stay(area, at)
            else:
                self.stays.pop(bot, None)

    def _end(self, bot: int, stay: _Stay, at: float) -> None:
        length = at - stay.since
        if is_visit(length):
            booth = self.areas.ids[stay.area]
            self.visits[booth] += 1
            self.dwell[booth] += length
            self.visitors[booth].add(self.identity[bot])

    def joined(self, bot: int, identity: str, at: float) -> None:
        """A bot joined (first time or again on another node) as ``identity``."""
        self.identity[bot] = identity
        self.first_join = at if self.first_join is None else min(self.first_join, at)

    def left(self, bot: int, at: float) -> None:
        """A bot left the hall: a stay it was in ends now."""
        stay = self.stays.pop(bot, None)
        if stay is not None:
            self._end(bot, stay, at)
        self.last_leave = at if self.last_leave is None else max(self.last_leave, at)

    def opened(self, booth: str) -> None:
        """A bot sent ``reach.open`` for ``booth``."""
        self.opens[booth] += 1

    def card_kept(self, bot: int, booth: str) -> None:
        """The server confirmed a bot's card at ``booth``."""
        self.cards[booth].add(self.identity[bot])

    def card_withdrawn(self, bot: int, booth: str) -> None:
        """The server confirmed a bot withdrew its card at ``booth``."""
        self.cards[booth].discard(self.identity[bot])

    def report(self) -> dict[str, Any]:
        """The book as JSON-able parts (identities as lists) for the harness to merge."""
        return {
            "visits": dict(self.visits),
            "dwell": dict(self.dwell),
            "visitors": {b: sorted(v) for b, v in self.visitors.items()},
            "opens": dict(self.opens),
            "cards": {b: sorted(v) for b, v in self.cards.items()},
            "first_join": self.first_join,
            "last_leave": self.last_leave,
            "everyone": sorted(set(self.identity.values())),
        }


def merge(reports: Iterable[dict[str, Any]], booths: Sequence[str]) -> dict[str, Any]:
    """One ground truth from every process's :meth:`TruthBook.report` (a booth each)."""
    visits: Counter[str] = Counter()
    dwell: defaultdict[str, float] = defaultdict(float)
    visitors: defaultdict[str, set[str]] = defaultdict(set)
    opens: Counter[str] = Counter()
    cards: defaultdict[str, set[str]] = defaultdict(set)
    firsts, lasts = [], []
    everyone: set[str] = set()
    for r in reports:
        everyone.update(r["everyone"])
        visits.update(r["visits"])
        for b, s in r["dwell"].items():
            dwell[b] += s
        for b, ids in r["visitors"].items():
            visitors[b].update(ids)
        opens.update(r["opens"])
        for b, ids in r["cards"].items():
            cards[b].update(ids)
        if r["first_join"] is not None:
            firsts.append(r["first_join"])
        if r["last_leave"] is not None:
            lasts.append(r["last_leave"])
    return {
        "first_join": min(firsts) if firsts else None,
        "last_leave": max(lasts) if lasts else None,
        #: Everyone who came into the hall (on any node), once.
        "unique_visitors": len(everyone),
        "booths": {
            b: {
                "visits": visits[b],
                "unique_visitors": len(visitors[b]),
                "dwell_s": round(dwell[b], 2),
                "panel_opens": opens[b],
                "leads": len(cards[b]),
            }
            for b in booths
        },
    }


def compare(
    truth: dict[str, Any],
    export: dict[str, Any],
    sample_period: float,
    dwell_tolerance: float = 0.02,
) -> list[str]:
    """Every difference between the ground truth and an export (empty: they match).

    Visits, unique visitors, panel opens and cards must be equal. Dwell over all booths must
    be within ``dwell_tolerance`` of the truth (BENCHMARKS.md); a single booth's within that,
    or within one ``sample_period`` per visit if more: the server times a stay by samples, so
    each stay can be off by up to one sample's gap (the errors cancel out over many stays).
    """
    problems = []
    total_truth = total_export = 0.0
    for booth, want in truth["booths"].items():
        got = export["booths"].get(booth)
        if got is None:
            problems.append(f"{booth}: not in the export")
            continue
        for name in ("visits", "unique_visitors", "panel_opens", "leads"):
            if got[name] != want[name]:
                problems.append(f"{booth}: {name} {got[name]} exported, {want[name]} true")
        allowed = max(dwell_tolerance * want["dwell_s"], want["visits"] * sample_period) + 0.05
        if abs(got["dwell_s"] - want["dwell_s"]) > allowed:
            problems.append(
                f"{booth}: dwell {got['dwell_s']:.1f} s exported, {want['dwell_s']:.1f} s true"
            )
        total_truth += want["dwell_s"]
        total_export += got["dwell_s"]
    if total_truth and abs(total_export - total_truth) > dwell_tolerance * total_truth:
        problems.append(
            f"dwell over all booths {total_export:.1f} s exported, {total_truth:.1f} s true "
            f"(more than {dwell_tolerance:.0%} apart)"
        )
    return problems


def dwell_error(truth: dict[str, Any], export: dict[str, Any]) -> dict[str, float]:
    """How far the exported dwell is from the truth: over all booths, and the worst booth."""
    worst = 0.0
    total_truth = total_export = 0.0
    for booth, want in truth["booths"].items():
        got = export["booths"].get(booth, {}).get("dwell_s", 0.0)
        total_truth += want["dwell_s"]
        total_export += got
        if want["dwell_s"]:
            worst = max(worst, abs(got - want["dwell_s"]) / want["dwell_s"])
    overall = abs(total_export - total_truth) / total_truth if total_truth else 0.0
    return {"overall": round(overall, 5), "worst_booth": round(worst, 5)}
