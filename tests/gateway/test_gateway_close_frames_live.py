"""Closing is a handshake: a client whose connection the server ends learns the code and the
reason from a close frame, even when it keeps sending after the fatal frame."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.frames import PROTOCOL_VERSION, encode_desktop_pose
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("close-frames")).start()
    yield proc
    proc.stop()


async def send_until_closed(ws: ClientConnection, messages: list[str | bytes]) -> None:
    """Send ``messages`` back to back, stopping when the connection closes."""
    with contextlib.suppress(ConnectionClosed):
        for message in messages:
            await ws.send(message)


async def test_a_fatal_frame_followed_by_more_frames_still_gets_its_close_frame(
    server: ServerProcess,
) -> None:
    ws = await connect(server.ws, open_timeout=10 * TIME_FACTOR, max_queue=None)
    client = Client(ws)
    pose = encode_desktop_pose((0.0, 1.6, 0.0), 0.0, 0.0, 1)
    # A pose before the join is fatal (1002); a hasty client goes on sending behind it.
    await send_until_closed(ws, [pose] * 5000)
    code, reason = await client.closed()
    assert code == CloseCode.PROTOCOL_ERROR, f"closed with {code} ({reason!r})"
    assert "join" in reason


async def test_a_bad_join_in_a_burst_of_frames_gets_its_code_and_reason(
    server: ServerProcess,
) -> None:
    ws = await connect(server.ws, open_timeout=10 * TIME_FACTOR, max_queue=None)
    client = Client(ws)
    join = {
        "type": "join",
        "v": PROTOCOL_VERSION,
        "room": "nowhere",
        "name": "x",
        "avatar": "celadon",
        "kind": "desktop",
    }
    chat = json.dumps({"type": "chat", "text": "hello " * 50})
    await send_until_closed(ws, [json.dumps(join)] + [chat] * 5000)
    code, reason = await client.closed()
    assert code == CloseCode.UNKNOWN_ROOM, f"closed with {code} ({reason!r})"
    assert "nowhere" in reason
