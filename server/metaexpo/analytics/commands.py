"""The ``metaexpo analytics`` commands: export figures, delete a person's cards, apply retention."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TextIO

from metaexpo.analytics.export import figures, figures_csv
from metaexpo.analytics.leads import LeadBook
from metaexpo.analytics.store import ReachStore
from metaexpo.config import Settings
from metaexpo.errors import Invalid
from metaexpo.scenes import load_catalog
from metaexpo.store import open_database


def utc(at: datetime | None) -> datetime | None:
    """``at`` as an aware datetime (one without a zone is taken as UTC)."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def run_export(
    settings: Settings,
    *,
    as_csv: bool,
    since: datetime | None,
    until: datetime | None,
    booths: Sequence[str],
    out: TextIO = sys.stdout,
) -> None:
    """Print the reach of [since, until) as one JSON object, or as CSV (one row per booth)."""
    since, until = utc(since), utc(until)
    if since is not None and until is not None and until <= since:
        raise Invalid(
            f"--until ({until.isoformat()}) must come after --since ({since.isoformat()})"
        )
    catalog = load_catalog(settings.scenes_dir)
    known = [booth.id for booth in catalog.booths]
    unknown = [b for b in booths if b not in known]
    if unknown:
        raise Invalid(
            f"no booth {', '.join(repr(b) for b in unknown)} in the catalog; "
            f"booths are e.g. {', '.join(known[:5])}"
        )
    db = open_database(settings)
    try:
        report = figures(
            ReachStore(db),
            LeadBook(db),
            since=since,
            until=until,
            booths=list(booths) or None,
            booth_ids=known,
            hall_ids=[hall.id for hall in catalog.halls],
        )
    finally:
        db.close()
    if as_csv:
        out.write(figures_csv(report))
    else:
        out.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")


def run_erase(settings: Settings, *, email: str | None, phone: str | None) -> int:
    """Delete every card of one person (by email address or phone); returns how many."""
    db = open_database(settings)
    try:
        return LeadBook(db).erase(email=email, phone=phone)
    finally:
        db.close()


def run_prune(settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Delete figures and cards past retention now; returns (figure rows, cards)."""
    moment = now or datetime.now(UTC)
    db = open_database(settings)
    try:
        minute = int(moment.timestamp() // 60) - settings.analytics_retention_days * 1440
        rows = ReachStore(db).prune(minute)
        cards = LeadBook(db).prune(moment - timedelta(days=settings.leads_retention_days))
    finally:
        db.close()
    return rows, cards
