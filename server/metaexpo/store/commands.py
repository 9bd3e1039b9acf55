"""The data-folder commands behind ``metaexpo backup`` and ``restore``.

Each opens what it needs from the settings (the database at its newest
schema), prints one line a person can act on, and raises
:class:`~metaexpo.errors.ConfigError` (exit status 2) with a message for
anything that stops it.
"""

from __future__ import annotations

from pathlib import Path

from metaexpo.config import Settings
from metaexpo.errors import ConfigError
from metaexpo.store.backup import BackupError, backup, restore
from metaexpo.store.database import database_url, open_database, sqlite_path


def _sqlite_file(settings: Settings) -> Path:
    path = sqlite_path(database_url(settings))
    if path is None:
        raise ConfigError(
            "backup copies a SQLite database; for PostgreSQL use pg_dump for the database and "
            "copy <data-dir>/assets with any file tool (files are only ever added)"
        )
    return path


def run_backup(settings: Settings, out: Path) -> None:
    """Write a backup archive of the data folder."""
    try:
        database = _sqlite_file(settings)
        if not database.exists():
            # A data folder that never ran a server: make the (empty) database first.
            open_database(settings).close()
        report = backup(settings.data_dir, database, out)
    except (BackupError, OSError) as exc:
        raise ConfigError(f"backup failed: {exc}") from None
    print(f"backup written to {report.path}: {report.files} files, {report.bytes:,} bytes")


def run_restore(settings: Settings, archive: Path, *, force: bool) -> None:
    """Restore a backup archive into the data folder."""
    if settings.database_url and sqlite_path(database_url(settings)) != (
        settings.data_dir.resolve() / "metaexpo.sqlite3"
    ):
        raise ConfigError("restore puts the database into the data folder; drop --database-url")
    try:
        report = restore(archive, settings.data_dir, force=force)
    except (BackupError, OSError) as exc:
        raise ConfigError(f"restore failed: {exc}") from None
    print(f"restored {report.files} files ({report.bytes:,} bytes) into {report.path}")
