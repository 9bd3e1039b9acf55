"""Sign-in attempts are rate-limited per account and per address, before the password is checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app


@pytest.fixture
def client(
    tmp_path_factory: pytest.TempPathFactory, database_url: str | None
) -> Iterator[TestClient]:
    with expo_app(
        tmp_path_factory.mktemp("limits"),
        database_url=database_url,
        login_attempts_per_account=3,
        login_attempts_per_address=5,
        login_window_s=600,
    ) as client:
        yield client


def attempt(client: TestClient, login: str, password: str) -> int:
    return client.post("/api/auth/login", json={"login": login, "password": password}).status_code


def test_after_too_many_failures_even_the_right_password_waits(client: TestClient) -> None:
    assert [attempt(client, STAFF_LOGIN, "wrong password") for _ in range(3)] == [401] * 3
    response = client.post(
        "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 600
    assert "wait" in response.json()["detail"]


def test_a_right_password_does_not_count_as_an_attempt(client: TestClient) -> None:
    assert [attempt(client, STAFF_LOGIN, "wrong password") for _ in range(2)] == [401] * 2
    assert [attempt(client, STAFF_LOGIN, STAFF_PASSWORD) for _ in range(4)] == [200] * 4
    client.cookies.clear()  # forget the device cookie: a stranger at the same address
    assert attempt(client, STAFF_LOGIN, "wrong password") == 401, "the third failure"
    assert attempt(client, STAFF_LOGIN, STAFF_PASSWORD) == 429


def test_a_browser_that_signed_in_before_may_try_past_the_account_limit(
    client: TestClient,
) -> None:
    assert attempt(client, STAFF_LOGIN, STAFF_PASSWORD) == 200
    device = client.cookies["metaexpo_device"]
    client.cookies.clear()
    assert [attempt(client, STAFF_LOGIN, "wrong password") for _ in range(3)] == [401] * 3
    assert attempt(client, STAFF_LOGIN, STAFF_PASSWORD) == 429
    client.cookies.set("metaexpo_device", device)
    assert attempt(client, STAFF_LOGIN, STAFF_PASSWORD) == 200


def test_one_address_guessing_many_accounts_is_stopped(client: TestClient) -> None:
    codes = [attempt(client, f"user{i}@x.test", "wrong password") for i in range(6)]
    assert codes == [401] * 5 + [429]


def test_the_portal_form_is_limited_too_and_says_so(client: TestClient) -> None:
    for _ in range(3):
        attempt(client, STAFF_LOGIN, "wrong password")
    page = client.get("/portal/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/portal/login", data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf": token}
    )
    assert response.status_code == 429
    assert "too many failed sign-ins" in response.text
    assert "metaexpo_session" not in response.cookies


def test_a_wrong_name_and_a_wrong_password_read_the_same(client: TestClient) -> None:
    unknown = client.post("/api/auth/login", json={"login": "nobody@x.test", "password": "x" * 12})
    wrong = client.post("/api/auth/login", json={"login": STAFF_LOGIN, "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert Expo(client).staff()
