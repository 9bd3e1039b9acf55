"""``metaexpo check``: the data folder's storage promises, orphan files and private modes.

Prints one line per problem and exits 1 if there is any (0: all is well).
With ``--fix`` it first removes the stored files that no row names and that
are older than ``--orphan-min-age-s`` (:mod:`.orphans`: safe while servers
run); it changes nothing else. Modes it reports with the ``chmod`` to run.
"""

from __future__ import annotations

from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.orphans import collect_orphans
from metaexpo.config import Settings
from metaexpo.errors import ConfigError
from metaexpo.store import open_database
from metaexpo.store.database import database_url, sqlite_path
from metaexpo.store.filemodes import exposed_files


def run_check(settings: Settings, *, fix: bool, hash_files: bool) -> int:
    """Check (and with ``fix`` collect old orphans in) the settings' data folder; exit status."""
    data_dir = settings.data_dir
    database = sqlite_path(database_url(settings))
    if not data_dir.is_dir() or (database is not None and not database.is_file()):
        raise ConfigError(f"there is no expo data in {data_dir}; is this the right --data-dir?")
    db = open_database(settings)
    try:
        if fix:
            removed = collect_orphans(db, data_dir, settings.orphan_min_age_s)
            size = sum(orphan.bytes for orphan in removed)
            print(f"removed {len(removed)} stored file(s) that no row named ({size:,} bytes)")
        problems = check_consistency(db, data_dir, hash_files=hash_files)
    finally:
        db.close()
    problems += [exposed.advice() for exposed in exposed_files(data_dir, database)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {data_dir}")
        return 1
    print(f"{data_dir}: every storage promise holds")
    return 0
