"""Files that hold secrets or personal data are the service's user's alone: the data folder 0700,
the database and its -wal/-shm 0600, the secret key 0600, an upload as sent 0400, a backup 0600
and everything restore writes; wider modes are reported at start-up (log and /metrics) and by
``metaexpo check``, each with the chmod that fixes it."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from metaexpo.booths.files import assets_root
from metaexpo.models import object_path
from tests.backoffice import DUCK, Expo, create_staff
from tests.live import ServerProcess, metric, run_metaexpo

pytestmark = pytest.mark.integration

DATABASE_FILES = ("metaexpo.sqlite3", "metaexpo.sqlite3-wal", "metaexpo.sqlite3-shm")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class Served:
    """A data folder a server made from nothing, with one accepted model upload in it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.data = tmp / "data"
        create_staff(self.data)  # the first command: it makes the folder and the database
        self.server = ServerProcess(tmp).start()
        with httpx.Client(base_url=self.server.http, timeout=60) as client:
            expo = Expo(client)
            who = expo.exhibitor(expo.staff(), "modes@firm.test", ["education-01"])
            response = expo.upload(who, "education-01", DUCK.read_bytes(), "duck.glb")
            assert response.status_code == 201, response.text
        url: str = response.json()["upload"]["model"]
        self.model_sha = url.rsplit("/", 1)[1].split(".", maxsplit=1)[0]
        self.original_sha = hashlib.sha256(DUCK.read_bytes()).hexdigest()

    def assert_private(self, data: Path) -> None:
        """The modes of a data folder holding this upload."""
        assert mode(data) == 0o700
        assert mode(data / "secret_key") == 0o600
        for name in DATABASE_FILES:
            if (data / name).exists():  # -wal and -shm exist while a server has it open
                assert mode(data / name) == 0o600, name
        root = assets_root(data)
        assert mode(object_path(root, self.original_sha)) == 0o400, "the upload as it was sent"
        assert mode(object_path(root, self.model_sha)) == 0o444, "the served model"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("modes"))
    yield served
    served.server.stop()


def test_the_data_folders_private_files_are_the_services_alone(served: Served) -> None:
    assert all((served.data / name).exists() for name in DATABASE_FILES)  # WAL, while serving
    served.assert_private(served.data)
    assert metric(served.server.metrics(), "metaexpo_private_files_exposed") == 0
    assert "can be read by other users" not in served.server.log()


def test_a_backup_and_everything_restored_from_it_are_private(
    served: Served, tmp_path: Path
) -> None:
    archive = tmp_path / "expo.tar.gz"
    made = run_metaexpo("backup", "--data-dir", str(served.data), str(archive))
    assert made.returncode == 0, made.stderr
    assert mode(archive) == 0o600
    restored = tmp_path / "restored"
    back = run_metaexpo("restore", "--data-dir", str(restored), str(archive))
    assert back.returncode == 0, back.stderr
    served.assert_private(restored)


def test_a_database_other_users_can_read_is_reported_at_start_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    create_staff(data)
    database = (data / "metaexpo.sqlite3").resolve()
    database.chmod(0o644)
    server = ServerProcess(tmp_path).start()
    try:
        log = server.log()
        exposed = metric(server.metrics(), "metaexpo_private_files_exposed")
    finally:
        server.stop()
    warning = next((line for line in log.splitlines() if str(database) in line), "")
    assert "WARNING" in warning and "mode 0644" in warning, log
    assert warning.endswith(f"run: chmod 600 {database}"), warning
    assert exposed >= 1
    checked = run_metaexpo("check", "--data-dir", str(data))
    assert checked.returncode == 1 and f"chmod 600 {database}" in checked.stdout, checked.stdout
    assert mode(database) == 0o644, "reported, not changed behind the administrator's back"
