"""The database: migrations build exactly the schema the code maps, at every start, safely, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from metaexpo.config import Settings
from metaexpo.store import open_database
from metaexpo.store.database import database_url as url_of
from metaexpo.store.database import make_engine
from metaexpo.store.migrate import current_revision, head_revision, upgrade_to_head
from metaexpo.store.schema import AuditEntry, Base
from tests.conftest import TIME_FACTOR


def entry(at: datetime | None = None, **details: object) -> AuditEntry:
    return AuditEntry(
        at=at or datetime.now(UTC),
        actor_id=None,
        actor="t",
        action="a",
        target="x",
        details=details,
    )


def test_migrations_build_exactly_the_mapped_schema(
    tmp_path: Path, empty_database_url: str | None
) -> None:
    db = open_database(Settings(data_dir=tmp_path, database_url=empty_database_url))
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()


def test_opening_again_migrates_nothing_and_keeps_the_data(
    tmp_path: Path, empty_database_url: str | None
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=empty_database_url)
    db = open_database(settings)
    written = datetime(2025, 6, 1, 23, 30, 0, 123456, tzinfo=UTC)
    with db.transaction() as session:
        session.add(entry(written, k=1, name="展台"))
    db.close()
    engine = make_engine(url_of(settings))
    try:
        assert upgrade_to_head(engine, tmp_path) is False
    finally:
        engine.dispose()
    again = open_database(settings)
    try:
        with again.reading() as session:
            found = session.scalars(select(AuditEntry)).one()
        assert found.details == {"k": 1, "name": "展台"}
        # The same instant, in UTC, whatever zone the database server runs in.
        assert found.at == written
        assert found.at.utcoffset() == timedelta(0)
    finally:
        again.close()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_without_a_driver_means_psycopg(scheme: str) -> None:
    url = url_of(Settings(database_url=f"{scheme}://expo:pw@db.internal:5433/expo?sslmode=require"))
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.host, url.port) == ("expo", "pw", "db.internal", 5433)
    assert (url.database, dict(url.query)) == ("expo", {"sslmode": "require"})


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.close()


def _migrate_at_once(data_dir: str, url: str | None, start: Barrier, outcomes: Queue[str]) -> None:
    try:
        engine = make_engine(url_of(Settings(data_dir=Path(data_dir), database_url=url)))
        start.wait()
        try:
            outcomes.put("migrated" if upgrade_to_head(engine, Path(data_dir)) else "at head")
        finally:
            engine.dispose()
    except Exception as exc:
        outcomes.put(f"failed: {exc!r}")


def test_nodes_starting_at_once_migrate_once_and_all_start(
    tmp_path: Path, empty_database_url: str | None
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(3)
    outcomes: Queue[str] = context.Queue()
    args = (str(tmp_path), empty_database_url, start, outcomes)
    processes = [context.Process(target=_migrate_at_once, args=args) for _ in range(3)]
    for process in processes:
        process.start()
    try:
        results = sorted(outcomes.get(timeout=120 * TIME_FACTOR) for _ in processes)
    finally:
        for process in processes:
            process.join(30 * TIME_FACTOR)
            if process.is_alive():
                process.kill()
    assert results == ["at head", "at head", "migrated"]
    db = open_database(Settings(data_dir=tmp_path, database_url=empty_database_url))
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        db.close()


def test_a_write_that_fails_half_way_leaves_nothing(
    tmp_path: Path, database_url: str | None
) -> None:
    db = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    try:
        with db.transaction() as session:
            session.add(entry())
            session.flush()
            raise RuntimeError("crash in the middle")
    except RuntimeError:
        pass
    with db.reading() as session:
        assert session.scalars(select(AuditEntry)).all() == []
    db.close()
