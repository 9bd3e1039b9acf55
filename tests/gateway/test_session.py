"""The session state machine with an in-memory link: join tokens and identities."""

from __future__ import annotations

import orjson

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.hub import SyncHub
from metaexpo.gateway.identity import Identity
from metaexpo.gateway.session import Session, SessionState
from metaexpo.protocol.frames import MediaStream, encode_audio_frame
from metaexpo.sync.room import RoomSpec
from metaexpo.sync.state import Bounds
from tests.sync.links import RecordingLink

SPEC = RoomSpec("main", Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)), (0.0, 1.6, 0.0))


def join(token: str | None = None) -> bytes:
    msg = {
        "type": "join",
        "v": 2,
        "room": "main",
        "name": "n",
        "avatar": "celadon",
        "kind": "desktop",
    }
    if token is not None:
        msg["token"] = token
    return orjson.dumps(msg)


def hub_with(identify: dict[str, Identity] | None) -> SyncHub:
    hub = SyncHub(Settings(), [SPEC], LocalBus(), frozenset({"celadon"}))
    if identify is not None:
        hub.identify = identify.get
    return hub


def test_a_join_without_token_is_an_anonymous_visitor() -> None:
    link = RecordingLink()
    session = Session(hub_with(None), link)
    session.on_text(join())
    assert session.state is SessionState.JOINED
    assert session.identity == Identity("visitor")


def test_a_valid_token_gives_the_staff_role() -> None:
    link = RecordingLink()
    session = Session(hub_with({"good": Identity("staff", "u1")}), link)
    session.on_text(join("good"))
    assert session.identity == Identity("staff", "u1")
    assert link.text[-1]["type"] == "welcome"


def test_a_forged_or_expired_token_is_closed_with_4003() -> None:
    link = RecordingLink()
    session = Session(hub_with({"good": Identity("staff")}), link)
    session.on_text(join("forged"))
    assert link.closed is not None and link.closed[0] == 4003
    assert link.text[-1] == {
        "type": "error",
        "code": "bad_token",
        "message": "your sign-in has expired or is not valid; sign in again",
    }
    assert session.state is SessionState.CLOSED


def test_a_token_is_refused_when_no_accounts_layer_checks_it() -> None:
    link = RecordingLink()
    Session(hub_with(None), link).on_text(join("anything"))
    assert link.closed is not None and link.closed[0] == 4003


def test_a_media_frame_before_join_closes_like_a_pose_frame() -> None:
    link = RecordingLink()
    session = Session(hub_with(None), link)
    session.on_binary(encode_audio_frame(MediaStream.VOICE, [(1, b"opus")]))
    assert link.closed is not None and link.closed[0] == 1002
    assert link.text[-1]["code"] == "join_first"
    assert session.state is SessionState.CLOSED


def test_a_version_1_join_is_told_to_reload_with_4001() -> None:
    link = RecordingLink()
    session = Session(hub_with(None), link)
    session.on_text(join().replace(b'"v":2', b'"v":1'))
    assert link.closed is not None and link.closed[0] == 4001
    assert "reload" in str(link.text[-1]["message"])


def test_after_join_audio_frames_reach_the_room_and_poses_keep_their_own_limit() -> None:
    link = RecordingLink()
    hub = hub_with(None)
    session = Session(hub, link)
    session.on_text(join())
    room = hub.rooms["main"]
    for i in range(80):  # more AUDIO frames a second than the pose limit (75), all in time
        session.on_binary(encode_audio_frame(MediaStream.VOICE, [(i, b"x" * 40)]))
    assert room.stats.dropped["rate_limited"] == 0
    assert room.stats.media_chunks_in == 60  # one second's allowance, the rest refused
    assert room.stats.dropped["media_rate_limited"] == 20
    welcome = link.text[0]
    assert welcome["limits"]["voice_radius"] == 12.0
    assert welcome["limits"]["media_chunk_max_bytes"] == 400
