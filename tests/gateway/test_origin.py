"""The Origin check of the sync WebSocket (unit and live)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from metaexpo.gateway.origin import origin_allowed
from tests.live import ServerProcess


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "expo.example.org", [], True),  # not a browser
        ("https://expo.example.org", "expo.example.org", [], True),  # same origin
        ("http://192.168.1.20:8000", "192.168.1.20:8000", [], True),
        ("http://localhost:5173", "127.0.0.1:8000", [], True),  # a loopback page
        ("https://evil.example.com", "expo.example.org", [], False),
        ("https://evil.example.com", "expo.example.org", ["https://evil.example.com"], True),
        ("null", "expo.example.org", [], False),  # sandboxed iframes, file:// pages
        ("https://expo.example.org.evil.com", "expo.example.org", [], False),
    ],
)
def test_origin_rules(origin: str | None, host: str, allowed: list[str], ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("origin")).start()
    yield srv
    srv.stop()


@pytest.mark.integration
async def test_a_foreign_page_cannot_open_the_sync_socket(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as err:
        async with connect(server.ws, origin="https://evil.example.com"):  # type: ignore[arg-type]
            pass
    assert err.value.response.status_code == 403
    assert b"origin" in err.value.response.body


@pytest.mark.integration
async def test_the_expos_own_page_can_open_it(server: ServerProcess) -> None:
    async with connect(server.ws, origin=f"http://127.0.0.1:{server.port}") as ws:  # type: ignore[arg-type]
        await ws.send('{"type": "ping", "t": 1}')
