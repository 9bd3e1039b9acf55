"""A server killed mid-minute (kill -9) loses at most what it had not written of that minute,
and after a restart nothing is counted twice: the figures before the crash stay as they were,
and the restarted server's visits add to them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.analytics.tour import ANY_TICK_LOAD, FAST_REACH, FLUSH_S, SAMPLE_PERIOD, export
from tests.live import Client, ServerProcess, metric
from tests.waiting import eventually

pytestmark = pytest.mark.integration

#: Where a visitor stands in front of each booth (the catalog's points of interest).
FRONT = {"retail-01": (-38.0, -110.0), "retail-03": (-38.0, -84.0)}
#: A spot in no booth's area.
AWAY = (-32.0, -97.0)


async def stand_at(client: Client, spot: tuple[float, float]) -> None:
    """Teleport to ``spot`` and wait until the server has the avatar there."""
    await client.teleport(*spot)
    await client.sees(client.id, at=client.position)


def visits_of(data_dir: Path, booth: str) -> int:
    return int(export(data_dir, None, "--booth", booth)["booths"][booth]["visits"])


async def visit(client: Client, booth: str, data_dir: Path) -> tuple[float, float]:
    """Stand at ``booth`` until the server has written one more visit there, then walk off
    (teleport away). Returns the bounds of the stay as the server can have seen it: from the
    avatar being seen there to the teleport away being sent, and from the teleport there being
    sent to the avatar being seen away."""
    before = await asyncio.to_thread(visits_of, data_dir, booth)

    async def written() -> bool:  # the export in a thread: the client keeps answering pings
        return await asyncio.to_thread(visits_of, data_dir, booth) > before

    sent = time.monotonic()
    await stand_at(client, FRONT[booth])
    there = time.monotonic()
    await eventually(
        written,
        what=f"a visit of {booth} written",
        timeout=60,
        interval=0.5,
    )
    leaving = time.monotonic()
    await stand_at(client, AWAY)
    return leaving - there, time.monotonic() - sent


async def test_kill_9_mid_minute_loses_at_most_that_minute_and_counts_nothing_twice(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(tmp_path, *FAST_REACH, *ANY_TICK_LOAD).start(60)
    try:
        first = await Client.connect(server.ws)
        await first.join("first")
        stays = [await visit(first, "retail-01", data)]  # written before the crash
        second = await Client.connect(server.ws)
        await second.join("second")
        await stand_at(second, FRONT["retail-03"])
        # A stay under way in the current minute: sampled there twice, maybe not written.
        samples = metric(server.metrics(), "metaexpo_reach_samples_total")

        async def sampled_twice() -> bool:
            text = await asyncio.to_thread(server.metrics)
            return metric(text, "metaexpo_reach_samples_total") >= samples + 2

        await eventually(
            sampled_twice,
            what="two samples of the second visitor at retail-03",
        )
    finally:
        server.kill()  # SIGKILL: no shutdown, no last write
    after_crash = export(data)["booths"]
    assert after_crash["retail-01"]["visits"] == 1
    assert after_crash["retail-03"]["visits"] <= 1  # written already, or lost with its minute

    again = ServerProcess(tmp_path, *FAST_REACH, *ANY_TICK_LOAD).start(60)
    try:
        third = await Client.connect(again.ws)
        await third.join("third")
        stays.append(await visit(third, "retail-01", data))
        await third.close()
    finally:
        assert again.stop() == 0
    booths = export(data)["booths"]
    retail = booths["retail-01"]
    assert retail["visits"] == 2  # one before the crash, one after: none twice
    assert retail["unique_visitors"] == 2
    shortest, longest = (sum(bound) for bound in zip(*stays, strict=True))
    # The crash may take with it what the first stay added after the last write before it
    # (at most one flush period): that is the loss the product promises to stay within.
    lost = FLUSH_S
    assert shortest - 2 * SAMPLE_PERIOD - lost <= retail["dwell_s"] <= longest + 2 * SAMPLE_PERIOD
    assert booths["retail-03"]["visits"] == after_crash["retail-03"]["visits"]
