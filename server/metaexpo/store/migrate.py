"""Schema migrations: alembic, run from code at every start (``upgrade head``).

The migration scripts live in the package (``metaexpo/store/migrations/``),
so an installed server carries them; there is no ``alembic.ini``. Several
node processes may start at once: on SQLite they take turns through a file
lock in the data folder, on PostgreSQL through an advisory lock, so only one
of them migrates and the others find the schema up to date.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Arbitrary key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x6D657861  # "mexa"


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration pointing at the package's migrations (and ``connection``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package has no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_to_head(engine: Engine, data_dir: Path) -> bool:
    """Bring the database's schema to the newest migration; False if it already was there.

    Processes starting at once take turns (a file lock in ``data_dir`` on
    SQLite, an advisory lock on PostgreSQL): one migrates, the others then
    find the schema at the newest version and return False.
    """
    head = head_revision()
    if engine.url.get_backend_name() == "sqlite":
        with _file_lock(data_dir / ".migrate.lock"):
            return _upgrade(engine, head)
    with engine.connect() as connection:
        if engine.url.get_backend_name() == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            connection.commit()
        try:
            return _upgrade(engine, head)
        finally:
            if engine.url.get_backend_name() == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                connection.commit()


def _upgrade(engine: Engine, head: str) -> bool:
    if current_revision(engine) == head:
        return False
    with engine.begin() as connection:
        log.info("migrating the database schema to %s", head)
        command.upgrade(alembic_config(connection), "head")
    return True
