"""Revocations reach the hall: joins are checked against the trust ledger, and open sessions
that an entry is about are closed with its reason (one node, the in-process ledger)."""

from __future__ import annotations

import asyncio
import time

import orjson

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.gateway.moderation import HallModeration
from metaexpo.gateway.session import Session, SessionState
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.frames import PROTOCOL_VERSION
from metaexpo.sync.room import RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.trust.ledger import LocalTrustLedger, TrustEntry, wire_key
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))
#: When the module was loaded: issue times of tokens are before it; entries expire from the
#: moment they are written (a long run must not see them expired already).
NOW = time.time()

STAFF = Identity(
    "staff",
    "u-staff",
    name="Ada Staff",
    token_id="t1",
    issued=NOW - 60,
    session="s1",
    badge="staff",
)
GUEST = Identity("visitor", "guest-abc", token_id="t2", issued=NOW - 60)


class Hall:
    """A hub with moderation on a local ledger, and tokens that stand for identities."""

    def __init__(self) -> None:
        self.ledger = LocalTrustLedger()
        self.hub = SyncHub(Settings(), [SPEC], LocalBus(), frozenset({"celadon"}))
        self.tokens = {"staff": STAFF, "guest": GUEST}
        self.hub.identify = self.tokens.get
        self.hub.moderation = HallModeration(self.hub, self.ledger)

    def join(self, token: str | None, name: str = "n") -> tuple[Session, RecordingLink]:
        link = RecordingLink()
        session = Session(self.hub, link)
        msg: dict[str, object] = {
            "type": "join",
            "v": PROTOCOL_VERSION,
            "room": "main",
            "name": name,
            "avatar": "celadon",
            "kind": "desktop",
        }
        if token is not None:
            msg["token"] = token
        session.on_text(orjson.dumps(msg))
        return session, link

    def put(self, entry: TrustEntry) -> None:
        asyncio.run(self.ledger.put(entry))


def closed_with(link: RecordingLink) -> tuple[int, str]:
    assert link.closed is not None, f"still open; got {link.text[-3:]}"
    error = link.text[-1]
    assert error["type"] == "error"
    return link.closed[0], str(error["code"])


def test_a_signed_in_visitor_joins_under_the_account_s_display_name() -> None:
    hall = Hall()
    session, _ = hall.join("staff", name="whatever I typed")
    assert session.state is SessionState.JOINED
    room = hall.hub.rooms["main"]
    assert room.members[session.row].name == "Ada Staff"


def test_a_signed_out_token_closes_its_session_and_is_refused_at_the_next_join() -> None:
    hall = Hall()
    session, link = hall.join("staff")
    hall.put(TrustEntry("token", "t1", time.time() + 3600, "signed out"))
    assert closed_with(link) == (CloseCode.BAD_TOKEN, "revoked")
    assert "signed out" in link.text[-1]["message"]
    assert session.state is SessionState.CLOSED
    assert hall.hub.rooms["main"].connected == 0, "closed cleanly: no avatar left waiting"
    _, again = hall.join("staff")
    assert closed_with(again) == (CloseCode.BAD_TOKEN, "revoked")


def test_a_portal_sign_out_voids_the_hall_tokens_issued_for_it() -> None:
    hall = Hall()
    _, link = hall.join("staff")
    hall.put(TrustEntry("session", "s1", time.time() + 3600, "signed out"))
    assert closed_with(link)[0] == CloseCode.BAD_TOKEN


def test_an_account_revocation_voids_older_tokens_only() -> None:
    hall = Hall()
    _, old = hall.join("staff")
    hall.put(
        TrustEntry(
            "account", "u-staff", time.time() + 3600, "password changed", data={"before": NOW - 30}
        )
    )
    assert closed_with(old)[0] == CloseCode.BAD_TOKEN
    hall.tokens["fresh"] = Identity("staff", "u-staff", token_id="t9", issued=NOW)
    fresh, link = hall.join("fresh")
    assert fresh.state is SessionState.JOINED, link.text[-1]


def test_a_banned_subject_is_closed_with_the_reason_and_cannot_come_back() -> None:
    hall = Hall()
    _, link = hall.join("guest")
    _, bystander = hall.join(None)
    hall.put(TrustEntry("ban", "guest-abc", time.time() + 600, "spam", "staff a@x"))
    code, error = closed_with(link)
    assert (code, error) == (CloseCode.BANNED, "banned")
    assert "spam" in link.text[-1]["message"]
    assert link.closed is not None and "banned" in link.closed[1]
    assert bystander.closed is None, "only the banned visitor is closed"
    _, again = hall.join("guest")
    assert closed_with(again) == (CloseCode.BANNED, "banned")


def test_a_visitor_without_a_token_is_found_by_room_and_avatar_id() -> None:
    hall = Hall()
    session, link = hall.join(None)
    wire = hall.hub.rooms["main"].state.wire_id(session.row)
    hall.put(TrustEntry("kick", wire_key("main", wire), time.time() + 30, "shouting"))
    assert closed_with(link) == (CloseCode.KICKED, "kicked")


def test_an_expired_entry_refuses_nobody() -> None:
    hall = Hall()
    hall.put(TrustEntry("ban", "guest-abc", NOW - 1, "long ago"))
    session, _ = hall.join("guest")
    assert session.state is SessionState.JOINED
