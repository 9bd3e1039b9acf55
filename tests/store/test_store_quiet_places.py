"""Staff's voice-free places on every database: saved whole per room, a change replaces them,
read back as areas, and each change recorded in the audit log with who made it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metaexpo.config import Settings
from metaexpo.roles import Principal
from metaexpo.store import Database, open_database
from metaexpo.store.audit import recent
from metaexpo.store.quietplaces import save_quiet_places, saved_quiet_places

STAFF = Principal("u1", "lin@expo.test", "Lin", "staff", "bearer")
PLAZA = (90.0, 110.0, 10.0, 30.0)


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    yield database
    database.close()


def test_nothing_is_saved_at_first(db: Database) -> None:
    assert saved_quiet_places(db) == {}


def test_a_change_replaces_the_rooms_places_and_is_audited(db: Database) -> None:
    save_quiet_places(db, "main", False, {"plaza": PLAZA, "广场": (0.0, 1.5, 2.0, 3.0)}, STAFF)
    save_quiet_places(db, "annex", True, {}, STAFF)
    assert saved_quiet_places(db) == {
        "main": (False, {"plaza": PLAZA, "广场": (0.0, 1.5, 2.0, 3.0)}),
        "annex": (True, {}),
    }
    save_quiet_places(db, "main", True, {}, STAFF)
    assert saved_quiet_places(db)["main"] == (True, {})
    with db.reading() as session:
        entries = [e for e in recent(session) if e.action == "voice_quiet"]
    assert [e.target for e in entries] == ["main", "annex", "main"]
    assert entries[0].actor == STAFF.describe() and entries[0].details == {
        "hall": True,
        "zones": [],
    }
    assert entries[2].details["zones"] == ["plaza", "广场"]
