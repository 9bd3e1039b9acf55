"""Moderation against a real server: badges, reserved names, reports the console shows, mute,
kick, delete and slow mode, from inside the hall and from the console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from metaexpo.protocol.frames import PROTOCOL_VERSION
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, bearer, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration


class Expo:
    """A server with the test staff account, signed in by bearer token and by portal cookie."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.api = httpx.Client(base_url=server.http, timeout=60 * TIME_FACTOR)
        answer = self.api.post(
            "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        self.token: str = answer.json()["token"]
        self.staff = bearer(self.token)
        self.portal = httpx.Client(base_url=server.http, timeout=60 * TIME_FACTOR)
        form = self.portal.get("/portal/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        signed_in = self.portal.post(
            "/portal/login",
            data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf": csrf.group(1)},
        )
        assert signed_in.status_code == 303, signed_in.text

    def guest(self) -> str:
        token: str = self.api.post("/api/auth/guest").json()["token"]
        return token

    def hall_token(self) -> str:
        """What the web client gets for a page signed in to the portal (cookie)."""
        answer = self.portal.get("/api/auth/token")
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["token"]
        return token

    def console(self) -> str:
        page = self.portal.get("/staff/moderation")
        assert page.status_code == 200, page.text[:300]
        return page.text

    def act(self, **body: Any) -> dict[str, Any]:
        answer = self.api.post("/api/staff/moderation/actions", json=body, headers=self.staff)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def close(self) -> None:
        self.api.close()
        self.portal.close()


@pytest.fixture(scope="module")
def expo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Expo]:
    tmp = tmp_path_factory.mktemp("moderation")
    create_staff(tmp / "data")
    server = ServerProcess(tmp).start()
    expo = Expo(server)
    yield expo
    expo.close()
    server.stop()


async def visitor(expo: Expo, name: str, token: str | None = None) -> Client:
    client = await Client.connect(expo.server.ws)
    fields = {"token": token} if token is not None else {}
    await client.join(name, **fields)
    return client


async def test_staff_enter_with_their_name_and_a_badge_others_see(expo: Expo) -> None:
    guest = await visitor(expo, "Guest")
    staff = await visitor(expo, "typed in the lobby", expo.hall_token())
    assert staff.welcome["you"] == {"name": "Test Staff", "badge": "staff", "moderator": True}
    await guest.send_json({"type": "who", "ids": [staff.welcome["id"]]})
    roster = await guest.expect("roster")
    assert roster["join"][0]["name"] == "Test Staff"
    assert roster["join"][0]["badge"] == "staff"
    await staff.send_json({"type": "chat", "text": "欢迎 welcome"})
    line = (await guest.expect("chat"))["messages"][0]
    assert (line["name"], line["badge"]) == ("Test Staff", "staff")
    await guest.close()
    await staff.close()


async def test_a_reserved_name_is_refused_with_a_clear_message(expo: Expo) -> None:
    for name in ("Expo Staff", "展会工作人员", "test staff"):
        client = await Client.connect(expo.server.ws)
        await client.send_json(
            {"type": "join", "v": PROTOCOL_VERSION, "room": "main",
             "name": name, "avatar": "celadon",
             "kind": "desktop"}
        )  # fmt: skip
        code, reason = await client.closed()
        assert code == 4000, (name, code, reason)
        error = next(m for m in client.messages if m.get("type") == "error")
        assert error["code"] == "reserved_name"
        assert "reserved" in error["message"] and "choose another name" in error["message"]


async def test_a_report_reaches_the_staff_console(expo: Expo) -> None:
    reporter = await visitor(expo, "Careful Cat", expo.guest())
    troll = await visitor(expo, "Troll Toad")
    await troll.send_json({"type": "chat", "text": "you are all idiots"})
    line = (await reporter.expect("chat"))["messages"][0]
    await reporter.send_json(
        {"type": "report", "target": troll.welcome["id"], "line": line["id"], "reason": "insults"}
    )
    done = await reporter.expect("mod.done")
    assert done["action"] == "report"
    page = expo.console()
    assert "Troll Toad" in page and "you are all idiots" in page and "insults" in page
    listed = expo.api.get("/api/staff/reports", headers=expo.staff).json()
    report = next(r for r in listed if r["id"] == done["id"])
    assert report["reporter"] == "Careful Cat" and report["line"]["text"] == "you are all idiots"
    closed = expo.api.post(
        f"/api/staff/reports/{done['id']}/close", json={"outcome": "warned"}, headers=expo.staff
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    await reporter.close()
    await troll.close()


async def test_mute_from_the_console_stops_chat_until_unmuted(expo: Expo) -> None:
    loud = await visitor(expo, "Loud Lark", expo.guest())
    listener = await visitor(expo, "Listener")
    expo.act(action="mute", target=loud.welcome["id"], minutes=5, reason="too loud")
    notice = await loud.expect("mod.notice")
    assert notice["action"] == "mute" and notice["reason"] == "too loud"
    await loud.send_json({"type": "chat", "text": "CAN YOU HEAR ME"})
    error = await loud.expect("error")
    assert error["code"] == "muted" and "too loud" in error["message"]
    assert "Loud Lark" in expo.console()
    expo.act(action="unmute", target=loud.welcome["id"])
    assert (await loud.expect("mod.notice"))["action"] == "unmute"
    await loud.send_json({"type": "chat", "text": "sorry"})
    heard = await listener.expect("chat")
    assert heard["messages"][0]["text"] == "sorry"
    await loud.close()
    await listener.close()


async def test_a_moderator_in_the_hall_kicks_with_a_reason_the_visitor_sees(expo: Expo) -> None:
    staff = await visitor(expo, "me", expo.hall_token())
    rude = await visitor(expo, "Rude Rabbit", expo.guest())
    await staff.send_json({"type": "mod.kick", "target": rude.welcome["id"], "reason": "spam"})
    code, reason = await rude.closed()
    assert code == 4010 and "spam" in reason, reason
    assert (await staff.expect("mod.done"))["action"] == "kick"
    await staff.close()


async def test_a_visitor_cannot_use_moderator_messages(expo: Expo) -> None:
    a, b = await visitor(expo, "Alpha"), await visitor(expo, "Beta")
    await a.send_json({"type": "mod.ban", "target": b.welcome["id"], "reason": "mine"})
    error = await a.expect("error")
    assert error["code"] == "forbidden"
    await b.send_json({"type": "ping", "t": 1})
    await b.expect("pong")  # still here
    await a.close()
    await b.close()


async def test_deleted_lines_vanish_and_slow_mode_spaces_lines(expo: Expo) -> None:
    writer, reader = await visitor(expo, "Writer"), await visitor(expo, "Reader")
    await writer.send_json({"type": "chat", "text": "cheap watches at example.com"})
    line = (await reader.expect("chat"))["messages"][0]
    assert line["id"] in expo.console()
    deleted = expo.api.post(
        "/api/staff/moderation/delete", json={"room": "main", "ids": [line["id"]]},
        headers=expo.staff,
    )  # fmt: skip
    assert deleted.status_code == 204
    assert (await reader.expect("chat_delete"))["ids"] == [line["id"]]
    assert (await writer.expect("chat_delete"))["ids"] == [line["id"]]
    assert line["id"] not in expo.console()
    slow = expo.api.post(
        "/api/staff/moderation/slow", json={"room": "main", "seconds": 60}, headers=expo.staff
    )
    assert slow.status_code == 204
    assert (await writer.expect("mod.notice"))["seconds"] == 60
    await writer.send_json({"type": "chat", "text": "one"})
    await writer.send_json({"type": "chat", "text": "two"})
    assert (await writer.expect("error"))["code"] == "slow_mode"
    expo.api.post(
        "/api/staff/moderation/slow", json={"room": "main", "seconds": 0}, headers=expo.staff
    )
    await writer.close()
    await reader.close()


async def test_the_console_forms_moderate_too(expo: Expo) -> None:
    pest = await visitor(expo, "Pesky Pigeon", expo.guest())
    await pest.send_json({"type": "chat", "text": "spam spam spam"})
    line = (await pest.expect("chat"))["messages"][0]
    page = expo.console()
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert csrf is not None and "Pesky Pigeon" in page
    deleted = expo.portal.post(
        "/staff/moderation/delete", data={"csrf": csrf.group(1), "room": "main", "id": line["id"]}
    )
    assert deleted.status_code == 303 and "done=moderated" in deleted.headers["location"]
    assert (await pest.expect("chat_delete"))["ids"] == [line["id"]]
    banned = expo.portal.post(
        "/staff/moderation/act",
        data={"csrf": csrf.group(1), "room": "main", "target": str(pest.welcome["id"]),
              "action": "ban", "hours": "1", "reason": "spam"},
    )  # fmt: skip
    assert banned.status_code == 303, banned.text[:300]
    code, reason = await pest.closed()
    assert code == 4011 and "spam" in reason
    page = expo.console()
    assert "guest-" in page, "the ban is listed with its guest id"
    forged = expo.portal.post(
        "/staff/moderation/slow", data={"csrf": "wrong", "room": "main", "seconds": "30"}
    )
    assert forged.status_code == 403


async def test_every_action_is_in_the_audit_log(expo: Expo) -> None:
    entries = expo.api.get("/api/staff/audit", headers=expo.staff).json()
    actions = {e["action"] for e in entries}
    assert {"mod_mute", "mod_unmute", "mod_kick", "mod_ban", "mod_delete", "mod_slow"} <= actions
    assert {"report_filed", "report_closed"} <= actions


def test_the_console_page_is_for_staff_only(expo: Expo, tmp_path: Path) -> None:
    stranger = httpx.get(f"{expo.server.http}/staff/moderation", follow_redirects=False)
    assert stranger.status_code == 303
    api = httpx.get(f"{expo.server.http}/api/staff/moderation", headers=bearer(expo.guest()))
    assert api.status_code == 401


async def test_a_speaker_enters_with_a_badge_and_revoking_them_closes_the_hall_connection(
    expo: Expo,
) -> None:
    made = expo.api.post(
        "/api/forums/sessions/opening-keynote/speakers",
        json={"display_name": "Lin Xiaolan"},
        headers=expo.staff,
    )
    assert made.status_code == 201, made.text
    secret = made.json()["url"].rsplit("/", 1)[1]
    accepted = expo.api.post(f"/api/forums/speakers/{secret}/accept")
    assert accepted.status_code == 200, accepted.text
    token = accepted.json()["token"]
    guest = await visitor(expo, "Guest")
    speaker = await visitor(expo, "typed in the lobby", token)
    assert speaker.welcome["you"]["name"] == "Lin Xiaolan"
    assert speaker.welcome["you"]["badge"] == "speaker"
    await guest.send_json({"type": "who", "ids": [speaker.welcome["id"]]})
    entry = (await guest.expect("roster"))["join"][0]
    assert (entry["name"], entry["badge"]) == ("Lin Xiaolan", "speaker")

    speaker_id = made.json()["speaker"]["id"]
    revoked = expo.api.delete(
        f"/api/forums/sessions/opening-keynote/speakers/{speaker_id}", headers=expo.staff
    )
    assert revoked.status_code == 204, revoked.text
    code, reason = await speaker.closed()
    assert code == 4003 and "withdrawn" in reason, (code, reason)
    again = await Client.connect(expo.server.ws)
    await again.send_json(
        {"type": "join", "v": PROTOCOL_VERSION, "room": "main",
             "name": "Lin", "avatar": "celadon",
         "kind": "desktop", "token": token}
    )  # fmt: skip
    code, reason = await again.closed()
    assert code == 4003, (code, reason)
    await guest.close()
