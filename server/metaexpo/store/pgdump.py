"""PostgreSQL's own tools behind ``metaexpo backup`` and ``restore``: pg_dump and pg_restore.

``pg_dump`` copies the database as one consistent snapshot (a repeatable-read
transaction) while the expo keeps running, in its custom format; ``pg_restore``
loads such a dump in a single transaction, so a failed restore changes
nothing. Both come with Debian's ``postgresql-client`` package, of the
server's major version or newer, and are found on ``PATH``.

The password of the URL goes to the tools in their environment
(``PGPASSWORD``), never on a command line where other users could read it;
every other part of the URL (host, port, user, database, ``sslmode`` and
the other libpq options of the query string) goes as a connection URI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from metaexpo.errors import ConfigError
from metaexpo.store.database import make_engine

#: How long a dump or a restore may take before it is given up, in seconds.
TIMEOUT_S = 3600
INSTALL_HINT = (
    "install PostgreSQL's client tools of the server's major version or newer "
    "(Debian: apt install postgresql-client)"
)


class PgToolError(ConfigError):
    """pg_dump or pg_restore is missing or failed; the message says what to do."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PgToolError(
            f"{name} is not installed, and a PostgreSQL backup needs it: {INSTALL_HINT}"
        )
    return path


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """(a libpq connection URI without the password, the environment that carries it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise PgToolError(f"{what} took longer than {TIMEOUT_S} s and was stopped") from None
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:]) or f"exit {result.returncode}"
        hint = f"; {INSTALL_HINT}" if "version mismatch" in detail else ""
        raise PgToolError(f"{what} failed: {detail}{hint}")


def dump(url: URL, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target`` (pg_dump custom format)."""
    connection, env = libpq_connection(url)
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    _run([*args, f"--file={target}", f"--dbname={connection}"], env, "pg_dump")


def check_dump(path: Path) -> None:
    """Raise :class:`PgToolError` unless ``path`` is a dump pg_restore can read."""
    _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ), "reading the dump")


def load(url: URL, path: Path, *, replace: bool) -> None:
    """Load the dump at ``path`` into the database at ``url`` in one transaction.

    ``replace`` first drops the tables the dump holds (a database that is not
    empty); without it, the database must hold none of them.
    """
    connection, env = libpq_connection(url)
    args = [
        _tool("pg_restore"),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        *(["--clean", "--if-exists"] if replace else []),
        f"--dbname={connection}",
        str(path),
    ]
    _run(args, env, "pg_restore")


def table_names(url: URL) -> list[str]:
    """The tables of the database at ``url`` (its default schema)."""
    engine = make_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise PgToolError(f"cannot read the database {url.render_as_string()}: {exc}") from None
    finally:
        engine.dispose()
