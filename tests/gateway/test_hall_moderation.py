"""Moderation in the hall on one node: badges, reserved names, reports, mute, kick, ban, delete,
slow mode, each checked against the role and written to the audit log (a real SQLite database,
the in-process ledger, sessions on in-memory links)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.gateway.moderation import HallModeration
from metaexpo.gateway.session import Session, SessionState
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.frames import PROTOCOL_VERSION
from metaexpo.store import Database, open_database
from metaexpo.store.audit import recent
from metaexpo.store.reports import list_reports
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.sync.tick import run_tick
from metaexpo.trust.ledger import LocalTrustLedger, TrustEntry, wire_key
from tests.sync.links import RecordingLink
from tests.waiting import eventually

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))
#: When the module was loaded: issue times of tokens are before it; entries expire from the
#: moment they are written (a long run must not see them expired already).
NOW = time.time()
STAFF = Identity("staff", "u-staff", name="Ada Staff", token_id="t1", issued=NOW, badge="staff")


class Hall:
    """One node's hall with moderation, a database and tokens that stand for identities."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ledger = LocalTrustLedger()
        self.hub = SyncHub(Settings(), [SPEC], LocalBus(), frozenset({"celadon"}))
        self.tokens: dict[str, Identity] = {"staff": STAFF}
        self.hub.identify = self.tokens.get
        self.desk = HallModeration(self.hub, self.ledger, db)
        self.desk.refresh_staff_names(["Ada Staff"])
        self.hub.moderation = self.desk

    @property
    def room(self) -> Room:
        return self.hub.rooms["main"]

    def guest(self, subject: str) -> str:
        self.tokens[subject] = Identity("visitor", subject, token_id=f"tok-{subject}", issued=NOW)
        return subject

    def join(self, token: str | None, name: str = "visitor") -> Visitor:
        link = RecordingLink()
        session = Session(self.hub, link)
        msg: dict[str, Any] = {
            "type": "join", "v": PROTOCOL_VERSION, "room": "main",
            "name": name, "avatar": "celadon",
            "kind": "desktop",
        }  # fmt: skip
        if token is not None:
            msg["token"] = token
        session.on_text(orjson.dumps(msg))
        return Visitor(self, session, link)

    def tick(self) -> None:
        run_tick(self.room, self.room.clock())


class Visitor:
    def __init__(self, hall: Hall, session: Session, link: RecordingLink) -> None:
        self.hall, self.session, self.link = hall, session, link

    @property
    def id(self) -> int:
        return self.hall.room.state.wire_id(self.session.row)

    def send(self, **msg: Any) -> None:
        self.session.on_text(orjson.dumps(msg))

    def say(self, text: str) -> None:
        self.send(type="chat", text=text)

    def messages(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.link.text if m.get("type") == kind]

    def errors(self) -> list[str]:
        return [str(m["code"]) for m in self.messages("error")]


@pytest.fixture
def hall(tmp_path: Path, database_url: str | None) -> Iterator[Hall]:
    db = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    yield Hall(db)
    db.close()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    await eventually(condition, what="the awaited state", timeout=timeout)


def audit_actions(db: Database) -> list[str]:
    with db.reading() as session:
        return [e.action for e in recent(session)]


# --- identity and names ----------------------------------------------------------------------


def test_staff_join_with_their_name_and_a_badge_that_others_see(hall: Hall) -> None:
    visitor = hall.join(None, "Bo")
    staff = hall.join("staff", "anything")
    welcome = staff.messages("welcome")[0]
    assert welcome["you"] == {"name": "Ada Staff", "badge": "staff", "moderator": True}
    visitor.send(type="who", ids=[staff.id])
    entry = visitor.messages("roster")[-1]["join"][0]
    assert (entry["name"], entry["badge"]) == ("Ada Staff", "staff")
    staff.say("welcome to the expo")
    hall.tick()
    line = visitor.messages("chat")[-1]["messages"][0]
    assert (line["name"], line["badge"], line["text"]) == (
        "Ada Staff",
        "staff",
        "welcome to the expo",
    )
    assert line["id"], "chat lines carry an id"


def test_a_reserved_name_is_refused_with_a_clear_message(hall: Hall) -> None:
    for name in ("Expo Staff", "展会工作人员", "ada staff", "Ехро Ѕtаff"):
        refused = hall.join(None, name)
        assert refused.link.closed is not None and refused.link.closed[0] == CloseCode.BAD_JOIN
        error = refused.messages("error")[-1]
        assert error["code"] == "reserved_name", name
        assert "reserved" in error["message"] and "choose another name" in error["message"]
    assert hall.join(None, "Staffan").session.state is SessionState.JOINED


# --- who may moderate ------------------------------------------------------------------------


def test_a_visitor_cannot_moderate(hall: Hall) -> None:
    a, b = hall.join(None, "A"), hall.join(None, "B")
    a.send(type="mod.kick", target=b.id, reason="no")
    assert a.errors() == ["forbidden"]
    assert b.link.closed is None


async def test_staff_cannot_be_muted_kicked_or_banned(hall: Hall) -> None:
    staff, other = hall.join("staff"), hall.join("staff")
    staff.send(type="mod.ban", target=other.id, reason="oops")
    await until(lambda: bool(staff.errors()))
    assert staff.errors() == ["forbidden"]
    assert other.link.closed is None


# --- mute, kick, ban -------------------------------------------------------------------------


async def test_mute_stops_chat_and_voice_and_follows_the_visitor_back(hall: Hall) -> None:
    staff, loud = hall.join("staff"), hall.join(hall.guest("guest-loud"), "Loud")
    staff.send(type="mod.mute", target=loud.id, minutes=5, reason="shouting")
    await until(lambda: bool(staff.messages("mod.done")))
    assert loud.messages("mod.notice")[-1]["action"] == "mute"
    assert bool(hall.room.clients.voice_muted[loud.session.row])
    loud.say("LOUD")
    assert loud.errors()[-1] == "muted"
    assert "shouting" in loud.messages("error")[-1]["message"]
    # Reconnecting does not shed the mute: it was written under the guest token's subject.
    loud.session.close(1000, "bye", clean=True)
    again = hall.join("guest-loud", "Loud")
    again.say("still here")
    assert again.errors()[-1] == "muted"
    assert bool(hall.room.clients.voice_muted[again.session.row])
    staff.send(type="mod.unmute", target=again.id)
    await until(lambda: not hall.room.clients.voice_muted[again.session.row])
    again.say("sorry")
    assert again.errors() == ["muted"]
    assert "mod_mute" in audit_actions(hall.db) and "mod_unmute" in audit_actions(hall.db)


async def test_kick_closes_with_the_reason_and_a_quick_rejoin_is_refused(hall: Hall) -> None:
    staff, rude = hall.join("staff"), hall.join(hall.guest("guest-rude"), "Rude")
    staff.send(type="mod.kick", target=rude.id, reason="insults")
    await until(lambda: rude.link.closed is not None)
    assert rude.link.closed is not None and rude.link.closed[0] == CloseCode.KICKED
    assert rude.errors() == ["kicked"] and "insults" in rude.messages("error")[-1]["message"]
    back = hall.join("guest-rude", "Rude")
    assert back.link.closed is not None and back.link.closed[0] == CloseCode.KICKED
    assert "mod_kick" in audit_actions(hall.db)


async def test_ban_closes_and_refuses_the_guest_token(hall: Hall) -> None:
    staff, spammer = hall.join("staff"), hall.join(hall.guest("guest-spam"), "Spam")
    staff.send(type="mod.ban", target=spammer.id, hours=2, reason="spam links")
    await until(lambda: spammer.link.closed is not None)
    assert spammer.link.closed is not None and spammer.link.closed[0] == CloseCode.BANNED
    assert "spam links" in spammer.messages("error")[-1]["message"]
    back = hall.join("guest-spam", "Spam")
    assert back.link.closed is not None and back.link.closed[0] == CloseCode.BANNED
    assert staff.messages("mod.done")[-1] == {
        "type": "mod.done", "action": "ban", "target": spammer.id, "name": "Spam"
    }  # fmt: skip


async def test_a_ban_under_an_avatar_id_follows_the_person(hall: Hall) -> None:
    # What another node writes when it does not know the visitor's token subject.
    spammer = hall.join(hall.guest("guest-far"), "Far")
    entry = TrustEntry("ban", wire_key("main", spammer.id), time.time() + 600, "spam", "staff x")
    await hall.ledger.put(entry)
    assert spammer.link.closed is not None and spammer.link.closed[0] == CloseCode.BANNED
    await until(lambda: hall.ledger.get("ban", "guest-far") is not None)


async def test_a_mute_under_an_avatar_id_is_lifted_with_its_copy(hall: Hall) -> None:
    # What a node that does not hold the visitor writes and lifts (it knows only the avatar id).
    loud = hall.join(hall.guest("guest-far"), "Far")
    key = wire_key("main", loud.id)
    await hall.ledger.put(TrustEntry("mute", key, time.time() + 600, "loud", "staff x"))
    await until(lambda: hall.ledger.get("mute", "guest-far") is not None)
    await hall.ledger.lift("mute", key)
    await until(lambda: hall.ledger.get("mute", "guest-far") is None)
    loud.say("hello again")
    assert "muted" not in loud.errors()
    assert not hall.room.clients.voice_muted[loud.session.row]


# --- chat ------------------------------------------------------------------------------------


async def test_deleted_lines_vanish_from_every_client(hall: Hall) -> None:
    staff, writer, reader = hall.join("staff"), hall.join(None, "W"), hall.join(None, "R")
    writer.say("buy cheap stuff at example.com")
    hall.tick()
    line = reader.messages("chat")[-1]["messages"][0]
    staff.send(type="mod.delete", ids=[line["id"]])
    await until(lambda: bool(reader.messages("chat_delete")))
    assert reader.messages("chat_delete")[-1] == {"type": "chat_delete", "ids": [line["id"]]}
    assert writer.messages("chat_delete"), "the writer's own client too"
    assert all(x["id"] != line["id"] for x in hall.desk.recent_chat("main"))
    assert "mod_delete" in audit_actions(hall.db)


async def test_slow_mode_spaces_each_visitor_s_lines(hall: Hall) -> None:
    staff, chatty = hall.join("staff"), hall.join(None, "Chatty")
    staff.send(type="mod.slow", seconds=30)
    await until(lambda: bool(chatty.messages("mod.notice")))
    assert chatty.messages("mod.notice")[-1] == {
        "type": "mod.notice",
        "action": "slow",
        "seconds": 30,
    }
    chatty.say("one")
    chatty.say("two")
    assert chatty.errors() == ["slow_mode"]
    assert "30 s" in chatty.messages("error")[-1]["message"]
    late = hall.join(None, "Late")
    assert late.messages("mod.notice")[-1]["seconds"] == 30, "a late joiner is told too"
    staff.send(type="mod.slow", seconds=0)
    await until(lambda: chatty.messages("mod.notice")[-1]["seconds"] == 0)
    assert hall.desk.chat_gap_s("main") == 0


def test_another_source_of_slow_mode_applies_too(hall: Hall) -> None:
    hall.desk.slow_mode_sources.append(lambda room: 20.0 if room == "main" else 0.0)
    chatty = hall.join(None, "Chatty")
    chatty.say("one")
    chatty.say("two")
    assert chatty.errors() == ["slow_mode"]


# --- reports ---------------------------------------------------------------------------------


async def test_a_report_of_a_line_is_stored_for_the_staff(hall: Hall) -> None:
    reporter, troll = hall.join(hall.guest("guest-rep"), "Reporter"), hall.join(None, "Troll")
    troll.say("something nasty")
    hall.tick()
    line = reporter.messages("chat")[-1]["messages"][0]
    reporter.send(type="report", target=troll.id, line=line["id"], reason="insulting")
    await until(lambda: bool(reporter.messages("mod.done")))
    with hall.db.reading() as session:
        (report,) = list_reports(session)
    assert (report.reporter, report.target_name, report.line_text, report.reason) == (
        "Reporter",
        "Troll",
        "something nasty",
        "insulting",
    )
    assert "report_filed" in audit_actions(hall.db)


async def test_reports_are_rate_limited(hall: Hall) -> None:
    reporter, other = hall.join(None, "R"), hall.join(None, "O")
    for _ in range(6):
        reporter.send(type="report", target=other.id, reason="annoying")
    await until(lambda: "rate_limited" in reporter.errors())
    await until(lambda: len(reporter.messages("mod.done")) == 5)
