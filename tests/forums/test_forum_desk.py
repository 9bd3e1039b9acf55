"""The forum desk on two nodes sharing one database and a bus: roles checked on the node that
receives a message, every change applied on both, late joiners and lost bus messages caught up.

The rooms are in-memory implementations of the desk's StageRoom port; the bus is the real
in-process bus (two nodes on one broker) behind the same adapter the server uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from metaexpo.auth.secret import Keys
from metaexpo.booths.workers import UploadWorkers
from metaexpo.bus.local import LocalBroker, LocalBus
from metaexpo.forums.agenda import Agenda
from metaexpo.forums.decks import Decks
from metaexpo.forums.desk import DeskLimits, ForumDesk, StageInfo
from metaexpo.forums.livestore import LiveStore
from metaexpo.forums.people import People
from metaexpo.forums.questions import Questions
from metaexpo.forums.recorder import StageAudioRecorder
from metaexpo.forums.replay import Replays
from metaexpo.forums.slides import SlideLimits
from metaexpo.http.forums_wiring import BusChannel
from metaexpo.protocol.forum_messages import parse_forum_message
from metaexpo.store import Database
from metaexpo.store.schema import User, utcnow
from metaexpo.tokens import TokenSigner
from tests.conftest import TIME_FACTOR
from tests.forums.conftest import FORUM_HALL, STAFF
from tests.forums.pdfs import deck

STAGE = StageInfo(0, "main", (44.0, 124.0, -36.0, 36.0), (113.0, 2.8, 0.0))


@dataclass
class MemoryRoom:
    """The StageRoom port in memory: rows of visitors and what each received."""

    visitors: dict[int, tuple[int, str]] = field(default_factory=dict)
    inbox: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    stages: dict[int, bool] = field(default_factory=dict)
    audio: dict[int, int] = field(default_factory=dict)

    def add(self, row: int, wire: int, name: str) -> None:
        self.visitors[row] = (wire, name)
        self.inbox[row] = []

    def set_stage(self, stage: int, area: Any, source: Any, live: bool) -> None:
        self.stages[stage] = live

    def allow_stage_audio(self, wire_id: int, stage: int | None) -> None:
        if stage is None:
            self.audio.pop(wire_id, None)
        else:
            self.audio[wire_id] = stage

    def deliver(self, data: bytes, rows: Iterable[int] | None = None) -> None:
        message = orjson.loads(data)
        for row in self.visitors if rows is None else rows:
            self.inbox[row].append(message)

    def wire_id(self, row: int) -> int | None:
        return self.visitors[row][0] if row in self.visitors else None

    def row_of(self, wire_id: int) -> int | None:
        return next((r for r, (w, _) in self.visitors.items() if w == wire_id), None)

    def name_of(self, row: int) -> str | None:
        return self.visitors[row][1] if row in self.visitors else None

    def got(self, row: int, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.inbox[row] if m.get("type") == kind]


@dataclass(frozen=True)
class Who:
    role: str
    user_id: str | None


@dataclass
class Node:
    desk: ForumDesk
    room: MemoryRoom
    recorder: StageAudioRecorder

    def send(self, row: int, who: Who, message: dict[str, Any]) -> None:
        self.desk.receive("main", row, who, parse_forum_message({"session": "talk", **message}))


async def until(predicate: Any, timeout: float = 5.0) -> None:
    """Wait (bounded, polling) until ``predicate()`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout * TIME_FACTOR
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def _account(db: Database, login: str, role: str) -> str:
    user_id = (login[:1] * 32)[:32]
    with db.transaction() as session:
        session.add(
            User(
                id=user_id,
                login=login,
                display_name=login,
                role=role,
                password_hash="x",
                disabled=False,
                token_epoch=0,
                created_at=utcnow(),
            )
        )
    return user_id


@pytest.fixture
async def nodes(db: Database, agenda: Agenda, tmp_path: Path) -> Any:
    broker = LocalBroker()
    signer = TokenSigner(Keys(b"k" * 32).tokens)
    people = People(db, signer, 3600, 3600)
    made = []
    for name in ("a", "b"):
        room = MemoryRoom()
        recorder = StageAudioRecorder(tmp_path / f"rec-{name}", name)
        desk = ForumDesk(
            people=people,
            questions=Questions(db),
            store=LiveStore(db),
            replays=Replays(db, tmp_path / "assets"),
            rooms={"main": room},
            stages={FORUM_HALL: STAGE},
            bus=BusChannel(LocalBus(name, broker), name),
            limits=DeskLimits(300, 60.0, 60.0),
            recorder=recorder,
        )
        await desk.start()
        made.append(Node(desk, room, recorder))
    yield made
    for node in made:
        await node.desk.close()
        await node.recorder.close()


@pytest.fixture
def cast(db: Database, agenda: Agenda) -> dict[str, Who]:
    _account(db, "staff@expo.test", "staff")
    moderator = _account(db, "mod@expo.test", "exhibitor")
    exhibitor = _account(db, "exh@expo.test", "exhibitor")
    people = People(db, TokenSigner(Keys(b"k" * 32).tokens), 3600, 3600)
    people.name_moderator(STAFF, "talk", "mod@expo.test")
    secret, speaker = people.invite_speaker(STAFF, "talk", "Lin")
    people.accept(secret)
    other_secret, other = people.invite_speaker(STAFF, "other", "Wu")
    people.accept(other_secret)
    return {
        "moderator": Who("exhibitor", moderator),
        "exhibitor": Who("exhibitor", exhibitor),
        "speaker": Who("visitor", f"speaker-{speaker.id}"),
        "other_speaker": Who("visitor", f"speaker-{other.id}"),
        "ana": Who("visitor", "guest-ana"),
        "bo": Who("visitor", "guest-bo"),
        "anonymous": Who("visitor", None),
    }


async def _with_slides(db: Database, tmp_path: Path) -> None:
    decks = Decks(db, tmp_path / "assets", SlideLimits(10), UploadWorkers(None))
    path = tmp_path / "deck.pdf"
    path.write_bytes(deck(3))
    await decks.add(STAFF, "talk", path, "deck.pdf")


async def test_a_moderator_goes_live_on_one_node_and_both_rooms_see_it(
    nodes: list[Node], cast: dict[str, Who], db: Database, tmp_path: Path
) -> None:
    a, b = nodes
    await _with_slides(db, tmp_path)
    a.room.add(1, 0x10001, "Mod")
    b.room.add(1, 0x20001, "Ana")
    a.send(1, cast["moderator"], {"type": "forum.session", "action": "live"})
    await until(lambda: b.room.got(1, "forum.state"))
    state = b.room.got(1, "forum.state")[-1]
    assert state["state"] == "live" and state["slide"]["page"] == 1
    assert a.room.stages == {0: True} and b.room.stages == {0: True}
    assert set(a.desk.recorder.by_session) == {"talk"}  # type: ignore[union-attr]
    assert set(b.desk.recorder.by_session) == {"talk"}  # type: ignore[union-attr]


async def test_roles_are_checked_on_the_node_that_receives(
    nodes: list[Node], cast: dict[str, Who], db: Database, tmp_path: Path
) -> None:
    a, b = nodes
    await _with_slides(db, tmp_path)
    for row, who in enumerate(["ana", "exhibitor", "other_speaker", "anonymous"], 1):
        a.room.add(row, 0x10000 + row, who)
    a.send(1, cast["ana"], {"type": "forum.session", "action": "live"})
    a.send(2, cast["exhibitor"], {"type": "forum.session", "action": "live"})
    a.send(3, cast["other_speaker"], {"type": "forum.slide", "to": "next"})
    a.send(4, cast["anonymous"], {"type": "forum.moderate", "question": 1, "action": "approve"})
    await until(lambda: all(a.room.got(r, "error") for r in (1, 2, 3, 4)))
    codes = {r: a.room.got(r, "error")[0]["code"] for r in (1, 2, 3, 4)}
    assert codes == dict.fromkeys((1, 2, 3, 4), "forum_forbidden")
    assert "only staff or a moderator" in a.room.got(1, "error")[0]["message"]
    assert not b.room.stages  # nothing happened anywhere


async def test_slides_turn_for_every_visitor_on_both_nodes_and_a_late_joiner_sees_the_slide(
    nodes: list[Node], cast: dict[str, Who], db: Database, tmp_path: Path
) -> None:
    a, b = nodes
    await _with_slides(db, tmp_path)
    a.room.add(1, 0x10001, "Mod")
    a.room.add(2, 0x10002, "Lin")
    b.room.add(1, 0x20001, "Ana")
    a.send(1, cast["moderator"], {"type": "forum.session", "action": "live"})
    await until(lambda: b.room.got(1, "forum.state"))
    a.send(2, cast["speaker"], {"type": "forum.slide", "to": "next"})
    a.send(2, cast["speaker"], {"type": "forum.slide", "to": "next"})
    await until(lambda: (b.room.got(1, "forum.state")[-1]["slide"] or {}).get("page") == 3)
    await until(lambda: "talk" in b.desk.top)
    b.room.add(2, 0x20002, "Late")
    b.desk.joined("main", 2)
    (late,) = b.room.got(2, "forum.state")
    assert late["slide"]["page"] == 3 and late["slide"]["url"].startswith("/api/forums/files/")
    assert b.room.got(2, "forum.questions") == [
        {"type": "forum.questions", "session": "talk", "top": []}
    ]


async def test_a_question_on_one_node_reaches_moderators_and_the_audience_on_the_other(
    nodes: list[Node], cast: dict[str, Who]
) -> None:
    a, b = nodes
    a.room.add(1, 0x10001, "Ana")
    a.room.add(2, 0x10002, "Bo")
    b.room.add(1, 0x20001, "Mod")
    b.send(1, cast["moderator"], {"type": "forum.sync"})
    await until(lambda: b.room.got(1, "forum.queue"))
    a.send(1, cast["ana"], {"type": "forum.question", "text": "<b>How</b> fast?"})
    await until(lambda: a.room.got(1, "forum.asked"))
    question = a.room.got(1, "forum.asked")[0]["question"]
    assert question["state"] == "pending" and question["text"] == "<b>How</b> fast?"
    await until(lambda: any(m["questions"] for m in b.room.got(1, "forum.queue")))
    b.send(
        1,
        cast["moderator"],
        {"type": "forum.moderate", "question": question["id"], "action": "approve"},
    )
    await until(lambda: any(m["top"] for m in a.room.got(2, "forum.questions")))
    a.send(2, cast["bo"], {"type": "forum.vote", "question": question["id"]})
    a.send(2, cast["bo"], {"type": "forum.vote", "question": question["id"]})
    await until(lambda: a.room.got(2, "error"))
    assert a.room.got(2, "error")[0]["code"] == "forum_conflict"
    b.send(
        1,
        cast["moderator"],
        {"type": "forum.moderate", "question": question["id"], "action": "pin"},
    )
    await until(
        lambda: any(
            m["top"] and m["top"][0]["pinned"] and m["top"][0]["votes"] == 1
            for m in b.room.got(1, "forum.questions")
        )
    )


async def test_questions_need_a_token_and_are_rate_limited(
    nodes: list[Node], cast: dict[str, Who]
) -> None:
    a, _ = nodes
    a.room.add(1, 0x10001, "Anon")
    a.room.add(2, 0x10002, "Ana")
    a.send(1, cast["anonymous"], {"type": "forum.question", "text": "hi"})
    a.desk.ask_limits.rate = 1 / 60  # one a minute after the burst of two
    for n in range(4):
        a.send(2, cast["ana"], {"type": "forum.question", "text": f"q{n}"})
    await until(
        lambda: (
            a.room.got(1, "error")
            and len(a.room.got(2, "forum.asked")) == 2
            and len(a.room.got(2, "error")) == 2
        )
    )
    assert "guest token" in a.room.got(1, "error")[0]["message"]
    assert [e["code"] for e in a.room.got(2, "error")] == ["rate_limited"] * 2


async def test_hand_raise_invite_accept_and_end_move_stage_audio_permissions(
    nodes: list[Node], cast: dict[str, Who]
) -> None:
    a, b = nodes
    a.room.add(1, 0x10001, "Mod")
    b.room.add(1, 0x20001, "Ana")
    a.send(1, cast["moderator"], {"type": "forum.session", "action": "live"})
    await until(lambda: b.room.got(1, "forum.state"))
    a.send(1, cast["moderator"], {"type": "forum.sync"})
    b.send(1, cast["ana"], {"type": "forum.hand", "up": True})
    await until(lambda: any(m["hands"] for m in a.room.got(1, "forum.hands")))
    hand = [m for m in a.room.got(1, "forum.hands") if m["hands"]][-1]["hands"][0]
    assert hand == {"id": 0x20001, "name": "Ana", "at_ms": hand["at_ms"]}
    a.send(1, cast["moderator"], {"type": "forum.stage", "action": "invite", "id": 0x20001})
    await until(lambda: b.room.got(1, "forum.invite"))
    assert not b.room.audio
    b.send(1, cast["ana"], {"type": "forum.stage_accept", "accept": True})
    await until(lambda: a.room.audio.get(0x20001) == 0 and b.room.audio.get(0x20001) == 0)
    a.send(1, cast["moderator"], {"type": "forum.slow", "seconds": 15})
    # the desk takes the change before it broadcasts it: wait for what the visitor is told
    await until(lambda: any(m["slow_mode_s"] == 15 for m in b.room.got(1, "forum.state")))
    assert b.desk.slow_mode_s("main") == 15
    a.send(1, cast["moderator"], {"type": "forum.mic", "on": False, "id": 0x20001})
    await until(lambda: not b.room.audio)
    b.send(1, cast["ana"], {"type": "forum.mic", "on": True})
    await until(lambda: b.room.audio.get(0x20001) == 0)
    a.send(1, cast["moderator"], {"type": "forum.stage", "action": "end", "id": 0x20001})
    await until(lambda: not a.room.audio and not b.room.audio)
    b.send(1, cast["ana"], {"type": "forum.mic", "on": True})
    await until(lambda: b.room.got(1, "error"))
    assert "only people on stage" in b.room.got(1, "error")[0]["message"]


async def test_ending_stores_the_replay_once_and_offers_it(
    nodes: list[Node], cast: dict[str, Who], db: Database, tmp_path: Path
) -> None:
    a, b = nodes
    await _with_slides(db, tmp_path)
    a.room.add(1, 0x10001, "Mod")
    a.room.add(2, 0x10002, "Lin")
    b.room.add(1, 0x20001, "Ana")
    a.send(1, cast["moderator"], {"type": "forum.session", "action": "live"})
    await until(lambda: "talk" in b.recorder.by_session)
    a.send(2, cast["speaker"], {"type": "forum.mic", "on": True})
    await until(lambda: b.room.audio.get(0x10002) == 0)
    for seq in range(50):  # one second of silence packets, heard by both nodes
        now = a.recorder.clock()
        a.recorder.stage_chunk(0, 0x10002, seq, b"\xf8\xff\xfe", now)
        b.recorder.stage_chunk(0, 0x10002, seq, b"\xf8\xff\xfe", now)
    a.send(2, cast["speaker"], {"type": "forum.slide", "to": "next"})
    await until(lambda: (b.room.got(1, "forum.state")[-1]["slide"] or {}).get("page") == 2)
    b.send(1, cast["moderator"], {"type": "forum.session", "action": "end"})
    await until(lambda: b.room.got(1, "forum.state")[-1]["state"] == "replay")
    await until(lambda: a.room.got(1, "forum.state")[-1]["state"] == "replay")
    assert not a.room.audio and a.room.stages == {0: False}
    assert a.recorder.by_session == {} and b.recorder.by_session == {}
    replay = b.desk.replays.view("talk")
    assert replay["audio"]["url"].endswith(".ogg") and replay["duration_ms"] > 0
    assert [e["page"] for e in replay["timeline"]] == [1, 2]
    assert not list((tmp_path / "rec-a").glob("*"))  # the other node discarded its copy
    assert not b.desk.replays.store("talk", None, 0, "a")  # idempotent


async def test_a_lost_bus_message_is_caught_up_from_the_database(
    nodes: list[Node], cast: dict[str, Who], db: Database, tmp_path: Path
) -> None:
    a, b = nodes
    b.room.add(1, 0x20001, "Ana")
    b.desk.bus.subscribe(lambda payload: None)  # b stops hearing a's events
    a.room.add(1, 0x10001, "Mod")
    a.send(1, cast["moderator"], {"type": "forum.session", "action": "live"})
    await until(lambda: a.room.got(1, "forum.state"))
    await asyncio.sleep(0.05)
    assert not b.room.got(1, "forum.state")
    await b.desk.resync()
    assert b.room.got(1, "forum.state")[-1]["state"] == "live"


async def test_a_flood_of_forum_messages_is_refused_without_touching_the_database(
    nodes: list[Node], cast: dict[str, Who]
) -> None:
    a, _ = nodes
    a.room.add(1, 0x10001, "Flood")
    a.room.add(2, 0x10002, "Calm")
    for _ in range(200):
        a.send(1, cast["ana"], {"type": "forum.sync"})
    assert len(a.desk._tasks) <= 20  # only the burst was taken up
    await until(lambda: len(a.room.got(1, "forum.state")) == 20)
    errors = a.room.got(1, "error")
    assert [e["code"] for e in errors] == ["rate_limited"]  # told once, not 180 times
    a.send(2, cast["bo"], {"type": "forum.sync"})  # someone else is not held back
    await until(lambda: a.room.got(2, "forum.state"))
