"""Files a ``kill -9`` mid-upload leaves behind (stored, never recorded) are reported by the
consistency check and removed by the collector once old enough, and the files of an upload in
flight never are, not even when it reuses an old orphan's bytes.

An upload is held in the moment between storing its files and recording them by holding
SQLite's write lock from the test: the server's record step waits for the lock (up to its busy
timeout). That is the moment a crash leaves orphans, and the moment a careless collector would
remove files an upload is about to name.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.files import assets_root
from metaexpo.booths.orphans import collect_orphans, find_orphans
from metaexpo.booths.processing import process_model
from metaexpo.booths.uploads import slot_for
from metaexpo.config import Settings
from metaexpo.khronos import GltfValidator
from metaexpo.models import Limits, object_path
from metaexpo.scenes.catalog import load_catalog
from metaexpo.store import Database, open_database
from tests.backoffice import BOX, DUCK, FIXTURES, Expo, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import ServerProcess, run_metaexpo

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BOOTH = "city-01"
FOX = FIXTURES / "Fox" / "glTF-Binary" / "Fox.glb"
TEXTURED = FIXTURES / "BoxTextured" / "glTF-Binary" / "BoxTextured.glb"
VERTEX_COLOURS = FIXTURES / "BoxVertexColors" / "glTF-Binary" / "BoxVertexColors.glb"
MIN_AGE_S = 3600.0  # the default --orphan-min-age-s


class Site:
    """A server on a data folder that outlives it, and an exhibitor of BOOTH."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.data = tmp / "data"
        create_staff(self.data)
        self.server = ServerProcess(tmp).start()
        expo = Expo(self.client())
        self.who = expo.exhibitor(expo.staff(), "orphans@firm.test", [BOOTH])
        booths = load_catalog(Settings().scenes_dir).booths
        self.slot = slot_for(next(booth for booth in booths if booth.id == BOOTH))

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.http, timeout=60)

    def database(self) -> Database:
        return open_database(Settings(data_dir=self.data), migrate=False)

    def files_of(self, model: Path) -> set[Path]:
        """Where the server will store ``model``'s files (original, fitted model, preview)."""
        scratch = self.tmp / "expected"
        outcome = process_model(model, scratch, self.slot, Limits(), model.name, GltfValidator())
        assert outcome.accepted and outcome.original and outcome.model and outcome.preview
        blobs = (outcome.original, outcome.model, outcome.preview)
        return {object_path(assets_root(self.data), blob.sha256) for blob in blobs}

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the database's write lock: uploads store their files, then wait to record them."""
        connection = sqlite3.connect(
            self.data / "metaexpo.sqlite3", timeout=30 * TIME_FACTOR, isolation_level=None
        )
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def upload_in_background(self, model: Path) -> tuple[threading.Thread, list[object]]:
        results: list[object] = []

        def run() -> None:
            try:
                with self.client() as client:
                    response = Expo(client).upload(self.who, BOOTH, model.read_bytes(), model.name)
                    results.append(response)
            except httpx.HTTPError as exc:
                results.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        return thread, results

    def leave_orphans(self, model: Path) -> set[Path]:
        """Kill the server (SIGKILL) after an upload of ``model`` stored its files and before it
        recorded them; restart it. The files left behind."""
        files = self.files_of(model)
        with self.write_lock():
            thread, _ = self.upload_in_background(model)
            wait_until(lambda: all(path.exists() for path in files), "the upload stores its files")
            self.server.kill()
        thread.join(60)
        self.server.start()
        return files


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout * TIME_FACTOR
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def backdate(paths: set[Path], seconds: float = 2 * MIN_AGE_S) -> None:
    """Make files look ``seconds`` old (as if the crash was that long ago)."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = Site(tmp_path_factory.mktemp("orphans"))
    yield site
    site.server.stop()


def test_files_left_by_a_kill_mid_upload_are_reported_by_the_check(site: Site) -> None:
    orphans = site.leave_orphans(FOX)
    db = site.database()
    try:
        problems = check_consistency(db, site.data)
    finally:
        db.close()
    assert len(problems) == len(orphans), problems
    for path in orphans:
        assert any(str(path) in p and "no database row" in p for p in problems), problems
    checked = run_metaexpo("check", "--data-dir", str(site.data))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert all(str(path) in checked.stdout for path in orphans), checked.stdout
    # Young, they could be an upload's in flight: even --fix keeps them.
    fixed = run_metaexpo("check", "--data-dir", str(site.data), "--fix")
    assert fixed.returncode == 1 and "removed 0 " in fixed.stdout, fixed.stdout
    assert all(path.exists() for path in orphans)


def test_check_fix_removes_orphans_once_they_are_old(site: Site) -> None:
    orphans = site.leave_orphans(TEXTURED)
    db = site.database()
    try:
        backdate({orphan.path for orphan in find_orphans(db, site.data)})
    finally:
        db.close()
    fixed = run_metaexpo("check", "--data-dir", str(site.data), "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "every storage promise holds" in fixed.stdout
    assert not any(path.exists() for path in orphans)


def test_the_collector_never_removes_the_files_of_an_upload_in_flight(site: Site) -> None:
    old = site.leave_orphans(VERTEX_COLOURS)
    backdate(old)
    in_flight = site.files_of(BOX)
    db = site.database()
    try:
        with site.write_lock():
            thread, results = site.upload_in_background(BOX)
            wait_until(lambda: all(p.exists() for p in in_flight), "the upload stores its files")
            removed = {orphan.path for orphan in collect_orphans(db, site.data, MIN_AGE_S)}
        thread.join(60)
        assert removed == old
        assert all(path.exists() for path in in_flight)
        response = results[0]
        assert isinstance(response, httpx.Response) and response.status_code == 201, results
        assert check_consistency(db, site.data, hash_files=True) == []
    finally:
        db.close()
    with site.client() as client:
        model = response.json()["upload"]["model"]
        assert client.get(model).status_code == 200


def test_an_upload_reusing_an_old_orphans_bytes_keeps_them_from_the_collector(
    site: Site,
) -> None:
    old = site.leave_orphans(DUCK)
    backdate(old)
    db = site.database()
    try:
        with site.write_lock():
            thread, results = site.upload_in_background(DUCK)  # the same bytes again
            wait_until(
                lambda: all(time.time() - p.stat().st_mtime < MIN_AGE_S for p in old),
                "the upload stores its files again (they are there: it makes them young)",
            )
            removed = collect_orphans(db, site.data, MIN_AGE_S)
        thread.join(60)
        assert removed == []
        response = results[0]
        assert isinstance(response, httpx.Response) and response.status_code == 201, results
        assert check_consistency(db, site.data, hash_files=True) == []
    finally:
        db.close()
