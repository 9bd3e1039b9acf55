"""Opening the database: SQLite (WAL) in the data folder by default, any SQLAlchemy URL otherwise.

``open_database(settings)`` creates the engine, brings the schema to the
newest migration and returns a :class:`Database`, whose ``transaction()``
is the one way code writes: everything inside commits together or not at
all. SQLite is set up to lose nothing a commit acknowledged, even on power
loss (``synchronous=FULL``), and to let readers and the writer work side by
side (WAL); writers wait for each other up to ``busy_timeout``.
A new SQLite file is created readable by the service's user only (0600), in
a folder only it may enter (0700); SQLite gives its ``-wal`` and ``-shm``
files the database file's mode.

Writers take turns on every database, one at a time, as SQLite's ``BEGIN
IMMEDIATE`` makes them: on PostgreSQL a write transaction first takes a
transaction-level advisory lock (released by its commit or rollback), so the
read-check-write steps of the services (is the invite still unused? is the
revision still SUBMITTED?) never interleave, whichever node runs them. Each
statement after the lock sees every commit before it (READ COMMITTED).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from metaexpo.config import Settings
from metaexpo.errors import ConfigError
from metaexpo.store.filemodes import create_private_file, make_private_folder
from metaexpo.store.migrate import upgrade_to_head

log = logging.getLogger(__name__)

#: The SQLite file in the data folder when no ``--database-url`` is given.
SQLITE_NAME = "metaexpo.sqlite3"
#: Execution option that marks a write transaction (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "metaexpo_write"
#: How long a writer waits for another one on SQLite, in milliseconds.
BUSY_TIMEOUT_MS = 10_000
#: Key of the PostgreSQL advisory lock a write transaction holds (SQLite: BEGIN IMMEDIATE).
WRITE_LOCK_KEY = 0x6D657877  # "mexw"


#: PostgreSQL URLs that name no driver (SQLAlchemy would pick psycopg2, which we do not ship).
_POSTGRESQL_WITHOUT_DRIVER = ("postgresql", "postgres")


def database_url(settings: Settings) -> URL:
    """The database URL the settings name (SQLite in the data folder by default).

    ``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3, the
    driver of the ``postgres`` extra.
    """
    if settings.database_url:
        try:
            url = make_url(settings.database_url)
        except ArgumentError as exc:
            raise ConfigError(
                f"--database-url {settings.database_url!r} is not a database URL ({exc}); "
                "write e.g. postgresql+psycopg://user:password@host/expo"
            ) from None
        if url.drivername in _POSTGRESQL_WITHOUT_DRIVER:
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite+pysqlite", database=str(settings.data_dir.resolve() / SQLITE_NAME))


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None for other databases (and in-memory SQLite)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGINs are switched off; _on_sqlite_begin emits them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    # A write transaction takes the write lock at once, so two writers queue instead of
    # one failing half-way with "database is locked" when it upgrades a read lock.
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas on every connection."""
    path = sqlite_path(url)
    try:
        if path is not None:
            make_private_folder(path.parent)
            # Made before SQLite opens it, which would use the process umask (usually 0644).
            create_private_file(path)
            engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                pool_pre_ping=False,
            )
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise ConfigError(
            f"no database driver for {url.drivername!r} ({exc}); for PostgreSQL install "
            "psycopg (pip install 'psycopg[binary]') and use postgresql+psycopg://…"
        ) from None


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a duplicate key (SQLite's message, PostgreSQL's SQLSTATE)."""
    return "UNIQUE" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "23505"


class Database:
    """The engine and a session factory; thread-safe, one per app (or command)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.url.get_backend_name() == "sqlite"
        self.is_postgresql = engine.url.get_backend_name() == "postgresql"
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on normal exit and rolls back on any exception.

        The write lock is taken at the start (SQLite: ``BEGIN IMMEDIATE``;
        PostgreSQL: an advisory lock), so two writers queue instead of one failing
        half-way with "database is locked" or acting on what the other is changing.
        """
        with self._sessions() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            try:
                if self.is_postgresql:
                    session.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY}
                    )
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: nothing is committed; rows read stay usable after it
        (closing detaches them without expiring what was loaded)."""
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Open the settings' database and (by default) upgrade its schema to the newest version."""
    url = database_url(settings)
    engine = make_engine(url)
    if migrate:
        upgrade_to_head(engine, settings.data_dir)
    log.info("database %s", url.render_as_string(hide_password=True))
    return Database(engine)
