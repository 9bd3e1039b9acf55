"""Staff's voice-free places on a real server: set through the staff API, refused talk there,
every visitor told where they are (late joiners right after the welcome), lifted again, and kept
across a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from metaexpo.protocol.frames import MediaStream, encode_audio_frame
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration
VOICE = MediaStream.VOICE
PLAZA = [90.0, 110.0, 10.0, 30.0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("voice-places")
    create_staff(tmp / "data")
    srv = ServerProcess(tmp, "--teleport-min-interval-s", "0").start()
    yield srv
    srv.stop()


def signed_in(server: ServerProcess) -> httpx.Client:
    """An HTTP client of the staff account."""
    http = httpx.Client(base_url=server.http, timeout=30 * TIME_FACTOR)
    signed = http.post("/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD})
    assert signed.status_code == 200, signed.text
    http.headers["Authorization"] = f"Bearer {signed.json()['token']}"
    return http


@pytest.fixture
def staff(server: ServerProcess) -> Iterator[httpx.Client]:
    http = signed_in(server)
    yield http
    http.close()


async def visitor(server: ServerProcess, name: str, x: float, z: float) -> Client:
    c = await Client.connect(server.ws)
    await c.join(name)
    await c.teleport(x, z)
    return c


async def heard_from(c: Client, speaker: int, data: bytes, timeout: float = 5.0) -> None:
    """Wait until ``c`` received the chunk ``data`` of ``speaker``."""
    deadline = time.monotonic() + timeout * TIME_FACTOR
    while not any(m.id == speaker and m.data == data for f in c.frames for m in f.media):
        left = deadline - time.monotonic()
        assert left > 0, f"no chunk {data!r} from {speaker}"
        await c.next(left / TIME_FACTOR)


async def test_a_quiet_zone_is_refused_told_to_everyone_and_lifted(
    server: ServerProcess, staff: httpx.Client
) -> None:
    a = await visitor(server, "talker", 100.0, 20.0)
    b = await visitor(server, "listener", 102.0, 20.0)
    aid = a.welcome["id"]
    put = staff.put("/api/staff/rooms/main/voice", json={"quiet_zones": {"plaza": PLAZA}})
    assert put.status_code == 200, put.text
    told = {"type": "voice.places", "quiet_hall": False, "quiet_zones": {"plaza": PLAZA}}
    assert put.json() == told
    assert await a.expect("voice.places") == told
    assert await b.expect("voice.places") == told
    await a.ws.send(encode_audio_frame(VOICE, [(1, b"hush")]))
    refused = await a.expect("error")
    assert refused["code"] == "voice_off_here"
    # A late joiner learns the quiet places right after its welcome.
    late = await Client.connect(server.ws)
    await late.join("late")
    assert await late.expect("voice.places") == told
    assert [m["type"] for m in late.messages[:2]] == ["welcome", "voice.places"]
    assert staff.get("/api/staff/rooms/main/voice").json() == told
    # Lifted: the talker is heard again, and everyone is told.
    lifted = staff.put("/api/staff/rooms/main/voice", json={})
    assert lifted.json() == {"type": "voice.places", "quiet_hall": False, "quiet_zones": {}}
    await b.expect("voice.places")
    await a.ws.send(encode_audio_frame(VOICE, [(60, b"hello again")]))
    await heard_from(b, aid, b"hello again")
    assert not any(m.data == b"hush" for f in b.frames for m in f.media)
    for c in (a, b, late):
        await c.close()


async def test_quiet_places_need_staff_and_sensible_areas(
    server: ServerProcess, staff: httpx.Client
) -> None:
    anonymous = httpx.put(f"{server.http}/api/staff/rooms/main/voice", json={"quiet_hall": True})
    assert anonymous.status_code == 401
    backwards = staff.put(
        "/api/staff/rooms/main/voice", json={"quiet_zones": {"x": [10.0, 0.0, 0.0, 5.0]}}
    )
    assert backwards.status_code == 422
    assert "x0 < x1" in backwards.text
    outside = staff.put(
        "/api/staff/rooms/main/voice", json={"quiet_zones": {"far": [5000, 5010, 0, 5]}}
    )
    assert outside.status_code == 422
    assert staff.put("/api/staff/rooms/nowhere/voice", json={}).status_code == 404
    assert staff.put("/api/staff/rooms/main/voice", json={"loud": True}).status_code == 422
    # Nothing was changed by the refusals.
    assert staff.get("/api/staff/rooms/main/voice").json()["quiet_zones"] == {}


async def test_quiet_places_outlive_a_restart(server: ServerProcess, staff: httpx.Client) -> None:
    places = {"quiet_hall": True, "quiet_zones": {"plaza": PLAZA}}
    told = {"type": "voice.places", **places}
    assert staff.put("/api/staff/rooms/main/voice", json=places).json() == told
    staff.close()
    server.stop()
    server.start()
    # The restarted server applies what staff last set: a newcomer is told at once.
    late = await Client.connect(server.ws)
    await late.join("after the restart")
    assert await late.expect("voice.places") == told
    again = signed_in(server)
    try:
        assert again.get("/api/staff/rooms/main/voice").json() == told
        assert again.put("/api/staff/rooms/main/voice", json={}).status_code == 200
    finally:
        again.close()
    await late.close()
