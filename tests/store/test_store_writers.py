"""Writers take turns on every database, and a refused duplicate is recognised as one.

SQLite queues writers itself (``BEGIN IMMEDIATE``); on PostgreSQL a write
transaction takes an advisory lock first, so a read-check-write never acts on
what another node is changing at the same moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from metaexpo.config import Settings
from metaexpo.store import Database, open_database
from metaexpo.store.database import is_unique_violation
from metaexpo.store.schema import LoginSession, User
from tests.conftest import TIME_FACTOR
from tests.databases import migrate
from tests.throwaway_postgres import ThrowawayPostgres


def account(login: str) -> User:
    return User(
        id=login.ljust(32, "0")[:32],
        login=login,
        display_name=login,
        role="exhibitor",
        password_hash="x",
        disabled=False,
        token_epoch=0,
        created_at=datetime.now(UTC),
    )


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    yield database
    database.close()


def test_a_duplicate_key_is_recognised_and_other_refusals_are_not(db: Database) -> None:
    with db.transaction() as session:
        session.add(account("taken"))
    with pytest.raises(IntegrityError) as duplicate, db.transaction() as session:
        twin = account("taken")
        twin.id = "another-id"
        session.add(twin)
    assert is_unique_violation(duplicate.value)
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError) as dangling, db.transaction() as session:
        session.add(LoginSession(id_hash="h", user_id="nobody", created_at=now, expires_at=now))
    assert not is_unique_violation(dangling.value)


def waiting_for_a_lock(db: Database) -> int:
    """How many of the database's sessions wait for a lock right now."""
    with db.engine.connect() as connection:
        query = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(connection.execute(query).scalar_one())


def test_postgresql_writers_take_turns_so_no_update_is_lost(
    tmp_path: Path, postgres: ThrowawayPostgres
) -> None:
    url = postgres.create_database(template=postgres.make_template(migrate))
    db = open_database(Settings(data_dir=tmp_path, database_url=url))
    with db.transaction() as session:
        session.add(account("counted"))
    user_id = account("counted").id
    first_has_read, release_first = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first() -> None:  # reads, waits, then writes what it read plus one
        with db.transaction() as session:
            user = session.get(User, user_id)
            assert user is not None
            seen = user.token_epoch
            first_has_read.set()
            release_first.wait(30 * TIME_FACTOR)
            user.token_epoch = seen + 1

    def second() -> None:  # the same, while the first one is between its read and its write
        first_has_read.wait(30 * TIME_FACTOR)
        with db.transaction() as session:
            user = session.get(User, user_id)
            assert user is not None
            user.token_epoch += 1
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        # The second writer either finished (it did not wait: the first one's write will
        # overwrite it) or queues behind the first; only then may the first one go on.
        deadline = time.monotonic() + 30 * TIME_FACTOR
        while not second_done.wait(0.02) and waiting_for_a_lock(db) == 0:
            assert time.monotonic() < deadline, "the second writer neither finished nor waited"
    finally:
        release_first.set()
        for thread in threads:
            thread.join(30 * TIME_FACTOR)
    with db.reading() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.token_epoch == 2, "one writer's update was lost"
    db.close()
