"""``metaexpo backup`` / ``restore``: a consistent copy of a live data folder, checked on the way
back, never restored over a non-empty folder unless forced."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from metaexpo.booths.consistency import check_consistency
from metaexpo.config import Settings
from metaexpo.store import open_database
from tests.backoffice import DUCK, EXHIBITOR_PASSWORD, Expo, create_staff
from tests.live import ServerProcess, run_metaexpo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, object]]]:
    """A running server with one booth live (a custom model) and its backup taken while running."""
    tmp = tmp_path_factory.mktemp("backup")
    create_staff(tmp / "data")
    server = ServerProcess(tmp).start()
    with httpx.Client(base_url=server.http, timeout=60) as client:
        expo = Expo(client)
        staff = expo.staff()
        who = expo.exhibitor(staff, "ex@firm.test", ["retail-01"])
        payload = expo.publish_model(staff, who, "retail-01", DUCK.read_bytes())
        result = run_metaexpo("backup", "--data-dir", str(tmp / "data"), str(tmp / "expo.tar.gz"))
        assert result.returncode == 0, result.stderr
        yield server, payload
    server.stop()


def test_a_backup_taken_while_serving_restores_into_a_working_expo(
    served: tuple[ServerProcess, dict[str, object]], tmp_path: Path
) -> None:
    server, payload = served
    target = tmp_path / "restored"
    result = run_metaexpo("restore", "--data-dir", str(target), str(server.tmp / "expo.tar.gz"))
    assert result.returncode == 0, result.stderr
    assert (
        check_consistency(open_database(Settings(data_dir=target)), target, hash_files=True) == []
    )
    again = ServerProcess(tmp_path, "--data-dir", str(target)).start()
    try:
        booth = httpx.get(f"{again.http}/api/booths/retail-01", timeout=10).json()
        assert booth == {k: v for k, v in payload.items() if k != "type"}
        model = httpx.get(f"{again.http}{booth['model']}", timeout=10)
        assert model.status_code == 200 and model.content[:4] == b"glTF"
        login = httpx.post(
            f"{again.http}/api/auth/login",
            json={"login": "ex@firm.test", "password": EXHIBITOR_PASSWORD},
            timeout=30,
        )
        assert login.status_code == 200
    finally:
        again.stop()


def test_restore_refuses_a_non_empty_folder_unless_forced(
    served: tuple[ServerProcess, dict[str, object]], tmp_path: Path
) -> None:
    server, _ = served
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    archive = str(server.tmp / "expo.tar.gz")
    refused = run_metaexpo("restore", "--data-dir", str(target), archive)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert (target / "keep.txt").read_text() == "mine"
    forced = run_metaexpo("restore", "--data-dir", str(target), "--force", archive)
    assert forced.returncode == 0, forced.stderr
    assert not (target / "keep.txt").exists()
    assert (target / "metaexpo.sqlite3").is_file()
    assert not list(tmp_path.glob(".busy.*")), "staging or replaced folders were left behind"


def test_a_damaged_backup_is_refused_and_nothing_is_written(
    served: tuple[ServerProcess, dict[str, object]], tmp_path: Path
) -> None:
    server, _ = served
    source = server.tmp / "expo.tar.gz"
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(source) as original, tarfile.open(damaged, "w") as out:
        for member in original:
            data = original.extractfile(member)
            content = data.read() if data is not None else b""
            if member.name.startswith("assets/objects/"):
                content = b"x" + content[1:]
            out.addfile(member, io.BytesIO(content))
    target = tmp_path / "fresh"
    result = run_metaexpo("restore", "--data-dir", str(target), str(damaged))
    assert result.returncode == 2
    assert "damaged" in result.stderr
    assert not target.exists()


def test_a_backup_with_a_path_escaping_entry_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as out:
        manifest = b'{"format": 1, "files": {"metaexpo.sqlite3": {"sha256": "0", "bytes": 1}}}'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        out.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        out.addfile(info, io.BytesIO(b"x"))
    result = run_metaexpo("restore", "--data-dir", str(tmp_path / "t"), str(evil))
    assert result.returncode == 2
    assert "unexpected entry" in result.stderr
    assert not (tmp_path / "escape.txt").exists()
