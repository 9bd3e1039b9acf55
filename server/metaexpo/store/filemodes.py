"""Who may read the data folder's private files: created private, and checked at start-up.

The data folder holds secrets and personal data: the secret key (whoever
reads it can sign a staff token), the database (accounts, password hashes,
sessions, leads, the audit log) with its ``-wal``, ``-shm`` and ``-journal``
companions, the TLS key, the uploads exactly as exhibitors sent them, and
backups. The service creates each of them for its own user only (folders
0700, files 0600, read-only stored originals 0400) and, at start-up and in
``metaexpo check``, reports any that other users of the machine can read,
with the ``chmod`` that fixes it. It does not change modes it did not set:
an administrator may have widened one on purpose.
"""

from __future__ import annotations

import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
#: Companions SQLite writes beside a database file, holding the same data.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
#: Files of the data folder that must stay private, and what each is.
_DATA_FILES = (
    ("secret_key", "the secret key that signs tokens"),
    ("tls/self-signed.key", "the TLS private key"),
)


def make_private_folder(path: Path) -> Path:
    """``path`` as a folder, made (with missing parents) enterable by this user only.

    A folder that exists keeps its mode (the start-up check reports it if it is open).
    """
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return path


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and readable by this user only, unless it exists (then untouched)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))


def open_private(path: Path) -> int:
    """A new file at ``path`` (replacing none), readable by this user only: its descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)


@dataclass(frozen=True, slots=True)
class ExposedFile:
    """A private file or folder that other users can read (or enter)."""

    path: Path
    what: str
    mode: int
    wanted: int

    def advice(self) -> str:
        """One line for the log: which file, why it matters, its mode and the fix."""
        return (
            f"{self.path} ({self.what}) can be read by other users of this machine "
            f"(mode {self.mode:04o}); run: chmod {self.wanted:o} {shlex.quote(str(self.path))}"
        )


def private_paths(data_dir: Path, database: Path | None) -> list[tuple[Path, str, int]]:
    """(path, what it is, the widest mode it may have) of every private file the service keeps."""
    paths = [(data_dir, "the data folder", PRIVATE_FOLDER)]
    paths += [(data_dir / name, what, PRIVATE_FILE) for name, what in _DATA_FILES]
    if database is not None:
        paths.append((database, "the database: accounts and personal data", PRIVATE_FILE))
        paths += [
            (database.with_name(database.name + suffix), "the database's companion", PRIVATE_FILE)
            for suffix in SQLITE_COMPANIONS
        ]
    return paths


def exposed_files(data_dir: Path, database: Path | None) -> list[ExposedFile]:
    """The private files and folders (that exist) whose mode lets other users read them."""
    exposed = []
    for path, what, wanted in private_paths(data_dir, database):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~wanted & 0o077:
            exposed.append(ExposedFile(path, what, mode, wanted))
    return exposed
