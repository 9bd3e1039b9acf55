"""A server killed mid-minute (kill -9) loses at most what it had not written of that minute,
and after a restart nothing is counted twice: the figures before the crash stay as they were,
and the restarted server's visits add to them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from metaexpo.analytics.definitions import VISIT_MIN_S
from tests.analytics.tour import FAST_REACH, export
from tests.conftest import TIME_FACTOR
from tests.live import Client, ServerProcess

pytestmark = pytest.mark.integration

#: Where a visitor stands in front of each booth (the catalog's points of interest).
FRONT = {"retail-01": (-38.0, -110.0), "retail-03": (-38.0, -84.0)}
#: A spot in no booth's area.
AWAY = (-32.0, -97.0)
#: How long a visit lasts here: a visit needs VISIT_MIN_S; this is the visitor's stay, not
#: a wait for the server.
STAY_S = VISIT_MIN_S + 2.5


async def visit(client: Client, booth: str) -> None:
    """Stand at ``booth`` long enough for a visit, then walk off (teleport away)."""
    await client.teleport(*FRONT[booth])
    await client.collect(STAY_S)
    await client.teleport(*AWAY)
    await client.collect(1.0)  # teleports are one per 0.5 s; keep reading meanwhile


def wait_for_visits(data_dir: Path, booth: str, visits: int) -> dict[str, object]:
    """Poll the export until ``booth`` shows ``visits`` (bounded)."""
    deadline = time.monotonic() + 30 * TIME_FACTOR
    while True:
        row = export(data_dir, None, "--booth", booth)["booths"][booth]
        if row["visits"] >= visits or time.monotonic() > deadline:
            return row
        time.sleep(0.5)


async def test_kill_9_mid_minute_loses_at_most_that_minute_and_counts_nothing_twice(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(tmp_path, *FAST_REACH).start(60)
    try:
        first = await Client.connect(server.ws)
        await first.join("first")
        await visit(first, "retail-01")
        assert wait_for_visits(data, "retail-01", 1)["visits"] == 1  # written before the crash
        second = await Client.connect(server.ws)
        await second.join("second")
        await second.teleport(*FRONT["retail-03"])
        await second.collect(STAY_S)  # a visit under way in the current minute
    finally:
        server.kill()  # SIGKILL: no shutdown, no last write
    after_crash = export(data)["booths"]
    assert after_crash["retail-01"]["visits"] == 1
    assert after_crash["retail-03"]["visits"] <= 1  # written already, or lost with its minute

    again = ServerProcess(tmp_path, *FAST_REACH).start(60)
    try:
        third = await Client.connect(again.ws)
        await third.join("third")
        await visit(third, "retail-01")
        await third.close()
    finally:
        assert again.stop() == 0
    booths = export(data)["booths"]
    retail = booths["retail-01"]
    assert retail["visits"] == 2  # one before the crash, one after: none twice
    assert retail["unique_visitors"] == 2
    assert 2 * (STAY_S - 1.0) <= retail["dwell_s"] <= 2 * (STAY_S + 1.0)
    assert booths["retail-03"]["visits"] == after_crash["retail-03"]["visits"]
