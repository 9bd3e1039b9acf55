"""Killing the server (SIGKILL) in the middle of an upload or an approval loses nothing:
after a restart no half-written file is visible, no row names a missing file, and every
accepted booth is served."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.receive import STALE_UPLOAD_S
from metaexpo.config import Settings
from metaexpo.store import Database, open_database
from metaexpo.store.schema import BoothRevision
from tests.backoffice import BOX, DUCK, Expo, Headers, create_staff
from tests.conftest import TIME_FACTOR
from tests.databases import url_args
from tests.fixtures import shared_fixture
from tests.live import ServerProcess
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HELMET = shared_fixture("gltf-samples/DamagedHelmet/glTF-Binary/DamagedHelmet.glb")
KEPT, UPLOADING, APPROVING = "retail-01", "retail-02", "retail-03"


class Site:
    """A server on a data folder that outlives it, with one booth already live."""

    def __init__(self, tmp: Path, database_url: str | None) -> None:
        self.tmp = tmp
        self.data = tmp / "data"
        self.database_url = database_url
        create_staff(self.data, database_url=database_url)
        self.server = ServerProcess(tmp, *url_args(database_url)).start()
        self.staff, self.who = self._people()
        self.kept = Expo(self._client()).publish_model(
            self.staff, self.who, KEPT, DUCK.read_bytes()
        )

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.http, timeout=60)

    def _people(self) -> tuple[Headers, Headers]:
        expo = Expo(self._client())
        staff = expo.staff()
        return staff, expo.exhibitor(staff, "crash@firm.test", [KEPT, UPLOADING, APPROVING])

    def expo(self) -> Expo:
        return Expo(self._client())

    def kill_and_restart(self) -> None:
        self.server.kill()
        self.server.start()

    def temp_uploads(self) -> list[Path]:
        folder = self.data / "tmp" / "uploads"
        return sorted(folder.glob("*")) if folder.exists() else []

    def database(self) -> Database:
        settings = Settings(data_dir=self.data, database_url=self.database_url)
        return open_database(settings, migrate=False)

    def assert_whole(self) -> None:
        """The storage promises hold, nothing half-written is visible, and the kept booth is
        served.

        Files that no row names may be left (the crash came between storing them and recording
        them): they are reported and collected later, test_upload_orphans_live.py. A body that
        was arriving when the server died stays in the temporary folder (never served) until
        it is older than any upload in flight on a node sharing the folder could be: then the
        next start removes it.
        """
        db = self.database()
        try:
            assert check_consistency(db, self.data, hash_files=True, orphans=False) == []
        finally:
            db.close()
        left = self.temp_uploads()
        if left:
            assert all(p.suffix == ".part" for p in left), left
            stale = time.time() - STALE_UPLOAD_S - 60
            for path in left:
                os.utime(path, (stale, stale))
            self.server.stop()
            self.server.start()
            assert self.temp_uploads() == []
        assert not list((self.data / "assets" / "objects").glob("*/.tmp-*"))
        with self._client() as client:
            assert client.get("/healthz").json()["status"] == "ok"
            booth = client.get(f"/api/booths/{KEPT}").json()
            assert booth["model"] == self.kept["model"]
            assert client.get(booth["model"]).status_code == 200


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Site]:
    site = Site(tmp_path_factory.mktemp("durability"), module_database_url)
    yield site
    site.server.stop()


def _post_in_background(site: Site, body: object, results: list[object]) -> threading.Thread:
    def run() -> None:
        try:
            with httpx.Client(base_url=site.server.http, timeout=60) as client:
                results.append(
                    client.post(
                        f"/api/booths/{UPLOADING}/model",
                        params={"filename": "helmet.glb"},
                        content=body,  # type: ignore[arg-type]
                        headers=site.who,
                    ).status_code
                )
        except httpx.HTTPError as exc:
            results.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_kill_while_the_body_streams_in_leaves_nothing_half_written(site: Site) -> None:
    data = HELMET.read_bytes()
    half_sent = threading.Event()
    release = threading.Event()

    def body() -> Iterator[bytes]:
        yield data[: len(data) // 2]
        half_sent.set()
        release.wait(30)
        yield data[len(data) // 2 :]

    results: list[object] = []
    thread = _post_in_background(site, body(), results)
    assert half_sent.wait(30 * TIME_FACTOR)
    wait_for(site.temp_uploads, what="the body arriving in the temporary folder")
    site.kill_and_restart()
    release.set()
    thread.join(60)
    site.assert_whole()
    with site.expo().client as client:
        assert client.get(f"/api/booths/{UPLOADING}").json()["revision"] == 0


def test_a_kill_while_the_model_is_checked_and_stored_leaves_nothing_half_written(
    site: Site,
) -> None:
    data = HELMET.read_bytes()
    results: list[object] = []
    thread = _post_in_background(site, data, results)

    def whole_body_in() -> bool:
        if results:
            return True  # the upload already finished: the kill comes after it
        parts = site.temp_uploads()
        try:
            return bool(parts) and parts[0].stat().st_size == len(data)
        except FileNotFoundError:
            return False  # just processed and removed

    # Polled often: the moment between "all received" and "stored" is short.
    wait_for(whole_body_in, what="the whole body received", interval=0.002)
    site.kill_and_restart()  # the body is in: the check, the files or the row are under way
    thread.join(60)
    site.assert_whole()
    with site.expo().client as client:
        workspace = client.get(f"/api/booths/{UPLOADING}/workspace", headers=site.who).json()
    opened = workspace["open"]
    if opened is not None and opened["model"]:
        with site.expo().client as client:
            assert client.get(opened["model"]).status_code == 200


@pytest.mark.parametrize("delay_ms", [0, 3, 8, 15, 30])
def test_a_kill_during_an_approval_leaves_the_booth_either_waiting_or_live(
    site: Site, delay_ms: int
) -> None:
    expo = site.expo()
    if expo.client.get(f"/api/booths/{APPROVING}/workspace", headers=site.who).json()["open"]:
        expo.client.post(f"/api/booths/{APPROVING}/withdraw", headers=site.who)
        expo.client.delete(f"/api/booths/{APPROVING}/model", headers=site.who)
    model = BOX if delay_ms % 2 else DUCK
    assert expo.upload(site.who, APPROVING, model.read_bytes()).status_code == 201
    expo.submit(site.who, APPROVING)
    revision = expo.queued(site.staff, APPROVING)
    before = expo.live(APPROVING)["revision"]

    def approve() -> None:
        try:
            with httpx.Client(base_url=site.server.http, timeout=30) as client:
                client.post(f"/api/staff/revisions/{revision}/approve", headers=site.staff)
        except httpx.HTTPError:
            pass

    thread = threading.Thread(target=approve)
    thread.start()
    # Deliberate, not a wait for anything: the kill lands at a spread of moments into
    # the approval (0-30 ms); each lands somewhere, and every one must leave it whole.
    time.sleep(delay_ms / 1000)
    site.kill_and_restart()
    thread.join(30)
    site.assert_whole()
    db = site.database()
    try:
        with db.reading() as session:
            row = session.scalar(select(BoothRevision).where(BoothRevision.id == revision))
            assert row is not None
            state = row.state
    finally:
        db.close()
    assert state in ("submitted", "live"), "an approval is never left half done after a restart"
    live = site.expo().live(APPROVING)
    if state == "live":
        assert live["revision"] > before
        assert site.expo().client.get(live["model"]).status_code == 200
    else:
        assert live["revision"] == before
        assert (
            site.expo()
            .client.post(f"/api/staff/revisions/{revision}/approve", headers=site.staff)
            .status_code
            == 200
        )
