"""Seeding the agenda from the catalog: once per session id, then the database decides.

The catalog's sessions are written as a day of the expo and local times; the
opening date makes them instants. It is ``--expo-opens`` when given, else
the day (in the expo's time zone) the agenda is first seeded — or the next
day, if the first session of day 1 has already started — remembered in the
audit log so that sessions added to the catalog later land on the same
days. Seeding is idempotent and safe when several nodes start at once: a
session whose id is in the database (even deleted) is never written again.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from metaexpo.forums.states import ForumState
from metaexpo.scenes import ForumSessionSpec
from metaexpo.store import Database
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import AuditEntry, ForumSession, utcnow

log = logging.getLogger(__name__)

#: The audit target under which the first seeding remembers the opening date it used.
SEED_TARGET = "forum-agenda"


def session_times(spec: ForumSessionSpec, opens: date, time_zone: str) -> tuple[datetime, datetime]:
    """The start and end instants of a catalog session for an expo opening on ``opens``."""
    zone = zoneinfo.ZoneInfo(time_zone)
    day = opens + timedelta(days=spec.day - 1)
    return (
        datetime.combine(day, spec.start, tzinfo=zone),
        datetime.combine(day, spec.end, tzinfo=zone),
    )


def _remembered_opening(db: Database) -> date | None:
    with db.reading() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == SEED_TARGET, AuditEntry.action == Action.FORUM_SEEDED)
            .order_by(AuditEntry.id)
            .limit(1)
        ).first()
    if entry is None:
        return None
    try:
        return date.fromisoformat(str(entry.details.get("opens")))
    except ValueError:
        return None


def first_ahead(
    specs: Sequence[ForumSessionSpec], time_zone: str, now: datetime | None = None
) -> date:
    """The earliest opening day on which the agenda's first session still lies ahead: today
    if the first session of day 1 has not started yet (local time), else tomorrow."""
    local = (now or datetime.now(zoneinfo.ZoneInfo(time_zone))).astimezone(
        zoneinfo.ZoneInfo(time_zone)
    )
    first_day = [spec.start for spec in specs if spec.day == 1]
    if first_day and local.time() >= min(first_day):
        return local.date() + timedelta(days=1)
    return local.date()


def opening_date(
    db: Database,
    configured: date | None,
    specs: Sequence[ForumSessionSpec],
    time_zone: str,
    now: datetime | None = None,
) -> date:
    """The expo's opening day: the setting, else the one the agenda was first seeded with,
    else the first day on which the whole agenda lies ahead (:func:`first_ahead`)."""
    if configured is not None:
        return configured
    remembered = _remembered_opening(db)
    if remembered is not None:
        return remembered
    return first_ahead(specs, time_zone, now)


def seed_agenda(
    db: Database, specs: Sequence[ForumSessionSpec], opens: date, time_zone: str
) -> list[str]:
    """Write the catalog sessions the database does not know yet; returns their ids."""
    for attempt in range(2):
        try:
            return _seed_once(db, specs, opens, time_zone)
        except IntegrityError:
            # Another node seeded the same sessions at the same moment: look again.
            if attempt:
                raise
            log.info("another node seeded the forum agenda at the same time; checking again")
    return []


def _seed_once(
    db: Database, specs: Sequence[ForumSessionSpec], opens: date, time_zone: str
) -> list[str]:
    with db.transaction() as session:
        known = set(session.scalars(select(ForumSession.id)))
        added = []
        now = utcnow()
        for spec in specs:
            if spec.id in known:
                continue
            starts, ends = session_times(spec, opens, time_zone)
            session.add(
                ForumSession(
                    id=spec.id,
                    forum_hall=spec.forum_hall,
                    title=spec.title.model_dump(),
                    abstract=spec.abstract.model_dump(),
                    speakers=[s.model_dump() for s in spec.speakers],
                    starts_at=starts,
                    ends_at=ends,
                    time_zone=time_zone,
                    state=str(ForumState.SCHEDULED),
                    source="catalog",
                    revision=0,
                    created_at=now,
                    updated_at=now,
                    went_live_at=None,
                    ended_at=None,
                    deleted_at=None,
                )
            )
            added.append(spec.id)
        if added:
            record(
                session,
                "catalog",
                Action.FORUM_SEEDED,
                SEED_TARGET,
                opens=opens.isoformat(),
                sessions=added,
            )
        return added
