"""Running the booth-tour harness and the export as a person would, for the reach tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, TIME_FACTOR
from tests.databases import url_args
from tests.live import metric

#: Reach settings of the test servers: samples four times a second (a stay's dwell is then
#: within about a quarter second, so a small run's few stays add up to within 2 %), and the
#: current minute written every second.
FLUSH_S = 1.0
FAST_REACH = ("--analytics-sample-hz", "4", "--analytics-flush-s", str(FLUSH_S))
SAMPLE_PERIOD = 0.25
#: These servers refuse joins only when the tick is over its whole period: the tests are about
#: reach, not the tick-load guard (tests/sync/test_tick.py), and at the default 0.8 the shared
#: machine's load alone turns a test's visitors away with "hall full".
ANY_TICK_LOAD = ("--tick-load-limit", "1.0")
#: The server's tick period (its default 20 Hz): a pose waits up to this long for the tick that
#: applies it, before any sample can see it.
TICK_PERIOD = 1 / 20


def dwell_slack(metrics_texts: list[str]) -> float:
    """How far one stay's dwell may be from the harness's, from the servers' own sampling.

    The server credits a stay from the sample before it was first seen to the last sample that
    saw it, so each stay is off by less than the gap between samples around its start or end,
    plus up to one tick for the pose to be applied. On an idle machine the gap is the nominal
    SAMPLE_PERIOD; on a loaded one the event loop stalls and gaps are longer: the servers report
    their longest (``metaexpo_reach_sample_gap_max_seconds``), and that is the bound used.
    """
    gaps = [metric(text, "metaexpo_reach_sample_gap_max_seconds") for text in metrics_texts]
    return max([SAMPLE_PERIOD, *gaps]) + TICK_PERIOD


def booth_tour(
    urls: list[str], out: Path, *, clients: int, duration: float, seed: int = 7
) -> dict[str, Any]:
    """Run ``metaexpo loadtest --scenario booth-tour`` to its end; its JSON report."""
    args = [sys.executable, "-m", "metaexpo", "loadtest", "--scenario", "booth-tour"]
    for url in urls:
        args += ["--url", url]
    args += ["--clients", str(clients), "--duration", str(duration), "--ramp", "2"]
    args += ["--seed", str(seed), "--json", str(out), "--quiet", "--procs", "1"]
    done = subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=(duration + 120) * TIME_FACTOR,
        check=False,
    )
    assert done.returncode == 0, f"the harness failed:\n{done.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def export(data_dir: Path, database_url: str | None = None, *extra: str) -> dict[str, Any]:
    """``metaexpo analytics export --json`` of a data folder (or database)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "metaexpo",
            "analytics",
            "export",
            "--json",
            "--data-dir",
            str(data_dir),
            *url_args(database_url),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120 * TIME_FACTOR,
        check=False,
    )
    assert done.returncode == 0, f"the export failed:\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def totals(figures: dict[str, Any], name: str) -> float:
    """One figure summed over every booth."""
    return sum(row[name] for row in figures["booths"].values())
