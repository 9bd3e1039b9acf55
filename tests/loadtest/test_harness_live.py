"""The load-test harness itself, against a real server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from metaexpo.loadtest import promtext, stamps
from metaexpo.loadtest.plans import Hall, Scenario, make_plans
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.conftest import ROOT, TIME_FACTOR
from tests.live import ServerProcess

pytestmark = pytest.mark.integration

REQUIRED = {
    "clients_connected",
    "disconnects",
    "errors",
    "latency_ms",
    "server_added_ms",
    "bytes_per_client_s",
    "bytes_per_avatar_update",
    "updates_per_client_s",
    "server_cpu_cores",
    "server_rss_mb",
    "tick_ms",
    "tick_overruns",
    "server_frames_skipped_congested",
    "generator_cpu_cores",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("lt")).start()
    yield srv
    srv.stop()


def run_loadtest(server: ServerProcess, tmp: Path, *args: str) -> dict[str, object]:
    out = tmp / "report.json"
    plot = tmp / "report.png"
    cmd = [
        sys.executable,
        "-m",
        "metaexpo",
        "loadtest",
        "--url",
        server.http,
        "--json",
        str(out),
        "--plot",
        str(plot),
        "--quiet",
        *args,
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=120 * TIME_FACTOR)
    assert plot.stat().st_size > 10_000
    return dict(json.loads(out.read_text()))


def test_short_hall_walk_completes_with_every_benchmark_field(
    server: ServerProcess, tmp_path: Path
) -> None:
    report = run_loadtest(
        server,
        tmp_path,
        "--scenario",
        "hall-walk",
        "--clients",
        "40",
        "--duration",
        "4",
        "--ramp",
        "1",
        "--probes",
        "8",
    )
    assert report.keys() >= REQUIRED
    assert report["clients_connected"] == 40
    assert report["disconnects"] == 0 and report["errors"] == 0
    lat = report["latency_ms"]
    assert isinstance(lat, dict)
    assert lat["samples"] > 100
    assert set(lat) >= {"p50", "p95", "p99", "max"}
    assert report["bytes_per_client_s"]["down"] > 0  # type: ignore[index]
    assert report["server_cpu_cores"] > 0  # type: ignore[operator]


def test_crowd_scenario_sends_vr_poses_that_probes_can_time(
    server: ServerProcess, tmp_path: Path
) -> None:
    report = run_loadtest(
        server,
        tmp_path,
        "--scenario",
        "crowd",
        "--clients",
        "30",
        "--duration",
        "3",
        "--ramp",
        "1",
        "--probes",
        "5",
    )
    assert report["clients_connected"] == 30
    assert report["latency_ms"]["samples"] > 50  # type: ignore[index]
    assert report["bytes_per_avatar_update"] is not None


def test_plans_are_reproducible_and_spread_probes() -> None:
    hall = Hall("main", (-128, 0, -128), (128, 16, 128), ((0.0, 0.0), (50.0, 50.0)), (100.0, 0.0))
    a = make_plans(hall, Scenario.HALL_WALK, 200, 7, 10, 2)
    b = make_plans(hall, Scenario.HALL_WALK, 200, 7, 10, 2)
    assert a == b
    assert sum(p.probe for p in a) == 10
    assert 0.2 < sum(p.walker for p in a) / 200 < 0.45
    assert {p.url_index for p in a} == {0, 1}
    crowd = make_plans(hall, Scenario.CROWD, 100, 1, 0, 1)
    d = [np.hypot(p.start[0] - 100, p.start[1]) for p in crowd]
    assert max(d) <= 20.01


def test_stamps_survive_the_servers_quantisation() -> None:
    from metaexpo.protocol import quantise as q  # noqa: PLC0415

    for stamp in (0, 1, 127, 128, 16_383, 32_767, 12_345):
        yaw, pitch = stamps.desktop_angles(stamp)
        yq = q.quantise_yaw(np.float32(yaw))
        pq = q.quantise_pitch(np.float32(pitch))
        assert int(stamps.desktop_stamps(np.array([yq]), np.array([pq]))[0]) == stamp


def test_histogram_quantile_interpolates_within_buckets() -> None:
    text = "\n".join(
        [
            'h_bucket{le="0.01"} 10',
            'h_bucket{le="0.02"} 90',
            'h_bucket{le="+Inf"} 100',
        ]
    )
    buckets = promtext.parse(text).buckets("h")
    assert promtext.quantile(buckets, 0.5) == pytest.approx(0.015)
    assert promtext.quantile(buckets, 0.05) == pytest.approx(0.005)


def test_an_unreachable_server_is_named_in_a_one_line_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "metaexpo", "loadtest", "--url", "http://127.0.0.1:9", "--quiet"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60 * TIME_FACTOR,
    )
    assert out.returncode == 2
    assert "cannot reach http://127.0.0.1:9" in out.stderr
    assert "Traceback" not in out.stderr


VOICE_FIELDS = {
    "latency_ms",
    "bytes_per_listener_s",
    "speakers_per_listener",
    "misrouted",
    "missed",
}


def test_voice_scenario_reports_every_voice_figure_and_routes_nothing_wrong(
    server: ServerProcess, tmp_path: Path
) -> None:
    report = run_loadtest(
        server,
        tmp_path,
        "--scenario",
        "voice",
        "--clients",
        "40",
        "--duration",
        "4",
        "--ramp",
        "1",
        "--probes",
        "8",
        "--talk-share",
        "0.5",
    )
    voice = report["voice"]
    assert isinstance(voice, dict)
    assert voice.keys() >= VOICE_FIELDS
    assert voice["chunks_sent"] > 0 and voice["chunks_received"] > 0
    assert set(voice["latency_ms"]) >= {"p50", "p99"} and voice["latency_ms"]["samples"] > 0
    assert set(voice["speakers_per_listener"]) == {"mean", "max"}
    assert voice["misrouted"] == 0
    assert voice["expected"] > 0 and 0 <= voice["missed"] <= voice["expected"]
    assert voice["bytes_per_listener_s"] > 0


def test_forum_scenario_runs_a_real_session_and_times_audio_slides_and_questions(
    tmp_path: Path,
) -> None:
    create_staff(tmp_path / "data")
    srv = ServerProcess(tmp_path).start()
    try:
        out = tmp_path / "forum.json"
        cmd = [
            sys.executable,
            "-m",
            "metaexpo",
            "loadtest",
            "--url",
            srv.http,
            "--json",
            str(out),
            "--quiet",
            "--scenario",
            "forum",
            "--clients",
            "30",
            "--duration",
            "6",
            "--ramp",
            "1",
            "--probes",
            "6",
            "--chat-per-s",
            "5",
            "--slide-every",
            "1",
            "--staff-login",
            STAFF_LOGIN,
        ]
        env = {**os.environ, "METAEXPO_LOADTEST_STAFF_PASSWORD": STAFF_PASSWORD}
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=180 * TIME_FACTOR)
        report = json.loads(out.read_text())
        session = next(
            s
            for s in httpx.get(f"{srv.http}/api/forums").json()["sessions"]
            if s["id"].startswith("loadtest-")
        )
    finally:
        srv.stop()
    # The harness ran its own session through the forum API, and ended it afterwards.
    assert session["state"] in ("ended", "replay")
    audio = report["audio"]
    # How many chunks and slide turns fit in the run depends on the machine's speed: this
    # test pins that each figure is measured; how fast lives in the benchmarks.
    assert audio["chunks_sent"] > 0
    assert audio["latency_ms"]["samples"] > 0 and audio["latency_ms"]["p99"] is not None
    assert audio["listeners_checked"] == 6
    assert audio["gap_ratio"] is not None and 0 <= audio["gap_ratio"] <= 1
    assert audio["bytes_per_listener_s"] > 0
    slides, qa = report["slides"], report["qa"]
    assert slides["turns"] >= 1
    assert slides["latency_ms"]["samples"] > 0 and slides["latency_ms"]["p99"] is not None
    assert qa["questions_sent"] > 0
    assert qa["latency_ms"]["samples"] > 0 and qa["latency_ms"]["p99"] is not None
    assert report["clients_connected"] == 30
    refused = {k for k in report["error_codes"] if k.startswith("forum") or k == "not_on_stage"}
    assert not refused, report["error_codes"]
