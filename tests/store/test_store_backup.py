"""``metaexpo backup`` / ``restore``: a consistent copy of a live data folder and its database
(SQLite, or PostgreSQL through pg_dump), checked on the way back, never restored over a
non-empty folder or database unless forced."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from metaexpo.booths.consistency import check_consistency
from metaexpo.config import Settings
from metaexpo.store import open_database
from metaexpo.store.pgdump import libpq_connection
from metaexpo.store.schema import User
from tests.backoffice import DUCK, EXHIBITOR_PASSWORD, Expo, create_staff
from tests.conftest import ROOT, TIME_FACTOR
from tests.databases import migrate, url_args
from tests.live import ServerProcess, run_metaexpo
from tests.throwaway_postgres import ThrowawayPostgres

pytestmark = pytest.mark.integration


@dataclass
class Served:
    """A running server with one booth live (a custom model), and its backup taken meanwhile."""

    server: ServerProcess
    database_url: str | None
    payload: dict[str, object]

    @property
    def archive(self) -> Path:
        return self.server.tmp / "expo.tar.gz"


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("backup")
    create_staff(tmp / "data", database_url=module_database_url)
    server = ServerProcess(tmp, *url_args(module_database_url)).start()
    try:
        with httpx.Client(base_url=server.http, timeout=60) as client:
            expo = Expo(client)
            staff = expo.staff()
            who = expo.exhibitor(staff, "ex@firm.test", ["retail-01"])
            payload = expo.publish_model(staff, who, "retail-01", DUCK.read_bytes())
            args = ("--data-dir", str(tmp / "data"), *url_args(module_database_url))
            result = run_metaexpo("backup", *args, str(tmp / "expo.tar.gz"))
            assert result.returncode == 0, result.stderr
            yield Served(server, module_database_url, payload)
    finally:
        server.stop()


@pytest.fixture
def restore_into(
    database_kind: str, request: pytest.FixtureRequest
) -> Iterator[tuple[str | None, str | None]]:
    """Where a restore may go: (an empty database, one that has tables); None on SQLite."""
    if database_kind == "sqlite":
        yield None, None
        return
    postgres: ThrowawayPostgres = request.getfixturevalue("postgres")
    empty = postgres.create_database()
    used = postgres.create_database(template=postgres.make_template(migrate))
    yield empty, used
    postgres.drop_database(empty)
    postgres.drop_database(used)


def accounts_in(data_dir: Path, url: str | None) -> int:
    db = open_database(Settings(data_dir=data_dir, database_url=url), migrate=False)
    try:
        with db.reading() as session:
            return int(session.scalar(select(func.count()).select_from(User)) or 0)
    finally:
        db.close()


def test_a_backup_taken_while_serving_restores_into_a_working_expo(
    served: Served, restore_into: tuple[str | None, str | None], tmp_path: Path
) -> None:
    url, _ = restore_into
    target = tmp_path / "restored"
    restored = run_metaexpo(
        "restore", "--data-dir", str(target), *url_args(url), str(served.archive)
    )
    assert restored.returncode == 0, restored.stderr
    assert not (target / "metaexpo.pgdump").exists(), "the dump went into the database"
    db = open_database(Settings(data_dir=target, database_url=url))
    try:
        assert check_consistency(db, target, hash_files=True) == []
    finally:
        db.close()
    again = ServerProcess(tmp_path, "--data-dir", str(target), *url_args(url)).start()
    try:
        booth = httpx.get(f"{again.http}/api/booths/retail-01", timeout=10).json()
        assert booth == {k: v for k, v in served.payload.items() if k != "type"}
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


def test_restore_refuses_a_non_empty_folder_or_database_unless_forced(
    served: Served, restore_into: tuple[str | None, str | None], tmp_path: Path
) -> None:
    empty, used = restore_into
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    archive = str(served.archive)
    refused = run_metaexpo("restore", "--data-dir", str(target), *url_args(empty), archive)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert (target / "keep.txt").read_text() == "mine"
    if used is not None:  # PostgreSQL: a database that has tables is not replaced either
        fresh = tmp_path / "fresh"
        refused = run_metaexpo("restore", "--data-dir", str(fresh), *url_args(used), archive)
        assert refused.returncode == 2
        assert "is not empty" in refused.stderr and "audit_log" in refused.stderr
        assert "--force" in refused.stderr
        assert accounts_in(fresh, used) == 0 and not fresh.exists()
    forced = run_metaexpo("restore", "--data-dir", str(target), *url_args(used), "--force", archive)
    assert forced.returncode == 0, forced.stderr
    assert not (target / "keep.txt").exists()
    assert (target / "metaexpo.sqlite3").is_file() == (used is None)
    assert accounts_in(target, used) == 2
    assert not list(tmp_path.glob(".busy.*")), "staging or replaced folders were left behind"


def test_a_damaged_backup_is_refused_and_nothing_is_written(
    served: Served, restore_into: tuple[str | None, str | None], tmp_path: Path
) -> None:
    url, _ = restore_into
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(served.archive) as original, tarfile.open(damaged, "w") as out:
        for member in original:
            data = original.extractfile(member)
            content = data.read() if data is not None else b""
            if member.name.startswith("assets/objects/"):
                content = b"x" + content[1:]
            out.addfile(member, io.BytesIO(content))
    target = tmp_path / "fresh"
    result = run_metaexpo("restore", "--data-dir", str(target), *url_args(url), str(damaged))
    assert result.returncode == 2
    assert "damaged" in result.stderr
    assert not target.exists()
    if url is not None:
        db = open_database(Settings(data_dir=target, database_url=url), migrate=False)
        try:
            with db.engine.connect() as connection:
                assert not db.engine.dialect.has_table(connection, "users")
        finally:
            db.close()


def test_a_backup_restores_only_into_its_own_kind_of_database(
    served: Served, tmp_path: Path, postgres: ThrowawayPostgres
) -> None:
    target = str(tmp_path / "other")
    if served.database_url is None:  # SQLite's backup, offered a PostgreSQL database
        empty = postgres.create_database()
        result = run_metaexpo(
            "restore", "--data-dir", target, "--database-url", empty, str(served.archive)
        )
        postgres.drop_database(empty)
        assert "holds a SQLite database" in result.stderr and "drop --database-url" in result.stderr
    else:  # PostgreSQL's backup, offered the data folder
        result = run_metaexpo("restore", "--data-dir", target, str(served.archive))
        assert "holds a PostgreSQL database" in result.stderr and "--database-url" in result.stderr
    assert result.returncode == 2
    assert not Path(target).exists()


def test_a_postgresql_backup_without_pg_dump_says_what_to_install(
    tmp_path: Path, postgres: ThrowawayPostgres
) -> None:
    url = postgres.create_database(template=postgres.make_template(migrate))
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, no pg_dump
    args = ["backup", "--data-dir", str(tmp_path / "data"), "--database-url", url]
    result = subprocess.run(
        [sys.executable, "-m", "metaexpo", *args, str(tmp_path / "out.tar")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120 * TIME_FACTOR,
        check=False,
    )
    postgres.drop_database(url)
    assert result.returncode == 2
    assert "pg_dump is not installed" in result.stderr
    assert "postgresql-client" in result.stderr
    assert not (tmp_path / "out.tar").exists()


def test_pg_dump_gets_the_password_in_its_environment_never_in_its_arguments() -> None:
    url = make_url("postgresql+psycopg://expo:p%40ss@db.internal:5433/expo?sslmode=require")
    uri, env = libpq_connection(url)
    assert "p@ss" not in uri and "p%40ss" not in uri
    assert uri == "postgresql://expo@db.internal:5433/expo?sslmode=require"
    assert env["PGPASSWORD"] == "p@ss"


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
