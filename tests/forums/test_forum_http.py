"""The forums over HTTP: the public agenda and calendars, who may do what (audience, exhibitor,
speakers of another session), slides uploads, the speaker's link, and the console's pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient

from tests.backoffice import Expo, Headers, bearer, expo_app
from tests.forums.pdfs import deck, encrypted
from tests.portal.test_portal_pages import hidden, meta_csrf, sign_in

SESSION = "opening-keynote"


class World:
    """The app with staff, an exhibitor, a moderator and two speakers (of two sessions)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        expo = Expo(client)
        self.staff = expo.staff()
        self.exhibitor = expo.exhibitor(self.staff, "exh@expo.test", [])
        self.moderator = expo.exhibitor(self.staff, "mod@expo.test", [])
        ok = client.put(
            f"/api/forums/sessions/{SESSION}/moderators/mod@expo.test", headers=self.staff
        )
        assert ok.status_code == 200, ok.text
        self.speaker = self.speaker_of(SESSION, "Lin")
        self.other_speaker = self.speaker_of("cloud-theatre", "He")

    def speaker_of(self, session: str, name: str) -> Headers:
        made = self.client.post(
            f"/api/forums/sessions/{session}/speakers",
            json={"display_name": name},
            headers=self.staff,
        )
        assert made.status_code == 201, made.text
        secret = made.json()["url"].rsplit("/", 1)[1]
        accepted = self.client.post(f"/api/forums/speakers/{secret}/accept")
        assert accepted.status_code == 200, accepted.text
        return bearer(accepted.json()["token"])

    def act(self, who: Headers, message: dict[str, Any], session: str = SESSION) -> Any:
        return self.client.post(f"/api/forums/sessions/{session}/live", json=message, headers=who)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with expo_app(tmp_path_factory.mktemp("forums")) as client:
        yield World(client)


def test_the_public_agenda_lists_sessions_with_local_times_and_calendars(world: World) -> None:
    agenda = world.client.get("/api/forums").json()
    assert agenda["time_zone"] == "Asia/Shanghai"
    ids = [s["id"] for s in agenda["sessions"]]
    starts = [s["starts_at"] for s in agenda["sessions"]]
    assert SESSION in ids and starts == sorted(starts)
    keynote = next(s for s in agenda["sessions"] if s["id"] == SESSION)
    assert keynote["local"]["starts"].endswith("09:30+08:00") and keynote["starts_at"].endswith("Z")
    whole = icalendar.Calendar.from_ical(world.client.get("/api/forums/agenda.ics").text)
    assert len(whole.walk("VEVENT")) == len(ids)
    one = world.client.get(f"/api/forums/sessions/{SESSION}.ics?lang=zh")
    assert one.headers["content-type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(one.text).walk("VEVENT")
    assert str(event["SUMMARY"]) == keynote["title"]["zh"]
    documented = world.client.get("/openapi.json").json()["paths"]
    assert "/api/forums/sessions/{session_id}/live" in documented
    assert "/api/forums/sessions/{session_id}/slides" in documented


@pytest.mark.parametrize("who", ["nobody", "exhibitor", "moderator", "speaker"])
def test_only_staff_schedule_edit_delete_invite_and_name_moderators(world: World, who: str) -> None:
    headers: Headers = {} if who == "nobody" else getattr(world, who)
    expected = 401 if who == "nobody" else 403
    body = {
        "forum_hall": "qiantang-forum",
        "title": {"zh": "题", "en": "T"},
        "abstract": {"zh": "简", "en": "A"},
        "starts_at": "2030-01-01T09:00:00+08:00",
        "ends_at": "2030-01-01T10:00:00+08:00",
    }
    c = world.client
    assert c.post("/api/forums/sessions", json=body, headers=headers).status_code == expected
    assert (
        c.put(f"/api/forums/sessions/{SESSION}", json=body, headers=headers).status_code == expected
    )
    assert c.delete("/api/forums/sessions/closing-panel", headers=headers).status_code == expected
    invite = c.post(
        f"/api/forums/sessions/{SESSION}/speakers", json={"display_name": "X"}, headers=headers
    )
    assert invite.status_code == expected
    name = c.put(f"/api/forums/sessions/{SESSION}/moderators/exh@expo.test", headers=headers)
    assert name.status_code == expected


def test_staff_schedule_a_session_that_the_agenda_then_shows(world: World) -> None:
    body = {
        "id": "extra-talk",
        "forum_hall": "qiantang-forum",
        "title": {"zh": "加场", "en": "An extra talk"},
        "abstract": {"zh": "简介", "en": "Abstract"},
        "starts_at": "2030-01-01T09:00:00+08:00",
        "ends_at": "2030-01-01T10:00:00+08:00",
        "time_zone": "Asia/Shanghai",
    }
    made = world.client.post("/api/forums/sessions", json=body, headers=world.staff)
    assert made.status_code == 201, made.text
    assert made.json()["starts_at"] == "2030-01-01T01:00:00Z"
    bad = world.client.post(
        "/api/forums/sessions", json={**body, "id": "x2", "forum_hall": "nope"}, headers=world.staff
    )
    assert bad.status_code == 422 and "no forum hall 'nope'" in bad.text
    gone = world.client.delete("/api/forums/sessions/extra-talk", headers=world.staff)
    assert gone.status_code == 204
    ids = [s["id"] for s in world.client.get("/api/forums").json()["sessions"]]
    assert "extra-talk" not in ids


def test_audience_cannot_moderate_and_an_exhibitor_is_not_staff(world: World) -> None:
    for who in (world.exhibitor, world.speaker):
        refused = world.act(who, {"type": "forum.moderate", "question": 1, "action": "approve"})
        assert refused.status_code == 403, refused.text
        refused = world.act(who, {"type": "forum.session", "action": "live"})
        assert refused.status_code == 403
    assert (
        world.client.get(
            f"/api/forums/sessions/{SESSION}/live", headers=world.exhibitor
        ).status_code
        == 403
    )


def test_a_speaker_of_one_session_cannot_control_or_upload_to_another(world: World) -> None:
    roles = world.client.get(f"/api/forums/sessions/{SESSION}/roles", headers=world.other_speaker)
    assert roles.json()["roles"] == ["audience"]
    refused = world.act(world.other_speaker, {"type": "forum.slide", "to": "next"})
    assert refused.status_code == 403
    upload = world.client.post(
        f"/api/forums/sessions/{SESSION}/slides?filename=x.pdf",
        content=deck(1),
        headers=world.other_speaker,
    )
    assert upload.status_code == 403
    assert world.client.get("/api/staff/users", headers=world.speaker).status_code == 401


def test_a_speaker_uploads_slides_and_a_moderator_runs_the_session_to_its_replay(
    world: World,
) -> None:
    c = world.client
    upload = c.post(
        f"/api/forums/sessions/{SESSION}/slides?filename=talk.pdf",
        content=deck(3),
        headers=world.speaker,
    )
    assert upload.status_code == 201, upload.text
    pages = upload.json()["pages"]
    assert len(pages) == 3
    picture = c.get(pages[0]["url"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert "immutable" in picture.headers["cache-control"]
    refused = c.post(
        f"/api/forums/sessions/{SESSION}/slides?filename=locked.pdf",
        content=encrypted(),
        headers=world.speaker,
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["code"] == "pdf_encrypted"
    live = world.act(world.moderator, {"type": "forum.session", "action": "live"})
    assert live.status_code == 200, live.text
    assert live.json()["slide"]["page"] == 1
    turned = world.act(world.speaker, {"type": "forum.slide", "to": 3})
    assert turned.json()["slide"] == {**turned.json()["slide"], "page": 3, "count": 3}
    asked = world.act(world.exhibitor, {"type": "forum.question", "text": "Will it scale?"})
    assert asked.status_code == 200 and asked.json()["state"] == "pending"
    assert asked.json()["name"] == "exh"  # the display name, never the sign-in name
    qid = asked.json()["id"]
    for action in ("approve", "answered"):
        done = world.act(
            world.moderator, {"type": "forum.moderate", "question": qid, "action": action}
        )
        assert done.status_code == 200, done.text
    view = c.get(f"/api/forums/sessions/{SESSION}/live", headers=world.moderator).json()
    assert view["state"] == "live" and view["questions"][0]["answered"]
    ended = world.act(world.moderator, {"type": "forum.session", "action": "end"})
    assert ended.status_code == 200
    deadline = 100
    while c.get(f"/api/forums/sessions/{SESSION}").json()["state"] != "replay" and deadline:
        deadline -= 1
        world.client.get("/healthz")
    replay = c.get(f"/api/forums/sessions/{SESSION}/replay").json()
    assert replay["audio"] is None  # nobody spoke through the media path here
    assert [e["page"] for e in replay["timeline"]] == [1, 3]
    assert replay["questions"][0]["text"] == "Will it scale?"
    again = world.act(world.moderator, {"type": "forum.session", "action": "live"})
    assert again.status_code == 409


def test_the_speaker_link_is_spent_only_by_its_form(world: World) -> None:
    c = world.client
    made = c.post(
        "/api/forums/sessions/twin-cities/speakers",
        json={"display_name": "Wu"},
        headers=world.staff,
    ).json()
    path = made["url"].split("testserver", 1)[1]
    c.cookies.clear()
    page = c.get(path)
    assert page.status_code == 200 and "Wu" in page.text
    assert c.get(path).status_code == 200  # a link preview does not spend it
    used = c.post(path, data={"csrf": hidden(page.text, "csrf")}, follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"] == "/portal/speaker"
    assert c.cookies.get("metaexpo_speaker")
    mine = c.get("/portal/speaker")
    assert mine.status_code == 200 and "Wu" in mine.text
    token = c.get("/api/forums/speaker/token").json()
    assert token["session"] == "twin-cities"
    hall_pass = c.get("/api/auth/pass?as=speaker").json()
    assert (hall_pass["kind"], hall_pass["session"]) == ("speaker", "twin-cities")
    assert c.get("/api/auth/pass").json()["kind"] == "speaker", "no account: the speaker"
    upload = c.post(
        "/api/forums/sessions/twin-cities/slides?filename=a.pdf",
        content=deck(1),
        headers={"X-CSRF-Token": meta_csrf(mine.text)},
    )
    assert upload.status_code == 201, upload.text
    forged = c.post(
        "/api/forums/sessions/twin-cities/slides?filename=a.pdf",
        content=deck(1),
        headers={"X-CSRF-Token": "forged"},
    )
    assert forged.status_code == 403
    c.cookies.clear()
    assert c.get(path).status_code == 404  # used once


def test_the_console_schedules_runs_and_escapes_questions(world: World) -> None:
    c = world.client
    c.cookies.clear()
    sign_in(c, "staff@expo.test", "staff-password-1")
    listing = c.get("/staff/forums?lang=zh")
    assert listing.status_code == 200 and "论坛日程" in listing.text
    form = c.get("/staff/forums/new").text
    created = c.post(
        "/staff/forums/new",
        data={
            "csrf": hidden(form, "csrf"),
            "id": "console-talk",
            "forum_hall": "qiantang-forum",
            "title_zh": "控制台场次",
            "title_en": "Console talk",
            "abstract_zh": "简介",
            "abstract_en": "About",
            "date": "2031-05-01",
            "start": "14:00",
            "end": "15:00",
            "time_zone": "Asia/Shanghai",
            "speakers": "张三 | Zhang San | 主持 | Host",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    session = c.get("/api/forums/sessions/console-talk").json()
    assert session["starts_at"] == "2031-05-01T06:00:00Z"
    assert session["speakers"][0]["name"]["en"] == "Zhang San"
    edit = c.get("/staff/forums/console-talk").text
    invited = c.post(
        "/staff/forums/console-talk/speakers",
        data={"csrf": hidden(edit, "csrf"), "display_name": "Guest"},
    )
    assert re.search(r'value="http://testserver/portal/speak/[^"]+"', invited.text)
    world.act(
        world.exhibitor,
        {"type": "forum.question", "text": "<img src=x onerror=alert(1)>"},
        "console-talk",
    )
    run = c.get("/staff/forums/console-talk/run")
    assert "&lt;img src=x onerror=alert(1)&gt;" in run.text and "<img src=x" not in run.text
    went = c.post(
        "/staff/forums/console-talk/run",
        data={"csrf": hidden(run.text, "csrf"), "type": "forum.session", "action": "live"},
        follow_redirects=False,
    )
    assert went.status_code == 303
    assert c.get("/api/forums/sessions/console-talk").json()["state"] == "live"
    forged = c.post(
        "/staff/forums/console-talk/run",
        data={"csrf": "forged", "type": "forum.session", "action": "end"},
    )
    assert forged.status_code == 403
    c.cookies.clear()
    assert c.get("/staff/forums", follow_redirects=False).status_code == 303


def test_every_forum_action_is_in_the_audit_log(world: World) -> None:
    entries = world.client.get("/api/staff/audit?limit=1000", headers=world.staff).json()
    actions = {e["action"] for e in entries}
    assert {
        "forum_seeded",
        "forum_moderator_named",
        "forum_speaker_invited",
        "forum_speaker_signed_in",
        "forum_slides_added",
        "forum_slides_refused",
        "forum_live",
        "forum_slide",
        "forum_question_moderated",
        "forum_ended",
        "forum_replay",
    } <= actions
