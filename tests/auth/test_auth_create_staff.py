"""``metaexpo create-staff``: the first staff account from the command line, and password resets."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from metaexpo.config import Settings
from metaexpo.http.app import create_app
from tests.databases import url_args
from tests.live import run_metaexpo


def create_staff(
    data_dir: Path, url: str | None, password: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return run_metaexpo(
        "create-staff",
        "--data-dir",
        str(data_dir),
        *url_args(url),
        "--login",
        "Boss@Expo.test",
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def test_the_first_staff_account_can_sign_in_to_the_console(
    tmp_path: Path, database_url: str | None
) -> None:
    made = create_staff(tmp_path, database_url, "first-password-1")
    assert made.returncode == 0, made.stderr
    assert "boss@expo.test created" in made.stdout
    with TestClient(
        create_app(Settings(data_dir=tmp_path, model_workers=0, database_url=database_url))
    ) as client:
        response = client.post(
            "/api/auth/login", json={"login": "boss@expo.test", "password": "first-password-1"}
        )
        assert response.status_code == 200 and response.json()["user"]["role"] == "staff"
        audit = client.get(
            "/api/staff/audit", headers={"Authorization": f"Bearer {response.json()['token']}"}
        ).json()
        assert audit[-1]["action"] == "staff_created" and audit[-1]["actor"] == "command line"


def test_a_taken_login_or_a_weak_password_exits_2_with_the_reason(
    tmp_path: Path, database_url: str | None
) -> None:
    assert create_staff(tmp_path, database_url, "first-password-1").returncode == 0
    taken = create_staff(tmp_path, database_url, "other-password-2")
    assert taken.returncode == 2 and "already taken" in taken.stderr
    weak = create_staff(tmp_path / "other", database_url, "short")
    assert weak.returncode == 2 and "at least 10" in weak.stderr


def test_reset_password_replaces_the_old_one(tmp_path: Path, database_url: str | None) -> None:
    assert create_staff(tmp_path, database_url, "first-password-1").returncode == 0
    reset = create_staff(tmp_path, database_url, "second-password-2", "--reset-password")
    assert reset.returncode == 0, reset.stderr
    with TestClient(
        create_app(Settings(data_dir=tmp_path, model_workers=0, database_url=database_url))
    ) as client:
        old = {"login": "boss@expo.test", "password": "first-password-1"}
        new = {"login": "boss@expo.test", "password": "second-password-2"}
        assert client.post("/api/auth/login", json=old).status_code == 401
        assert client.post("/api/auth/login", json=new).status_code == 200
