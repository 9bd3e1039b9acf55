"""Sign-in against a real server: limits taken before any hashing, hashing that cannot stall the
hall, the real client address behind a trusted proxy only, and staff who cannot be locked out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess, metric
from tests.waiting import eventually

pytestmark = pytest.mark.integration

WRONG = "not-the-password-1"
#: argon2id's memory per hash (the password hasher's parameters).
HASH_MIB = 64


def serve(tmp: Path, *args: str) -> ServerProcess:
    create_staff(tmp / "data")
    return ServerProcess(tmp, "--login-window-s", "600", *args).start()


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server reached directly: no proxy is trusted (the default)."""
    server = serve(
        tmp_path_factory.mktemp("direct"),
        "--login-attempts-per-account",
        "5",
        "--login-attempts-per-address",
        "8",
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server behind a proxy on loopback, which it trusts for X-Forwarded-For."""
    server = serve(
        tmp_path_factory.mktemp("proxied"),
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--login-attempts-per-account",
        "3",
        "--login-attempts-per-account-total",
        "6",
        "--login-attempts-per-address",
        "100",
        "--password-workers",
        "2",
    )
    yield server
    server.stop()


async def sign_in(
    http: httpx.AsyncClient, login: str, password: str, forwarded: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return await http.post(
        "/api/auth/login", json={"login": login, "password": password}, headers=headers
    )


def client(server: ServerProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.http, timeout=120 * TIME_FACTOR)


# --- limits taken before the hashing ---------------------------------------------------------


async def test_thirty_concurrent_wrong_passwords_check_exactly_the_limit(
    direct: ServerProcess,
) -> None:
    async with client(direct) as http:
        answers = await asyncio.gather(*(sign_in(http, STAFF_LOGIN, WRONG) for _ in range(30)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(401) == 5, f"checked {codes.count(401)} passwords against a limit of 5"
    assert codes.count(429) == 25, codes
    assert all(0 < int(a.headers["retry-after"]) <= 600 for a in answers if a.status_code == 429)


# --- the client address ----------------------------------------------------------------------


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(
    tmp_path: Path,
) -> None:
    server = serve(tmp_path, "--login-attempts-per-address", "4")
    try:
        async with client(server) as http:
            codes = [
                (await sign_in(http, f"guess{i}@x.test", WRONG, f"203.0.113.{i}")).status_code
                for i in range(6)
            ]
    finally:
        server.stop()
    # Six "different" addresses, all really 127.0.0.1: the fifth attempt is over its limit.
    assert codes == [401] * 4 + [429] * 2, codes


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    proxied: ServerProcess,
) -> None:
    async with client(proxied) as http:
        guesser = [
            (await sign_in(http, f"someone{i}@x.test", WRONG, "198.51.100.1")).status_code
            for i in range(4)
        ]
        # One address over its per-account limit ... is its own problem:
        over = [(await sign_in(http, "target@x.test", WRONG, "198.51.100.2")).status_code]
        over += [(await sign_in(http, "target@x.test", WRONG, "198.51.100.2")).status_code]
        over += [(await sign_in(http, "target@x.test", WRONG, "198.51.100.2")).status_code]
        over += [(await sign_in(http, "target@x.test", WRONG, "198.51.100.2")).status_code]
        other = await sign_in(http, "target@x.test", WRONG, "198.51.100.3")
    assert guesser == [401] * 4, "different accounts from one address: the address limit is 100"
    assert over == [401, 401, 401, 429], over
    assert other.status_code == 401, "another client address still gets its own tries"


# --- staff cannot be locked out --------------------------------------------------------------


async def test_staff_sign_in_while_an_attacker_hammers_their_account(
    proxied: ServerProcess,
) -> None:
    async with (
        client(proxied) as usual_browser,
        client(proxied) as http,
        client(proxied) as colleague,
    ):
        # Staff signed in from their usual browser once: it keeps a device cookie.
        first = await sign_in(usual_browser, STAFF_LOGIN, STAFF_PASSWORD, "192.0.2.10")
        assert first.status_code == 200, first.text
        assert "metaexpo_device" in usual_browser.cookies

        # An attacker at one address hammers the staff account until it is refused ...
        attacker = [
            (await sign_in(http, STAFF_LOGIN, WRONG, "198.51.100.66")).status_code for _ in range(4)
        ]
        assert attacker == [401, 401, 401, 429], attacker
        # ... which does not stop staff at another address:
        elsewhere = await sign_in(colleague, STAFF_LOGIN, STAFF_PASSWORD, "192.0.2.20")
        assert elsewhere.status_code == 200, elsewhere.text

        # A botnet spreads its guesses over many addresses until the account's total is used:
        spread = [
            (await sign_in(http, STAFF_LOGIN, WRONG, f"198.51.100.{100 + i}")).status_code
            for i in range(5)
        ]
        assert spread[-1] == 429, spread
        stranger = await sign_in(http, STAFF_LOGIN, STAFF_PASSWORD, "192.0.2.30")
        assert "metaexpo_device" not in http.cookies
        assert stranger.status_code == 429
        assert "browser that has signed in" in stranger.json()["detail"]
        # The usual browser, wherever it is now, still gets in:
        again = await sign_in(usual_browser, STAFF_LOGIN, STAFF_PASSWORD, "192.0.2.40")
        assert again.status_code == 200, again.text


# --- eighty sign-ins at once do not stall the hall ------------------------------------------


def server_memory(pid: int) -> dict[str, int]:
    """The server's resident and peak resident memory (kB), from /proc."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def reset_peak_memory(pid: int) -> None:
    """Start the peak (VmHWM) again from the current resident size (Linux clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class FrameClock:
    """Arrival times of the pose frames a probe client receives while a mover walks near it."""

    def __init__(self, probe: Client, mover: Client) -> None:
        self.probe = probe
        self.mover = mover
        self.arrivals: list[float] = []

    async def walk(self) -> None:
        step = 0
        while True:  # paced like a real client (20 poses a second), not a wait for a condition
            await self.mover.move(0.2 if (step // 20) % 2 == 0 else -0.2)
            step += 1
            await asyncio.sleep(0.05)

    async def drain(self) -> None:
        while True:
            await self.mover.ws.recv()

    async def listen(self) -> None:
        while True:
            if isinstance(await self.probe.ws.recv(), bytes):
                self.arrivals.append(time.monotonic())


async def test_eighty_sign_ins_at_once_are_hashed_one_at_a_time_in_their_own_bounded_pool(
    tmp_path: Path,
) -> None:
    """The structure that keeps the hall's pace (the pace itself is measured by
    bench/signin_stall.py): at most ``--password-workers`` hashes at once, at most the queue
    waiting, the rest refused at once with 429, memory bounded by the pool, and pose frames
    still delivered while the sign-ins are in flight."""
    workers, queue = 1, 8
    server = serve(
        tmp_path,
        "--login-attempts-per-address",
        "1000",
        # 80 connections from one address at once: not what the edge's pending cap is about.
        "--max-pending-per-address",
        "0",
        "--password-workers",
        str(workers),
        "--password-queue",
        str(queue),
    )
    assert server.proc is not None
    pid = server.proc.pid
    probe = await Client.connect(server.ws)
    await probe.join("probe")
    mover = await Client.connect(server.ws)
    await mover.join("mover")
    clock = FrameClock(probe, mover)
    tasks = [asyncio.create_task(c()) for c in (clock.walk, clock.drain, clock.listen)]
    try:
        await eventually(lambda: len(clock.arrivals) >= 20, what="the probe receives pose frames")
        rss_before = server_memory(pid)["VmRSS"]
        reset_peak_memory(pid)
        burst_start = time.monotonic()
        async with client(server) as http:
            answers = await asyncio.gather(
                *(sign_in(http, f"visitor{i}@x.test", WRONG) for i in range(80))
            )
        burst_end = time.monotonic()
        peak = server_memory(pid)["VmHWM"]
        metrics = server.metrics()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await probe.close()
        await mover.close()
        server.stop()
    codes = [a.status_code for a in answers]
    busy = [a for a in answers if a.status_code == 429]
    pool = {
        name: metric(metrics, f"metaexpo_password_pool_{name}")
        for name in ("peak_running", "peak_held", "capacity", "done_total", "refused_total")
    }
    during = [t for t in clock.arrivals if burst_start <= t <= burst_end]
    grew_mib = (peak - rss_before) / 1024
    seen = (
        f"{codes.count(401)} checked, {len(busy)} told to retry; pool {pool}; "
        f"peak memory +{grew_mib:.0f} MiB; {len(during)} pose frames during the burst"
    )
    print(seen)
    assert set(codes) <= {401, 429}, seen
    # Never more hashes at once than the pool's threads, never more waiting than its queue:
    assert pool["peak_running"] == workers, seen
    assert pool["capacity"] == workers + queue, seen
    assert pool["peak_held"] == workers + queue, "the burst filled the pool and its queue"
    # Every refusal is the pool's (429 at once, try again in a second), every check ran in it:
    assert pool["refused_total"] == len(busy) > 0, seen
    assert pool["done_total"] == codes.count(401), seen
    assert all(a.headers.get("retry-after") == "1" for a in busy), seen
    # Memory: the hashes running at once (and a margin), never one per request.
    assert grew_mib < (workers + 2) * HASH_MIB, seen
    # The hall kept being served while the sign-ins were in flight.
    assert during, seen
