"""The reach API: exhibitors see only their own booths' figures and cards, staff see all,
visitors none; cards export as CSV and JSON without withdrawn ones; staff erase a person."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from metaexpo.analytics.figures import AreaRow
from metaexpo.analytics.leads import Card
from metaexpo.analytics.service import Batch, MinuteRow
from metaexpo.store.schema import AuditEntry
from tests.backoffice import Expo, Headers, expo_app

MINE, THEIRS = "retail-01", "retail-02"


@pytest.fixture(scope="module")
def expo(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("reach") / "data"
    with expo_app(data, database_url=module_database_url) as client:
        wiring = client.app.state.reach  # type: ignore[attr-defined]
        minute = int(time.time() // 60)
        rows = [
            MinuteRow(minute, "booth", booth, "main", AreaRow(visits=n, dwell_s=10.0 * n))
            for booth, n in ((MINE, 3), (THEIRS, 5))
        ]
        wiring.store.write(Batch("test/1", minutes=rows))
        leads = wiring.leads
        leads.leave(MINE, 1, Card(name="王小明", email="wang@example.org"), "zh", "同意")
        leads.leave(THEIRS, 2, Card(name="Their Lead", email="lead@example.org"), "en", "I agree")
        yield client


@pytest.fixture(scope="module")
def people(expo: TestClient) -> dict[str, Headers]:
    api = Expo(expo)
    staff = api.staff()
    return {
        "staff": staff,
        "mine": api.exhibitor(staff, "a@firm.test", [MINE]),
        "theirs": api.exhibitor(staff, "b@firm.test", [THEIRS]),
    }


FIGURES = [
    "/api/reach/booths",
    f"/api/reach/booths/{MINE}",
    f"/api/reach/booths/{MINE}/cards",
    "/api/reach/overview",
    "/api/reach/export",
]


@pytest.mark.parametrize("path", FIGURES)
def test_a_visitor_reads_no_figures(expo: TestClient, path: str) -> None:
    assert expo.get(path).status_code == 401


def test_the_consent_text_names_the_exhibitor_in_both_languages(expo: TestClient) -> None:
    body = expo.get(f"/api/reach/consent/{MINE}").json()
    assert "钱塘镜界元宇宙商城" in body["zh"]["text"]
    assert "Qiantang Jingjie Metaverse Mall" in body["en"]["text"]
    assert (
        "contact me" in body["en"]["text"]
        and f"{body['retention_days']} days" in body["en"]["text"]
    )
    assert body["zh"]["version"] != body["en"]["version"]
    assert expo.get("/api/reach/consent/no-such-booth").status_code == 404


def test_an_exhibitor_reads_their_booth_and_not_anothers(
    expo: TestClient, people: dict[str, Headers]
) -> None:
    mine = people["mine"]
    listed = expo.get("/api/reach/booths", headers=mine).json()["booths"]
    assert [b["id"] for b in listed] == [MINE]
    assert listed[0]["visits"] == 3 and listed[0]["leads"] == 1
    figures = expo.get(f"/api/reach/booths/{MINE}", headers=mine)
    assert figures.status_code == 200
    assert figures.json()["totals"]["visits"] == 3
    assert figures.json()["heat"]["columns"] > 0
    for path in (f"/api/reach/booths/{THEIRS}", f"/api/reach/booths/{THEIRS}/cards"):
        refused = expo.get(path, headers=mine)
        assert refused.status_code == 403, path
        assert "Their Lead" not in refused.text
    for path in ("/api/reach/overview", "/api/reach/export"):
        assert expo.get(path, headers=mine).status_code == 403
    assert expo.post("/api/reach/erase", json={"email": "x@y.cn"}, headers=mine).status_code == 403
    assert expo.get("/api/reach/booths/no-such-booth", headers=mine).status_code == 404


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_an_exhibitor_exports_their_cards_as_json_and_csv(
    expo: TestClient, people: dict[str, Headers]
) -> None:
    cards = expo.get(f"/api/reach/booths/{MINE}/cards", headers=people["mine"]).json()["cards"]
    assert [c["name"] for c in cards] == ["王小明"]
    answer = expo.get(f"/api/reach/booths/{MINE}/cards?format=csv", headers=people["mine"])
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert [row["name"] for row in read_csv(answer.text)] == ["王小明"]


def test_a_withdrawn_card_is_gone_from_the_exhibitors_exports(
    expo: TestClient, people: dict[str, Headers]
) -> None:
    leads = expo.app.state.reach.leads  # type: ignore[attr-defined]
    key = leads.leave(MINE, 3, Card(name="Withdrawn Soon", phone="+86 571 0000"), "en", "I agree")
    path = f"/api/reach/booths/{MINE}/cards"
    assert "Withdrawn Soon" in expo.get(path, headers=people["mine"]).text
    assert expo.post("/api/reach/cards/withdraw", json={"key": key}).json() == {"booth": MINE}
    assert expo.post("/api/reach/cards/withdraw", json={"key": key}).json() == {"booth": None}
    assert "Withdrawn Soon" not in expo.get(path, headers=people["mine"]).text
    assert "Withdrawn Soon" not in expo.get(f"{path}?format=csv", headers=people["mine"]).text


def test_staff_read_everything_and_erase_a_persons_cards(
    expo: TestClient, people: dict[str, Headers]
) -> None:
    staff = people["staff"]
    listed = expo.get("/api/reach/booths", headers=staff).json()["booths"]
    assert {MINE, THEIRS} <= {b["id"] for b in listed}
    assert expo.get(f"/api/reach/booths/{THEIRS}/cards", headers=staff).status_code == 200
    overview: dict[str, Any] = expo.get("/api/reach/overview", headers=staff).json()
    assert overview["top_booths"][0]["id"] == THEIRS
    assert "main" in overview["live"]["halls"]
    exported = expo.get("/api/reach/export", headers=staff).json()
    assert exported["booths"][THEIRS]["visits"] == 5
    assert read_csv(expo.get("/api/reach/export?format=csv", headers=staff).text)
    erased = expo.post("/api/reach/erase", json={"email": "LEAD@example.org"}, headers=staff)
    assert erased.json() == {"deleted": 1}
    assert expo.get(f"/api/reach/booths/{THEIRS}/cards", headers=staff).json()["cards"] == []
    assert expo.post("/api/reach/erase", json={}, headers=staff).status_code == 422
    db = expo.app.state.office.db  # type: ignore[attr-defined]
    with db.reading() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "cards_erased" in actions


def test_a_booths_series_is_timed_in_the_expos_time_zone(
    expo: TestClient, people: dict[str, Headers]
) -> None:
    body = expo.get(f"/api/reach/booths/{MINE}", headers=people["mine"]).json()
    zone = expo.app.state.reach.catalog.time_zone  # type: ignore[attr-defined]
    offset = datetime.now(ZoneInfo(zone)).strftime("%z")
    assert body["series"]["t"], "no series"
    assert all(t.endswith(f"{offset[:3]}:{offset[3:]}") for t in body["series"]["t"])
