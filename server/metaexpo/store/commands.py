"""The data-folder commands behind ``metaexpo backup`` and ``restore``.

Each opens what it needs from the settings (the database at its newest
schema), prints one line a person can act on, and raises
:class:`~metaexpo.errors.ConfigError` (exit status 2) with a message for
anything that stops it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from metaexpo.config import Settings
from metaexpo.errors import ConfigError
from metaexpo.store.backup import BackupError, backup, restore
from metaexpo.store.database import SQLITE_NAME, database_url, open_database, sqlite_path
from metaexpo.store.pgdump import PgToolError


def _backup_source(settings: Settings) -> Path | URL:
    """The SQLite file or the PostgreSQL URL that a backup copies."""
    url = database_url(settings)
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            # A data folder that never ran a server: make the (empty) database first.
            open_database(settings).close()
        return path
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            f"backup copies SQLite and PostgreSQL databases, not {url.get_backend_name()}"
        )
    return url


def run_backup(settings: Settings, out: Path) -> None:
    """Write a backup archive of the data folder and its database (SQLite or PostgreSQL)."""
    try:
        report = backup(settings.data_dir, _backup_source(settings), out)
    except (BackupError, PgToolError, OSError) as exc:
        raise ConfigError(f"backup failed: {exc}") from None
    print(f"backup written to {report.path}: {report.files} files, {report.bytes:,} bytes")


def _restore_target(settings: Settings) -> URL | None:
    """None: the database goes into the data folder (SQLite); else the PostgreSQL URL."""
    if not settings.database_url:
        return None
    url = database_url(settings)
    if url.get_backend_name() == "postgresql":
        return url
    if sqlite_path(url) == settings.data_dir.resolve() / SQLITE_NAME:
        return None
    raise ConfigError(
        "restore puts a SQLite database into the data folder (drop --database-url) or a "
        "PostgreSQL backup into the PostgreSQL database --database-url names"
    )


def run_restore(settings: Settings, archive: Path, *, force: bool) -> None:
    """Restore a backup archive into the data folder (and its PostgreSQL database, if any)."""
    try:
        report = restore(
            archive, settings.data_dir, force=force, database=_restore_target(settings)
        )
    except (BackupError, PgToolError, OSError) as exc:
        raise ConfigError(f"restore failed: {exc}") from None
    print(f"restored {report.files} files ({report.bytes:,} bytes) into {report.path}")
