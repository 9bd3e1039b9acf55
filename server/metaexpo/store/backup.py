"""``metaexpo backup`` / ``metaexpo restore``: the data folder in one archive, consistently.

A backup is a tar file (gzip-compressed if its name ends in ``.gz``)::

    manifest.json          format, time, and the SHA-256 and size of every file below
    metaexpo.sqlite3       the database, copied with SQLite's online backup API, or
    metaexpo.pgdump        the PostgreSQL database, copied by pg_dump (custom format)
    secret_key             the key that signs tokens (if it lives in the data folder)
    assets/objects/…       every stored booth file (content-addressed)
    scenes/…               the built hall GLBs and their manifest

The database is copied first, while the server may keep running: the copy
is one consistent moment (SQLite's backup API; pg_dump's snapshot). Files are
copied after it; they are only ever added, never changed or removed, so every
file a copied row names is there. The archive is written beside its final name
and renamed when complete. It holds the secret key and everyone's personal
data, so it is readable by its owner only (0600); so is every file restored
from it (stored booth files get back the read-only mode they were archived
with: 0444 public, 0400 private).

Restoring checks every file against the manifest in a new folder beside the
data folder, and only then puts it in place; it refuses to replace a
non-empty data folder unless forced. Stop the server before restoring.
A PostgreSQL dump is loaded into the ``--database-url`` database in one
transaction (:mod:`metaexpo.store.pgdump`), after every check and before the
files are swapped in; it refuses a database that has tables unless forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import URL

from metaexpo.errors import ConfigError
from metaexpo.store import pgdump
from metaexpo.store.database import SQLITE_NAME
from metaexpo.store.filemodes import open_private

FORMAT = 1
MANIFEST = "manifest.json"
#: Folders of the data folder that a backup holds (the rest is cache or scratch).
FOLDERS = ("assets/objects", "scenes")
SECRET_FILE = "secret_key"
#: The PostgreSQL database's entry in an archive (pg_dump's custom format).
PGDUMP_NAME = "metaexpo.pgdump"


class BackupError(ConfigError):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What an archive holds."""

    path: Path
    files: int
    bytes: int


def snapshot_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` (live or not) as one file."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}; is this the right --data-dir?")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the database copy failed its integrity check: {verdict}")
    finally:
        dst.close()
        src.close()


def _data_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    secret = data_dir / SECRET_FILE
    if secret.is_file():
        yield SECRET_FILE, secret
    for folder in FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.relative_to(data_dir).as_posix(), path


def backup(data_dir: Path, database: Path | URL, out: Path) -> BackupReport:
    """Write the archive ``out`` of ``data_dir`` with its database: the SQLite file at
    ``database``, or the PostgreSQL database at that URL."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    compressed = out.name.endswith(".gz")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as scratch:
        db_name = SQLITE_NAME if isinstance(database, Path) else PGDUMP_NAME
        db_copy = Path(scratch) / db_name
        if isinstance(database, Path):
            snapshot_sqlite(database, db_copy)
        else:
            pgdump.dump(database, db_copy)
        entries = [(db_name, db_copy), *_data_files(data_dir)]
        files: dict[str, dict[str, str | int]] = {}
        for name, path in entries:
            with path.open("rb") as handle:
                sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
            files[name] = {"sha256": sha256, "bytes": path.stat().st_size}
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(),
            "database": db_name,
            "files": files,
        }
        manifest_path = Path(scratch) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = out.with_name(f".{out.name}.partial")
        partial.unlink(missing_ok=True)  # left by an interrupted backup
        with os.fdopen(open_private(partial), "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w:gz" if compressed else "w") as archive:
                archive.add(manifest_path, MANIFEST)
                for name, path in entries:
                    archive.add(path, name, recursive=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    return BackupReport(out, len(files), sum(int(f["bytes"]) for f in files.values()))


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _read_manifest(archive: tarfile.TarFile) -> tuple[str, dict[str, dict[str, object]]]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        assert handle is not None
        manifest = json.loads(handle.read(10 * 1024 * 1024))
    except (KeyError, ValueError, AssertionError):
        raise BackupError("this is not a metaexpo backup (no readable manifest.json)") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    files: dict[str, dict[str, object]] = manifest["files"]
    database = manifest.get("database", SQLITE_NAME)
    if database not in (SQLITE_NAME, PGDUMP_NAME) or database not in files:
        raise BackupError("the backup holds no database")
    return database, files


def _is_empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def restore(
    archive_path: Path, data_dir: Path, *, force: bool = False, database: URL | None = None
) -> BackupReport:
    """Put the archive's data folder at ``data_dir`` (replacing it only with ``force``).

    A backup of a SQLite expo restores its database into ``data_dir``
    (``database`` None); a backup of a PostgreSQL expo restores into the
    PostgreSQL database at ``database``, which must have no tables unless ``force``.
    """
    data_dir = data_dir.resolve()
    if not _is_empty(data_dir) and not force:
        raise BackupError(
            f"{data_dir} is not empty; restoring would replace it. Stop the server, then run "
            "again with --force (or restore into an empty folder)"
        )
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=f".{data_dir.name}.restore-"))
    try:
        count, size = _extract(archive_path, staging, postgresql=database is not None)
        if database is not None:
            _load_postgresql(database, staging / PGDUMP_NAME, force=force)
        _swap_in(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupReport(data_dir, count, size)


def _extract(archive_path: Path, staging: Path, *, postgresql: bool) -> tuple[int, int]:
    try:
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115 (closed by the block below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None
    with archive:
        database, files = _read_manifest(archive)
        _check_database_kind(database, postgresql=postgresql)
        seen = set()
        object_modes: dict[Path, int] = {}
        for member in archive:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name) or member.name not in files:
                raise BackupError(f"the backup holds an unexpected entry {member.name!r}")
            expected = files[member.name]
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            digest = hashlib.sha256()
            with os.fdopen(open_private(target), "wb") as out:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != expected.get("sha256"):
                raise BackupError(f"{member.name} in the backup is damaged (its hash differs)")
            seen.add(member.name)
            if member.name.startswith("assets/objects/"):
                object_modes[target] = 0o444 if member.mode & 0o044 else 0o400
        missing = sorted(set(files) - seen)
        if missing:
            raise BackupError(f"the backup is incomplete: {', '.join(missing[:5])} missing")
    for path, mode in object_modes.items():
        path.chmod(mode)
    if postgresql:
        pgdump.check_dump(staging / PGDUMP_NAME)
    else:
        _check_sqlite(staging / SQLITE_NAME)
    return len(files), sum(int(str(f.get("bytes", 0))) for f in files.values())


def _load_postgresql(database: URL, dump: Path, *, force: bool) -> None:
    if not force and (tables := pgdump.table_names(database)):
        raise BackupError(
            f"the database {database.render_as_string()} is not empty (it has the tables "
            f"{', '.join(tables[:5])}); restoring would replace them. Stop the servers, then "
            "run again with --force (or restore into an empty database)"
        )
    pgdump.load(database, dump, replace=force)
    dump.unlink()  # the database holds it now; the data folder does not need a copy


def _check_database_kind(database: str, *, postgresql: bool) -> None:
    if database == PGDUMP_NAME and not postgresql:
        raise BackupError(
            "this backup holds a PostgreSQL database: restore it with --database-url naming "
            "an empty PostgreSQL database"
        )
    if database == SQLITE_NAME and postgresql:
        raise BackupError(
            "this backup holds a SQLite database, which restores into the data folder: drop "
            "--database-url (restore does not move an expo from SQLite to PostgreSQL)"
        )


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    if verdict != "ok":
        raise BackupError(f"the database in the backup failed its integrity check: {verdict}")


def _swap_in(staging: Path, data_dir: Path) -> None:
    if not data_dir.exists():
        os.replace(staging, data_dir)
        return
    replaced = data_dir.with_name(f".{data_dir.name}.replaced-{int(time.time())}")
    os.replace(data_dir, replaced)
    try:
        os.replace(staging, data_dir)
    except OSError:
        os.replace(replaced, data_dir)
        raise
    # Read-only stored files go too: removing a file needs a writable folder, not file.
    shutil.rmtree(replaced, ignore_errors=True)
