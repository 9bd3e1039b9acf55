"""Stored files that no database row names: found, reported, and collected safely.

An upload stores its files first (the original, the fitted model, its
preview, a logo) and then writes the row that names them; a crash in
between (``kill -9``, power loss) or a refusal after storing leaves files
that no row names. They are never served (serving needs a row) but take
disk space, and nothing else would ever remove them.

Removing one is safe only if no upload in flight will still name it. Two
rules make age a sufficient test:

* an upload records its files within half of ``--orphan-min-age-s`` of
  starting its check, or not at all (:class:`~.uploads.RecordDeadline`);
* storing bytes that are already stored refreshes the file's time
  (:func:`metaexpo.models.store_blob`), so a file an upload reuses is young
  again until that upload records it.

So a file no row names and older than ``--orphan-min-age-s`` cannot belong
to an upload in flight. The gap between looking at a file's age and
removing it is closed by moving it aside first and looking again: a file
refreshed meanwhile is put back; one moved aside is not found by a store,
which then writes it afresh.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from metaexpo.booths.files import assets_root
from metaexpo.store import Database
from metaexpo.store.schema import StoredFile

#: Prefix of a file the collector has moved aside to remove it.
ASIDE_PREFIX = ".gc-"
#: Prefix of the store's temporary files (an interrupted write; the start-up sweep removes them).
TEMP_PREFIX = ".tmp-"


@dataclass(frozen=True, slots=True)
class Orphan:
    """A stored file that no database row names."""

    path: Path
    bytes: int
    age_s: float

    def describe(self) -> str:
        """One sentence for the consistency report."""
        return (
            f"stored file {self.path} ({self.bytes:,} bytes, {_age(self.age_s)} old) is named by "
            "no database row: left by an interrupted upload (or one still in flight, if it is "
            "young); metaexpo check --fix removes it once it is older than --orphan-min-age-s"
        )


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _stored(objects: Path) -> Iterator[Path]:
    for folder in sorted(objects.iterdir()):
        if folder.is_dir():
            yield from sorted(folder.iterdir())


def find_orphans(db: Database, data_dir: Path) -> list[Orphan]:
    """Every stored file that no ``stored_files`` row names, with its age.

    Rows are read before the folder is listed, so a file stored and recorded
    meanwhile shows up here only as young, never as old.
    """
    objects = assets_root(data_dir) / "objects"
    if not objects.is_dir():
        return []
    with db.reading() as session:
        recorded = set(session.scalars(select(StoredFile.sha256)))
    now = time.time()
    orphans = []
    for path in _stored(objects):
        if path.name.startswith((TEMP_PREFIX, ASIDE_PREFIX)):
            continue
        if path.parent.name + path.name in recorded:
            continue
        with contextlib.suppress(FileNotFoundError):
            info = path.lstat()
            if path.is_file() and not path.is_symlink():
                orphans.append(Orphan(path, info.st_size, now - info.st_mtime))
    return orphans


def collect_orphans(db: Database, data_dir: Path, min_age_s: float) -> list[Orphan]:
    """Remove the stored files that no row names and that are older than ``min_age_s``; returns
    them. Safe while uploads run, on this node or others sharing the folder (see the module)."""
    objects = assets_root(data_dir) / "objects"
    if objects.is_dir():
        for aside in objects.glob(f"*/{ASIDE_PREFIX}*"):
            aside.unlink(missing_ok=True)  # moved aside by a collector that was interrupted
    removed = []
    for orphan in find_orphans(db, data_dir):
        if orphan.age_s < min_age_s:
            continue
        aside = orphan.path.with_name(ASIDE_PREFIX + orphan.path.name)
        try:
            os.replace(orphan.path, aside)
        except FileNotFoundError:
            continue
        if time.time() - aside.stat().st_mtime < min_age_s:
            # An upload stored these bytes again between the look and the move: it is theirs now.
            os.replace(aside, orphan.path)
            continue
        aside.unlink()
        removed.append(orphan)
    return removed
