"""The promises the storage keeps, checked: what the durability tests and the start-up log use.

* every file a row names is on disk, complete (its size matches, its bytes hash to its name);
* every live pointer names a LIVE revision of its booth, and every LIVE revision is pointed at;
* no booth has more than one open (DRAFT or SUBMITTED) revision;
* no temporary file of an interrupted write is left where files are served from;
* no stored file is left that no row names (:mod:`.orphans`: an interrupted upload's files,
  which ``metaexpo check --fix`` and the start-up sweep remove once they are old enough).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from metaexpo.booths.files import assets_root
from metaexpo.booths.orphans import find_orphans
from metaexpo.booths.states import OPEN_STATES, RevisionState
from metaexpo.models import file_sha256, object_path
from metaexpo.store import Database
from metaexpo.store.schema import BoothRevision, LiveBooth, StoredFile, Upload


def check_consistency(
    db: Database, data_dir: Path, *, hash_files: bool = False, orphans: bool = True
) -> list[str]:
    """Every broken promise, one sentence each (empty: all is well).

    ``hash_files`` re-reads every file to compare its hash (slow on big data
    folders); ``orphans`` reports stored files no row names.
    """
    root = assets_root(data_dir)
    problems: list[str] = []
    with db.reading() as session:
        files = {row.sha256: row for row in session.scalars(select(StoredFile))}
        for sha, row in files.items():
            path = object_path(root, sha)
            if not path.is_file():
                problems.append(f"stored file {sha} ({row.kind}) is missing from {path.parent}")
            elif path.stat().st_size != row.bytes:
                problems.append(
                    f"stored file {sha} has {path.stat().st_size} bytes, not {row.bytes}"
                )
            elif hash_files and file_sha256(path) != sha:
                problems.append(f"stored file {sha} does not hash to its name")
        named: list[tuple[str, str | None]] = []
        for upload in session.scalars(select(Upload)):
            named += [
                (f"upload {upload.id}", upload.original_sha),
                (f"upload {upload.id}", upload.model_sha),
                (f"upload {upload.id}", upload.preview_sha),
            ]
        revisions = list(session.scalars(select(BoothRevision)))
        for revision in revisions:
            what = f"revision {revision.number} of booth {revision.booth_id}"
            named += [
                (what, revision.model_sha),
                (what, revision.logo_sha),
                (what, revision.poster_sha),
                *((what, sha) for sha in revision.screen_shas),
            ]
        for what, name in named:
            if name is not None and name not in files:
                problems.append(f"{what} names file {name}, which is not recorded")
        pointers = {row.booth_id: row.revision_id for row in session.scalars(select(LiveBooth))}
        by_id = {r.id: r for r in revisions}
        for booth_id, revision_id in pointers.items():
            target = by_id.get(revision_id)
            if target is None or target.booth_id != booth_id or target.state != RevisionState.LIVE:
                problems.append(
                    f"booth {booth_id}'s live pointer names revision id {revision_id}, "
                    "which is not a live revision of that booth"
                )
        for revision in revisions:
            if (
                revision.state == RevisionState.LIVE
                and pointers.get(revision.booth_id) != revision.id
            ):
                problems.append(
                    f"revision {revision.number} of booth {revision.booth_id} is LIVE "
                    "but the hall does not show it"
                )
        open_counts = Counter(r.booth_id for r in revisions if r.state in OPEN_STATES)
        problems += [
            f"booth {booth_id} has {count} open revisions"
            for booth_id, count in open_counts.items()
            if count > 1
        ]
    objects = root / "objects"
    if objects.is_dir():
        problems += [
            f"a temporary file of an interrupted write is left: {path}"
            for path in objects.glob("*/.tmp-*")
        ]
    if orphans:
        problems += [orphan.describe() for orphan in find_orphans(db, data_dir)]
    return problems
