"""Fixtures of the forum tests: a real database (SQLite by default) with an agenda in it.

The database is opened through the same helper as the server (``open_database``),
so a ``database_url`` parametrisation (PostgreSQL) can be added here later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from metaexpo.config import Settings
from metaexpo.forums.agenda import Agenda, SessionDraft
from metaexpo.forums.roles import Actor
from metaexpo.store import Database, open_database

STAFF = Actor("account", "s" * 32, "staff@expo.test", "staff")
FORUM_HALL = "qiantang-forum"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database of its own."""
    database = open_database(Settings(data_dir=tmp_path))
    yield database
    database.close()


def draft(session_id: str = "talk", hours_from_now: float = 1.0) -> SessionDraft:
    """A valid session one hour from now."""
    start = datetime.now(UTC) + timedelta(hours=hours_from_now)
    return SessionDraft(
        id=session_id,
        forum_hall=FORUM_HALL,
        title={"zh": "演讲", "en": "A talk"},
        abstract={"zh": "简介。", "en": "Abstract."},
        speakers=[],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Asia/Shanghai",
    )


@pytest.fixture
def agenda(db: Database) -> Agenda:
    """An agenda with sessions "talk" and "other"."""
    book = Agenda(db, [FORUM_HALL])
    book.create(STAFF, draft("talk"))
    book.create(STAFF, draft("other", 3))
    return book
