"""Which database a test runs on: SQLite in its data folder, or the run's own PostgreSQL.

A test (or fixture) that takes ``database_url`` runs twice, ``[sqlite]`` and
``[postgresql]``. The URL is ``None`` for SQLite (the default: the file in
the data folder, as a server without ``--database-url`` uses) and a fresh
PostgreSQL database otherwise; pass it on with ``Settings(database_url=…)``
or ``*url_args(url)`` on a command line. ``module_database_url`` is the same
for module-scoped fixtures (one database per module and kind).

PostgreSQL is one throwaway server per test session (:mod:`tests.throwaway_postgres`),
started the first time a test needs it and stopped at the end of the session,
also when tests fail or the run is interrupted. Each database is a copy of a
template that the package's migrations brought to the newest schema (a copy
takes a tenth of a second, migrating a third); the schema tests migrate empty
databases themselves. Without PostgreSQL installed, the PostgreSQL tests fail
and say how to install it; they are never skipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from metaexpo.store.database import make_engine
from metaexpo.store.migrate import upgrade_to_head
from tests.throwaway_postgres import PostgresMissing, ThrowawayPostgres

DATABASES = ["sqlite", "postgresql"]


def url_args(url: str | None) -> tuple[str, ...]:
    """Command-line arguments that point a ``metaexpo`` command at ``url`` (none for SQLite)."""
    return () if url is None else ("--database-url", url)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema, leaving no connection open."""
    engine = make_engine(make_url(url))
    try:
        with tempfile.TemporaryDirectory() as scratch:
            upgrade_to_head(engine, Path(scratch))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """The session's PostgreSQL server (started on first use, stopped however the run ends)."""
    try:
        server = ThrowawayPostgres()
    except PostgresMissing as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:
        pytest.fail(missing, pytrace=False)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _fresh(
    request: pytest.FixtureRequest, kind: str, *, empty: bool = False
) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    url = server.create_database(template=None if empty else server.make_template(migrate))
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(scope="module", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: what the test's database is."""
    kind: str = request.param
    return kind


@pytest.fixture
def database_url(database_kind: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A fresh database for one test: None (SQLite in the data folder) or a PostgreSQL URL."""
    yield from _fresh(request, database_kind)


@pytest.fixture
def empty_database_url(database_kind: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A database without any table, for the tests of the migrations themselves."""
    yield from _fresh(request, database_kind, empty=True)


@pytest.fixture(scope="module")
def module_database_url(database_kind: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A fresh database for a module's fixtures, as ``database_url``."""
    yield from _fresh(request, database_kind)
