"""The database: migrations build exactly the schema the code maps, at every start, safely."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from metaexpo.config import Settings
from metaexpo.store import open_database
from metaexpo.store.migrate import current_revision, head_revision
from metaexpo.store.schema import AuditEntry, Base


def test_migrations_build_exactly_the_mapped_schema(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(db.engine) == head_revision()


def test_opening_again_migrates_nothing_and_keeps_the_data(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    with db.transaction() as session:
        session.add(
            AuditEntry(
                at=datetime.now(UTC),
                actor_id=None,
                actor="t",
                action="a",
                target="x",
                details={"k": 1},
            )
        )
    db.close()
    again = open_database(Settings(data_dir=tmp_path))
    with again.reading() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert entry.details == {"k": 1}
    assert entry.at.tzinfo is not None


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _open(data_dir: str) -> str | None:
    db = open_database(Settings(data_dir=Path(data_dir)))
    revision = current_revision(db.engine)
    db.close()
    return revision


def test_nodes_starting_at_once_migrate_once_and_all_start(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        revisions = pool.map(_open, [str(tmp_path)] * 3)
    assert revisions == [head_revision()] * 3


def test_a_write_that_fails_half_way_leaves_nothing(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    try:
        with db.transaction() as session:
            session.add(
                AuditEntry(
                    at=datetime.now(UTC),
                    actor_id=None,
                    actor="t",
                    action="a",
                    target="x",
                    details={},
                )
            )
            session.flush()
            raise RuntimeError("crash in the middle")
    except RuntimeError:
        pass
    with db.reading() as session:
        assert session.scalars(select(AuditEntry)).all() == []
