"""Reach figures in the database: idempotent batch writes, and the sums every reader needs.

Writes replace whole rows by their key (run, minute, kind, area) and insert
unique visitors only if absent, so writing one batch twice, or two nodes
writing the same visitor, changes nothing. Reads sum over runs (every node
and restart) and minutes: counts and seconds add up, the peak is the largest
any node saw, unique visitors are distinct keys. Works on SQLite and
PostgreSQL alike (``INSERT … ON CONFLICT``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, delete, distinct, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from metaexpo.analytics.figures import DWELL_BINS
from metaexpo.analytics.heat import HeatGrid, unpack
from metaexpo.analytics.service import Batch
from metaexpo.store import Database
from metaexpo.store.schema import ReachFlow, ReachHeat, ReachMinute, ReachVisitor

_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")


@dataclass(slots=True)
class AreaTotals:
    """One area's figures summed over a period (every node, every minute)."""

    visits: int = 0
    unique_visitors: int = 0
    dwell_s: float = 0.0
    occupancy_s: float = 0.0
    peak: int = 0
    panel_opens: int = 0
    link_clicks: int = 0
    dwell_hist: list[int] = field(default_factory=lambda: [0] * DWELL_BINS)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "visits": self.visits,
            "unique_visitors": self.unique_visitors,
            "dwell_s": round(self.dwell_s, 1),
            "occupancy_s": round(self.occupancy_s, 1),
            "peak": self.peak,
            "panel_opens": self.panel_opens,
            "link_clicks": self.link_clicks,
            "dwell_hist": list(self.dwell_hist),
        }


def _insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT with ``ON CONFLICT`` support."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _upsert(session: Session, table: Any, rows: Sequence[dict[str, Any]], keys: list[str]) -> None:
    """Insert ``rows``, replacing the values of any row with the same ``keys``.

    One statement executed for many rows (the table's Core insert, compiled once), not a
    statement with a VALUES list per batch: compiling thousands of bound values each time
    was most of what writing a minute cost.
    """
    stmt = _insert(session, table.__table__)
    values = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.connection().execute(stmt.on_conflict_do_update(index_elements=keys, set_=values), rows)


def _insert_new(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], keys: list[str]
) -> None:
    """Insert ``rows`` that are not there yet (by ``keys``); leave the others alone."""
    stmt = _insert(session, table.__table__)
    session.connection().execute(stmt.on_conflict_do_nothing(index_elements=keys), list(rows))


class ReachStore:
    """Reach figures in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writing -------------------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        """Store ``batch`` in one transaction (idempotent: see the module docstring)."""
        if not batch:
            return
        minutes = [
            {
                "run": batch.run,
                "minute": m.minute,
                "kind": m.kind,
                "area": m.area,
                "hall": m.hall,
                "visits": m.figures.visits,
                "dwell_s": m.figures.dwell_s,
                "occupancy_s": m.figures.occupancy_s,
                "peak": m.figures.peak,
                "panel_opens": m.figures.panel_opens,
                "link_clicks": m.figures.link_clicks,
                "dwell_hist": list(m.figures.dwell_hist),
            }
            for m in batch.minutes
        ]
        flows = [
            {"run": batch.run, "minute": m, "from_zone": a, "to_zone": b, "visitors": n}
            for m, a, b, n in batch.flows
        ]
        heat = [
            {
                "run": batch.run,
                "minute": h.minute,
                "hall": h.hall,
                "x0": h.grid.x0,
                "z0": h.grid.z0,
                "cell": h.grid.cell,
                "columns": h.grid.columns,
                "rows": h.grid.rows,
                "cells": h.tenths,
            }
            for h in batch.heat
        ]
        visitors = [
            {"kind": k, "area": a, "minute": m, "visitor": v}
            for k, a, m, v in sorted(set(batch.visitors))
        ]
        with self.db.transaction() as session:
            if minutes:
                _upsert(session, ReachMinute, minutes, ["run", "minute", "kind", "area"])
            if flows:
                _upsert(session, ReachFlow, flows, ["run", "minute", "from_zone", "to_zone"])
            if heat:
                _upsert(session, ReachHeat, heat, ["run", "minute", "hall"])
            if visitors:
                _insert_new(session, ReachVisitor, visitors, ["kind", "area", "minute", "visitor"])

    def prune(self, before_minute: int) -> int:
        """Delete every figure older than ``before_minute``; returns the rows deleted."""
        deleted = 0
        with self.db.transaction() as session:
            for table in (ReachMinute, ReachFlow, ReachHeat, ReachVisitor):
                result = session.execute(delete(table).where(table.minute < before_minute))
                deleted += int(getattr(result, "rowcount", 0) or 0)
        return deleted

    # --- reading -------------------------------------------------------------------------------

    @staticmethod
    def _period(query: _Q, column: Any, since: int | None, until: int | None) -> _Q:
        if since is not None:
            query = query.where(column >= since)
        if until is not None:
            query = query.where(column < until)
        return query

    def totals(
        self,
        kind: str,
        since: int | None = None,
        until: int | None = None,
        areas: Sequence[str] | None = None,
    ) -> dict[str, AreaTotals]:
        """Each area's figures over minutes [since, until) (None: no bound), every node summed."""
        m = ReachMinute
        query = select(
            m.area,
            func.sum(m.visits),
            func.sum(m.dwell_s),
            func.sum(m.occupancy_s),
            func.max(m.peak),
            func.sum(m.panel_opens),
            func.sum(m.link_clicks),
        ).where(m.kind == kind)
        query = self._period(query, m.minute, since, until)
        if areas is not None:
            query = query.where(m.area.in_(list(areas)))
        out: dict[str, AreaTotals] = {}
        with self.db.reading() as session:
            for area, visits, dwell, occ, peak, opens, clicks in session.execute(
                query.group_by(m.area)
            ):
                out[area] = AreaTotals(
                    int(visits or 0),
                    0,
                    float(dwell or 0.0),
                    float(occ or 0.0),
                    int(peak or 0),
                    int(opens or 0),
                    int(clicks or 0),
                )
            hists = select(m.area, m.dwell_hist).where(m.kind == kind)
            hists = self._period(hists, m.minute, since, until)
            if areas is not None:
                hists = hists.where(m.area.in_(list(areas)))
            for area, hist in session.execute(hists):
                totals = out.setdefault(area, AreaTotals())
                totals.dwell_hist = [
                    a + int(b) for a, b in zip(totals.dwell_hist, hist, strict=False)
                ]
            for area, n in self._uniques(session, kind, since, until, areas).items():
                out.setdefault(area, AreaTotals()).unique_visitors = n
        return out

    def _uniques(
        self,
        session: Session,
        kind: str,
        since: int | None,
        until: int | None,
        areas: Sequence[str] | None,
    ) -> dict[str, int]:
        v = ReachVisitor
        query = select(v.area, func.count(distinct(v.visitor))).where(v.kind == kind)
        query = self._period(query, v.minute, since, until)
        if areas is not None:
            query = query.where(v.area.in_(list(areas)))
        return {area: int(n) for area, n in session.execute(query.group_by(v.area))}

    def unique_visitors(
        self, kind: str, area: str, since: int | None = None, until: int | None = None
    ) -> int:
        """Distinct visitors of one area (``hall`` kind: of a whole hall) in a period."""
        with self.db.reading() as session:
            return self._uniques(session, kind, since, until, [area]).get(area, 0)

    def series(
        self, kind: str, areas: Sequence[str], since: int, until: int, step: int
    ) -> dict[str, dict[int, dict[str, float]]]:
        """Per area, per step of ``step`` minutes from ``since``: visits, dwell, opens, clicks."""
        m = ReachMinute
        query = select(
            m.area,
            m.minute,
            func.sum(m.visits),
            func.sum(m.dwell_s),
            func.sum(m.panel_opens),
            func.sum(m.link_clicks),
            func.sum(m.occupancy_s),
        ).where(m.kind == kind, m.area.in_(list(areas)), m.minute >= since, m.minute < until)
        out: dict[str, dict[int, dict[str, float]]] = defaultdict(dict)
        with self.db.reading() as session:
            for area, minute, visits, dwell, opens, clicks, occ in session.execute(
                query.group_by(m.area, m.minute)
            ):
                slot = since + (int(minute) - since) // step * step
                figures = out[area].setdefault(
                    slot,
                    {"visits": 0, "dwell_s": 0.0, "panel_opens": 0, "link_clicks": 0, "occ": 0.0},
                )
                figures["visits"] += int(visits or 0)
                figures["dwell_s"] += float(dwell or 0.0)
                figures["panel_opens"] += int(opens or 0)
                figures["link_clicks"] += int(clicks or 0)
                figures["occ"] += float(occ or 0.0)
        return dict(out)

    def flows(
        self, since: int | None = None, until: int | None = None
    ) -> dict[tuple[str, str], int]:
        """Visitors who went from one zone to another in the period, by (from, to)."""
        f = ReachFlow
        query = select(f.from_zone, f.to_zone, func.sum(f.visitors))
        query = self._period(query, f.minute, since, until)
        with self.db.reading() as session:
            rows = session.execute(query.group_by(f.from_zone, f.to_zone))
            return {(a, b): int(n) for a, b, n in rows}

    def heat(self, hall: str, grid: HeatGrid, since: int, until: int) -> npt.NDArray[np.int64]:
        """The hall's heatmap summed over the period (tenths of visitor-seconds per cell);
        minutes recorded on another grid (the hall changed) are left out."""
        h = ReachHeat
        query = select(h.cells).where(
            h.hall == hall,
            h.minute >= since,
            h.minute < until,
            h.columns == grid.columns,
            h.rows == grid.rows,
            h.x0 == grid.x0,
            h.z0 == grid.z0,
        )
        total = np.zeros(grid.size, np.int64)
        with self.db.reading() as session:
            for (blob,) in session.execute(query):
                total += unpack(blob, grid.size)
        return total

    def minutes_with_data(self) -> tuple[int, int] | None:
        """The first and last minute any figure was written for (None: nothing yet)."""
        m = ReachMinute
        with self.db.reading() as session:
            first, last = session.execute(select(func.min(m.minute), func.max(m.minute))).one()
        return None if first is None else (int(first), int(last))
