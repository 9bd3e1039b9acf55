"""Rows of visitors' reports: file one, list them, close one (with its audit entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.store.audit import Action, record
from metaexpo.store.schema import Report, utcnow


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report as staff see it."""

    id: int
    at: datetime
    room: str
    reporter: str
    target_wire: int
    target_name: str
    target_id: str | None
    line_id: str | None
    line_text: str | None
    reason: str
    state: str
    closed_by: str | None
    outcome: str | None

    def to_json(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "room": self.room,
            "reporter": self.reporter,
            "target": {"id": self.target_wire, "name": self.target_name},
            "line": None if self.line_id is None else {"id": self.line_id, "text": self.line_text},
            "reason": self.reason,
            "state": self.state,
            "closed_by": self.closed_by,
            "outcome": self.outcome,
        }


def _view(row: Report) -> ReportView:
    return ReportView(
        id=row.id,
        at=row.at,
        room=row.room,
        reporter=row.reporter,
        target_wire=row.target_wire,
        target_name=row.target_name,
        target_id=row.target_id,
        line_id=row.line_id,
        line_text=row.line_text,
        reason=row.reason,
        state=row.state,
        closed_by=row.closed_by,
        outcome=row.outcome,
    )


def add_report(session: Session, **fields: Any) -> ReportView:
    """Store a new open report (fields as :class:`~metaexpo.store.schema.Report`'s) and audit it."""
    row = Report(at=utcnow(), state="open", **fields)
    session.add(row)
    session.flush()
    record(
        session,
        f"visitor {row.reporter}",
        Action.REPORT_FILED,
        f"{row.room}/{row.target_wire} {row.target_name}",
        actor_id=row.reporter_id,
        report=row.id,
        line=row.line_id,
        reason=row.reason,
    )
    return _view(row)


def list_reports(session: Session, *, open_only: bool = True, limit: int = 200) -> list[ReportView]:
    """The newest reports first (only open ones by default)."""
    query = select(Report).order_by(Report.id.desc()).limit(limit)
    if open_only:
        query = query.where(Report.state == "open")
    return [_view(r) for r in session.scalars(query)]


def close_report(
    session: Session, report_id: int, actor: str, actor_id: str | None, outcome: str
) -> ReportView | None:
    """Close an open report, saying what was done; None if there is no such open report."""
    row = session.get(Report, report_id)
    if row is None or row.state != "open":
        return None
    row.state, row.closed_by, row.closed_at, row.outcome = "closed", actor, utcnow(), outcome
    record(
        session,
        actor,
        Action.REPORT_CLOSED,
        f"report {report_id}",
        actor_id=actor_id,
        outcome=outcome,
    )
    return _view(row)
