"""Run a load test: plan the bots, start generator processes, watch, report.

The parent process does no WebSocket work itself. It fetches the hall from
the first server, splits the bots over ``--procs`` generator processes (and
the ``--url`` servers), scrapes every server's /metrics at the start and end
of the measurement window (and once a second for the timeline), shows live
progress, and turns the workers' counts into the report of BENCHMARKS.md.
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import queue as queue_mod
import shlex
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import numpy as np
import psutil
from rich.console import Console
from rich.live import Live
from rich.table import Table

from metaexpo.analytics.areas import AreaSet
from metaexpo.errors import MetaExpoError
from metaexpo.loadtest import forumdrive, promtext
from metaexpo.loadtest.forumdrive import ForumRun
from metaexpo.loadtest.plans import BotPlan, Hall, Scenario, make_plans
from metaexpo.loadtest.tour import Tour, TourMap, booth_spots, make_tours
from metaexpo.loadtest.truth import merge
from metaexpo.loadtest.worker import WorkerConfig, worker_main

SETTLE_S = 2.0
#: Report fields read from the servers' /metrics.
_SERVER_FIGURES = (
    "server_added_ms",
    "server_cpu_cores",
    "server_rss_mb",
    "tick_ms",
    "tick_overruns",
    "server_frames_skipped_congested",
    "server_frames_out_per_s",
    "server_bytes_out_per_s",
)


@dataclass(frozen=True)
class LoadtestOptions:
    """What to run (the CLI fills this in)."""

    urls: list[str]
    scenario: Scenario
    clients: int
    duration: float
    ramp: float
    seed: int
    procs: int
    probes: int
    room: str = "main"
    json_path: Path | None = None
    plot_path: Path | None = None
    quiet: bool = False
    label: str = ""
    #: voice: share of visitors in a talk turn at any moment.
    talk_share: float = 0.1
    #: 20 ms chunks per AUDIO frame (voice and forum talkers).
    media_batch: int = 2
    #: forum: a staff account the harness runs its session with (docs/forums.md).
    staff_login: str | None = None
    staff_password: str | None = None
    #: forum: audience chat lines a second, and seconds between two slide turns.
    chat_per_s: int = 50
    slide_every: float = 10.0


def ws_and_http(url: str) -> tuple[str, str]:
    """(ws URL of /ws, http base URL) from either form of a server URL."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    secure = parts.scheme in ("https", "wss")
    ws = urlunsplit(("wss" if secure else "ws", parts.netloc, "/ws", "", ""))
    http = urlunsplit(("https" if secure else "http", parts.netloc, "", "", ""))
    return ws, http


class HarnessError(MetaExpoError):
    """The load test cannot run (e.g. the server is unreachable); the message says why."""


def fetch_hall(http: str, room: str) -> Hall:
    """The hall layout the bots walk in."""
    try:
        r = httpx.get(f"{http}/api/rooms/{room}", timeout=10)
    except httpx.HTTPError as exc:
        raise HarnessError(f"cannot reach {http}: {exc}; is the server running?") from None
    if r.status_code == 404:
        raise HarnessError(f"{http} has no room {room!r}: {r.json().get('detail', '')}")
    r.raise_for_status()
    d = r.json()
    stages = d.get("stages") or [[0.0, 0.0]]
    points = tuple((float(x), float(z)) for x, z in d["points_of_interest"]) or ((0.0, 0.0),)
    areas = d.get("forum_areas") or []
    return Hall(
        room,
        tuple(d["bounds"]["min"]),
        tuple(d["bounds"]["max"]),
        points,
        (float(stages[0][0]), float(stages[0][1])),
        forum_area=_rect(areas[0]) if areas else None,
        voice_zones=tuple(_rect(z) for z in d.get("voice_zones") or []),
    )


@dataclass(frozen=True)
class TourSetup:
    """What the booth-tour bots need: their tours, the booths' areas, consent versions."""

    tours: list[Tour]
    areas: AreaSet
    consent: dict[str, str]
    booths: list[str]


def plan_tours(http: str, hall: Hall, opts: LoadtestOptions) -> TourSetup:
    """Plan every bot's booth tour from the server's catalog (booth-tour)."""
    try:
        catalog = httpx.get(f"{http}/api/catalog", timeout=30).json()
        spots = booth_spots(catalog["booths"], hall.room)
        consent = {
            s.id: httpx.get(f"{http}/api/reach/consent/{s.id}", timeout=30).json()["en"]["version"]
            for s in spots
        }
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise HarnessError(
            f"cannot read the catalog and consent texts from {http}: {exc}"
        ) from None
    tour_map = TourMap(spots, hall.bounds_min, hall.bounds_max)
    legs = max(4, int(opts.duration / 15.0) + 2)
    tours = make_tours(tour_map, opts.clients, opts.seed, legs, hop=len(opts.urls) > 1)
    return TourSetup(tours, tour_map.areas, consent, [s.id for s in spots])


def _rect(values: list[float]) -> tuple[float, float, float, float]:
    x0, x1, z0, z1 = (float(v) for v in values)
    return x0, x1, z0, z1


def split_plans(plans: list[BotPlan], procs: int) -> list[list[BotPlan]]:
    """Bots per generator process.

    With two or more processes the probes get one to themselves: a process
    that only reads a few dozen sockets is woken at once when their frames
    arrive, instead of queueing behind thousands of other bots' frames, so
    the latency it measures is the server's and the network's, not the
    generator's own backlog.
    """
    if procs == 1:
        return [plans]
    probes = [p for p in plans if p.probe]
    others = [p for p in plans if not p.probe]
    if not probes:
        return [plans[w::procs] for w in range(procs)]
    return [probes] + [others[w :: procs - 1] for w in range(procs - 1)]


def scrape(http: str) -> promtext.Scrape | None:
    """The server's /metrics, or None if the server does not answer (overloaded, gone)."""
    try:
        r = httpx.get(f"{http}/metrics", timeout=10)
        r.raise_for_status()
    except httpx.HTTPError:
        return None
    return promtext.parse(r.text)


def scrape_all(urls: list[str]) -> list[promtext.Scrape] | None:
    """Every server's /metrics, or None if any of them does not answer."""
    scrapes = [scrape(h) for h in urls]
    return None if any(s is None for s in scrapes) else [s for s in scrapes if s is not None]


@dataclass
class Totals:
    """Aggregated worker reports over the measurement window."""

    bytes_down: int = 0
    bytes_up: int = 0
    frames_down: int = 0
    probe_records: int = 0
    probe_pose_bytes: int = 0
    probe_frames: int = 0
    latencies: list[np.ndarray] = field(default_factory=list)
    latencies_same: list[np.ndarray] = field(default_factory=list)
    latencies_cross: list[np.ndarray] = field(default_factory=list)
    join_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    disconnects: Counter[str] = field(default_factory=Counter)
    slow_disconnects: int = 0
    generator_cpu: dict[int, float] = field(default_factory=dict)
    joined: dict[int, int] = field(default_factory=dict)
    probes: dict[int, int] = field(default_factory=dict)
    refused: dict[int, dict[str, int]] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    #: booth-tour: each generator's ground truth (metaexpo.loadtest.truth).
    truths: list[dict[str, Any]] = field(default_factory=list)
    media_chunks_sent: int = 0
    media_bytes_sent: int = 0
    host_slots: list[int] = field(default_factory=list)
    voice_latencies: list[np.ndarray] = field(default_factory=list)
    voice_bytes: int = 0
    voice_chunks: int = 0
    speakers_per_second: list[int] = field(default_factory=list)
    misrouted: int = 0
    expected: int = 0
    missed: int = 0
    capped: int = 0
    stage_latencies: list[np.ndarray] = field(default_factory=list)
    stage_bytes: int = 0
    stage_slots: dict[int, list[int]] = field(default_factory=dict)
    slides_sent: list[tuple[int, int]] = field(default_factory=list)
    slides_seen: list[tuple[int, int]] = field(default_factory=list)
    qa_latencies: list[int] = field(default_factory=list)
    questions_sent: int = 0

    def add(self, msg: dict[str, Any]) -> np.ndarray:
        w = msg["worker"]
        self.joined[w] = msg["joined"]
        lat = np.frombuffer(msg["latency"], np.int32)
        if msg["measuring"] or msg["final"]:
            self.bytes_down += msg["bytes_down"]
            self.bytes_up += msg["bytes_up"]
            self.frames_down += msg["frames_down"]
            self.probe_records += msg["probe_records"]
            self.probe_pose_bytes += msg["probe_pose_bytes"]
            self.probe_frames += msg["probe_frames"]
            self.latencies.append(lat)
            self.latencies_same.append(np.frombuffer(msg["latency_same"], np.int32))
            self.latencies_cross.append(np.frombuffer(msg["latency_cross"], np.int32))
            self.join_ms.extend(msg["join_ms"])
            self.errors.update(msg["errors"])
            self.disconnects.update(msg["disconnects"])
            self.slow_disconnects += msg["slow_disconnects"]
            self.probes[w] = msg["probes"]
            self.media_chunks_sent += msg["media_chunks_sent"]
            self.media_bytes_sent += msg["media_bytes_sent"]
            self.host_slots += msg["host_slots"]
            self.voice_latencies.append(np.frombuffer(msg["voice_latency"], np.int32))
            self.voice_bytes += msg["voice_bytes"]
            self.voice_chunks += msg["voice_chunks"]
            self.speakers_per_second += msg["speakers_per_second"]
            self.misrouted += msg["misrouted"]
            self.expected += msg["expected"]
            self.missed += msg["missed"]
            self.capped += msg["capped"]
            self.stage_latencies.append(np.frombuffer(msg["stage_latency"], np.int32))
            self.stage_bytes += msg["stage_bytes"]
            self.stage_slots.update(msg["stage_slots"])
            self.slides_sent += [tuple(x) for x in msg["slides_sent"]]
            self.slides_seen += [tuple(x) for x in msg["slides_seen"]]
            self.qa_latencies += msg["qa_latencies"]
            self.questions_sent += msg["questions_sent"]
        self.refused[w] = msg["refused"]
        if msg["final"]:
            self.generator_cpu[w] = msg["cpu_window"]
            if msg.get("truth") is not None:
                self.truths.append(msg["truth"])
        return lat


def _pct(values: np.ndarray, q: float) -> float | None:
    return float(np.percentile(values, q)) if len(values) else None


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000.0, 3)


def machine() -> dict[str, Any]:
    """The machine the generator ran on."""
    return {
        "hostname": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def run(opts: LoadtestOptions) -> dict[str, Any]:
    """Run one load test and return its report (also written to --json / --plot)."""
    console = Console(stderr=True, quiet=opts.quiet)
    endpoints = [ws_and_http(u) for u in opts.urls]
    ws_urls = [w for w, _ in endpoints]
    http_urls = [h for _, h in endpoints]
    hall = fetch_hall(http_urls[0], opts.room)
    tour: TourSetup | None = None
    if opts.scenario is Scenario.BOOTH_TOUR:
        tour = plan_tours(http_urls[0], hall, opts)
        plans = [
            BotPlan(i, t.start, False, False, False, False, i % len(ws_urls))
            for i, t in enumerate(tour.tours)
        ]
    else:
        plans = make_plans(hall, opts.scenario, opts.clients, opts.seed, opts.probes, len(ws_urls))
    forum = _forum_session(opts, http_urls[0], plans) if opts.scenario is Scenario.FORUM else None
    start_at = time.time() + 1.5
    run_started = time.monotonic()
    window_start = start_at + opts.ramp + SETTLE_S
    window_end = window_start + opts.duration
    ctx = mp.get_context("spawn")
    q: mp.Queue[dict[str, Any]] = ctx.Queue()
    shares = split_plans(plans, opts.procs)
    procs = []
    for w in range(opts.procs):
        cfg = WorkerConfig(
            worker=w,
            ws_urls=ws_urls,
            http_urls=http_urls,
            hall=hall,
            scenario=opts.scenario,
            plans=shares[w],
            start_at=start_at,
            ramp_s=opts.ramp,
            window_start=window_start,
            window_end=window_end,
            tick_hz=20.0,
            seed=opts.seed,
            tours=None if tour is None else {p.index: tour.tours[p.index] for p in shares[w]},
            booth_areas=None if tour is None else tour.areas,
            consent=None if tour is None else tour.consent,
            talk_share=opts.talk_share,
            media_batch=opts.media_batch,
            forum=forum,
            chat_per_s=opts.chat_per_s,
            slide_every=opts.slide_every,
        )
        p = ctx.Process(target=worker_main, args=(cfg, q), daemon=True)
        p.start()
        procs.append(p)

    totals = Totals()
    before: list[promtext.Scrape] | None = None
    prev_cpu: tuple[float, float] | None = None
    finals = 0
    live_table = Table()
    with Live(live_table, console=console, refresh_per_second=2, transient=True) as live:
        while finals < opts.procs:
            now = time.time()
            if before is None and now >= window_start:
                before = scrape_all(http_urls) or []
            try:
                msg = q.get(timeout=0.25)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs):
                    break
                continue
            lat = totals.add(msg)
            finals += int(msg["final"])
            if msg["worker"] == 0 and not msg["final"]:
                scrapes = scrape_all(http_urls)
                server_cpu = None
                if scrapes is not None:
                    cpu = sum(s.total("process_cpu_seconds_total") for s in scrapes)
                    server_cpu = (cpu - prev_cpu[0]) / (now - prev_cpu[1]) if prev_cpu else None
                    prev_cpu = (cpu, now)
                point = {
                    "t": round(now - start_at, 2),
                    "joined": sum(totals.joined.values()),
                    "latency_p50_ms": _pct(lat, 50),
                    "latency_p99_ms": _pct(lat, 99),
                    "server_cpu_cores": server_cpu,
                    "measuring": msg["measuring"],
                }
                totals.timeline.append(point)
                live.update(_live_table(opts, point, totals))
    after = scrape_all(http_urls)
    for p in procs:
        p.join(timeout=10)
    if forum is not None:
        forumdrive.finish(http_urls[0], forum)
    blank = [promtext.Scrape() for _ in http_urls]
    server_ok = after is not None and bool(before)
    report = _report(opts, hall, totals, before or blank, after or blank, window_end - window_start)
    if tour is not None:
        truth = merge(totals.truths, tour.booths)
        for key in ("first_join", "last_leave"):
            # Monotonic times of the generators, as seconds since the run's start.
            if truth[key] is not None:
                truth[key] = round(truth[key] - run_started, 3)
        report["ground_truth"] = truth
        report["reach_errors"] = {
            code: n
            for code, n in totals.errors.items()
            if code.startswith(("reach", "rate_limited", "guest", "connect"))
        }
    if not server_ok:
        # An overloaded server that cannot answer /metrics has no server-side figures.
        for key in _SERVER_FIGURES:
            value = report[key]
            report[key] = dict.fromkeys(value) if isinstance(value, dict) else None
        report["server_metrics"] = "the server did not answer /metrics within 10 s (overloaded)"
    if opts.json_path is not None:
        import json  # noqa: PLC0415

        opts.json_path.parent.mkdir(parents=True, exist_ok=True)
        opts.json_path.write_text(json.dumps(report, indent=2) + "\n")
    if opts.plot_path is not None:
        from metaexpo.loadtest.plot import plot_run  # noqa: PLC0415 - matplotlib is slow to import

        plot_run(report, opts.plot_path)
    if not opts.quiet:
        console.print(summary_table(report))
    return report


def _live_table(opts: LoadtestOptions, point: dict[str, Any], totals: Totals) -> Table:
    t = Table(title=f"{opts.scenario} · {opts.clients} bots · {opts.procs} generator proc(s)")
    for col in ("t s", "joined", "lat p50 ms", "lat p99 ms", "server CPU", "disconnects", "errors"):
        t.add_column(col)

    def f(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f}"

    t.add_row(
        f(point["t"]),
        str(point["joined"]),
        f(point["latency_p50_ms"]),
        f(point["latency_p99_ms"]),
        f(point["server_cpu_cores"]),
        str(sum(totals.disconnects.values())),
        str(sum(totals.errors.values())),
    )
    return t


def _report(
    opts: LoadtestOptions,
    hall: Hall,
    t: Totals,
    before: list[promtext.Scrape],
    after: list[promtext.Scrape],
    duration: float,
) -> dict[str, Any]:
    lat = np.concatenate(t.latencies) if t.latencies else np.zeros(0)

    def split(parts: list[np.ndarray]) -> dict[str, float | int | None]:
        arr = np.concatenate(parts) if parts else np.zeros(0)
        return {"p50": _pct(arr, 50), "p99": _pct(arr, 99), "samples": len(arr)}

    n = max(1, sum(t.joined.values()))
    probes = max(1, sum(t.probes.values()))

    def delta(name: str) -> float:
        return sum(a.total(name) - b.total(name) for a, b in zip(after, before, strict=True))

    def hist(name: str) -> list[tuple[float, float]]:
        merged: defaultdict[float, float] = defaultdict(float)
        for a, b in zip(after, before, strict=True):
            for le, c in promtext.histogram_delta(b, a, name):
                merged[le] += c
        return sorted(merged.items())

    added = hist("metaexpo_server_added_seconds")
    ticks = hist("metaexpo_tick_seconds")
    gen_cpu = sum(t.generator_cpu.values()) / duration
    return {
        "scenario": str(opts.scenario),
        "label": opts.label,
        "clients": opts.clients,
        "clients_connected": sum(t.joined.values()),
        "disconnects": sum(t.disconnects.values()),
        "disconnect_reasons": dict(t.disconnects),
        "joins_refused": dict(sum((Counter(r) for r in t.refused.values()), Counter())),
        # Since the server started (refusals happen while bots ramp up, before the window).
        "server_joins_refused_total": int(
            sum(a.total("metaexpo_joins_refused_total") for a in after)
        ),
        "errors": sum(t.errors.values()),
        "error_codes": dict(t.errors),
        "latency_ms": {
            "p50": _pct(lat, 50),
            "p95": _pct(lat, 95),
            "p99": _pct(lat, 99),
            "max": float(lat.max()) if len(lat) else None,
            "samples": len(lat),
        },
        "latency_ms_same_node": split(t.latencies_same),
        "latency_ms_cross_node": split(t.latencies_cross),
        "server_added_ms": {
            "p50": _ms(promtext.quantile(added, 0.5)),
            "p99": _ms(promtext.quantile(added, 0.99)),
        },
        "bytes_per_client_s": {
            "down": round(t.bytes_down / n / duration, 1),
            "up": round(t.bytes_up / n / duration, 1),
        },
        "bytes_per_avatar_update": (
            round(t.probe_pose_bytes / t.probe_records, 2) if t.probe_records else None
        ),
        "updates_per_client_s": round(t.probe_records / probes / duration, 1),
        "server_cpu_cores": round(delta("process_cpu_seconds_total") / duration, 4),
        "server_rss_mb": round(
            sum(a.total("process_resident_memory_bytes") for a in after) / 2**20, 1
        ),
        "tick_ms": {
            "p50": _ms(promtext.quantile(ticks, 0.5)),
            "p99": _ms(promtext.quantile(ticks, 0.99)),
        },
        "tick_overruns": int(delta("metaexpo_tick_overruns_total")),
        # Frames the servers skipped for clients whose send buffer was full: where a run's
        # probes miss media or updates, this says whether the server held them back.
        "server_frames_skipped_congested": int(delta("metaexpo_frames_skipped_congested_total")),
        "server_frames_out_per_s": round(delta("metaexpo_frames_out_total") / duration, 1),
        "server_bytes_out_per_s": round(delta("metaexpo_bytes_out_total") / duration, 1),
        "generator_cpu_cores": round(gen_cpu, 4),
        "generator_cpu_cores_max_proc": round(
            max(t.generator_cpu.values(), default=0) / duration, 4
        ),
        "generator_procs": opts.procs,
        "probes": sum(t.probes.values()),
        "join_ms": {
            "p50": _pct(np.array(t.join_ms), 50),
            "p99": _pct(np.array(t.join_ms), 99),
            "samples": len(t.join_ms),
        },
        "slow_reader_disconnects": t.slow_disconnects,
        "duration_s": duration,
        "ramp_s": opts.ramp,
        "seed": opts.seed,
        "urls": opts.urls,
        "room": hall.room,
        "timeline": t.timeline,
        "machine": machine(),
        "command": " ".join(["metaexpo", *(shlex.quote(a) for a in sys.argv[1:])]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": "e2e latency: send-time stamps in pose fields, read back by probe bots "
        "(docs/protocol.md); every bot reads its socket, probes also decode.",
        **_media_report(opts, t, probes, duration, hist("metaexpo_media_added_seconds")),
    }


def _latency(parts: list[np.ndarray]) -> dict[str, float | int | None]:
    arr = np.concatenate(parts) if parts else np.zeros(0)
    return {"p50": _pct(arr, 50), "p99": _pct(arr, 99), "samples": len(arr)}


#: Stage chunks this close to either end of the window are not counted in the gap ratio.
_EDGE_SLOTS = 25


def _media_report(
    opts: LoadtestOptions,
    t: Totals,
    probes: int,
    duration: float,
    added: list[tuple[float, float]],
) -> dict[str, Any]:
    """The media figures of the voice and forum scenarios (BENCHMARKS.md, issues 10 and 11)."""
    if opts.scenario is Scenario.VOICE:
        heard = np.array(t.speakers_per_second or [0])
        return {
            "voice": {
                "talk_share": opts.talk_share,
                "media_batch": opts.media_batch,
                "chunks_sent": t.media_chunks_sent,
                "bytes_sent_per_s": round(t.media_bytes_sent / duration, 1),
                "chunks_received": t.voice_chunks,
                "latency_ms": _latency(t.voice_latencies),
                "server_added_ms": {
                    "p50": _ms(promtext.quantile(added, 0.5)),
                    "p99": _ms(promtext.quantile(added, 0.99)),
                },
                "bytes_per_listener_s": round(t.voice_bytes / probes / duration, 1),
                "speakers_per_listener": {
                    "mean": round(float(heard.mean()), 2),
                    "max": int(heard.max()),
                },
                "misrouted": t.misrouted,
                "missed": t.missed,
                "expected": t.expected,
                "capped": t.capped,
                "method": "probe listeners time voice chunks by the send stamp inside the "
                "chunk; who talks when is a function of the seed, the avatar id and the 20 ms "
                "slot, so each probe knows from its near set which chunks it must get "
                "(speaker within radius - 1 m, same voice zone, cap not in play: 'expected'; "
                "'capped' are those the cap may have dropped) and which it must not "
                "(beyond radius + 1 m, other zone, not in its near set, not talking: "
                "'misrouted'). Speakers per listener: distinct speakers heard per second.",
            }
        }
    if opts.scenario is not Scenario.FORUM:
        return {}
    sent = np.unique(np.array(t.host_slots, np.int64))
    inner = sent[_EDGE_SLOTS:-_EDGE_SLOTS] if len(sent) > 2 * _EDGE_SLOTS else sent[:0]
    owed = len(inner) * len(t.stage_slots)
    missed = sum(
        len(np.setdiff1d(inner, np.array(got, np.int64))) for got in t.stage_slots.values()
    )
    return {
        "audio": {
            "chunks_sent": len(sent),
            "latency_ms": _latency(t.stage_latencies),
            "server_added_ms": {
                "p50": _ms(promtext.quantile(added, 0.5)),
                "p99": _ms(promtext.quantile(added, 0.99)),
            },
            "gap_ratio": round(missed / owed, 6) if owed else None,
            "bytes_per_listener_s": round(t.stage_bytes / probes / duration, 1),
            "listeners_checked": len(t.stage_slots),
            "method": "the host stamps each stage chunk; every probe listener in the forum "
            "hall must receive every chunk the host sent in the window (0.5 s edges left "
            "out): gap_ratio = chunks missed / (chunks sent x probes).",
        },
        "slides": {
            "turns": len(t.slides_sent),
            "latency_ms": _latency(_slide_latencies(t.slides_sent, t.slides_seen)),
            "method": "the host bot turns the slide (forum.slide on its socket) every "
            f"{opts.slide_every:g} s; every probe listener notes when forum.state first shows "
            "the new page: latency = that moment - the turn's (same machine clock).",
        },
        "qa": {
            "questions_sent": t.questions_sent,
            "latency_ms": _latency([np.array(t.qa_latencies, np.int32)]),
            "method": "audience bots with guest tokens ask (forum.question, the send time "
            "in the text); a staff bot watching the session's queue notes when forum.queue "
            "first lists each question: latency = that moment - the send time.",
        },
    }


def _slide_latencies(sent: list[tuple[int, int]], seen: list[tuple[int, int]]) -> list[np.ndarray]:
    """Per probe sighting of a page, ms since the host last turned to that page before."""
    turns: dict[int, list[int]] = {}
    for page, at in sorted(sent, key=lambda x: x[1]):
        turns.setdefault(page, []).append(at)
    out = []
    for page, at in seen:
        before = [t for t in turns.get(page, ()) if t <= at]
        if before:
            out.append(at - before[-1])
    return [np.array(out, np.int32)]


def _forum_session(opts: LoadtestOptions, http: str, plans: list[BotPlan]) -> ForumRun:
    """The live session the forum bots run, set up through the forum API as staff."""
    if not opts.staff_login or not opts.staff_password:
        raise HarnessError(
            "the forum scenario runs a real forum session: give a staff account with "
            "--staff-login and METAEXPO_LOADTEST_STAFF_PASSWORD (or --staff-password)"
        )
    askers = sum(1 for p in plans if p.asker >= 0)
    try:
        return forumdrive.prepare(http, opts.room, opts.staff_login, opts.staff_password, askers)
    except (forumdrive.ForumSetupError, httpx.HTTPError) as exc:
        raise HarnessError(str(exc)) from None


def summary_table(report: dict[str, Any]) -> Table:
    """The final table printed after a run."""
    t = Table(
        title=f"{report['scenario']} · {report['clients']} clients · {report['duration_s']:.0f} s"
    )
    t.add_column("metric")
    t.add_column("value", justify="right")
    lat = report["latency_ms"]

    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)

    same, cross = report["latency_ms_same_node"], report["latency_ms_cross_node"]
    rows = [
        ("clients connected", report["clients_connected"]),
        ("disconnects / errors", f"{report['disconnects']} / {report['errors']}"),
        (
            "latency p50 / p95 / p99 / max ms",
            " / ".join(f(lat[k]) for k in ("p50", "p95", "p99", "max")),
        ),
        ("latency samples", lat["samples"]),
        ("same-node / cross-node p99 ms", f"{f(same['p99'])} / {f(cross['p99'])}"),
        ("server-added p99 ms", report["server_added_ms"]["p99"]),
        (
            "bytes/client/s down / up",
            f"{report['bytes_per_client_s']['down']} / {report['bytes_per_client_s']['up']}",
        ),
        ("bytes per avatar update", report["bytes_per_avatar_update"]),
        ("updates per client/s", report["updates_per_client_s"]),
        ("server CPU cores", report["server_cpu_cores"]),
        ("server RSS MB", report["server_rss_mb"]),
        ("tick p50 / p99 ms", f"{f(report['tick_ms']['p50'])} / {f(report['tick_ms']['p99'])}"),
        ("tick overruns", report["tick_overruns"]),
        (
            "generator CPU cores (max proc)",
            f"{report['generator_cpu_cores']} ({report['generator_cpu_cores_max_proc']})",
        ),
    ]
    voice, audio = report.get("voice"), report.get("audio")
    if voice:
        heard = voice["speakers_per_listener"]
        rows += [
            (
                "voice p50 / p99 ms",
                f"{f(voice['latency_ms']['p50'])} / {f(voice['latency_ms']['p99'])}",
            ),
            ("voice B/s per listener", voice["bytes_per_listener_s"]),
            (
                "speakers per listener mean / max",
                f"{heard['mean']} / {heard['max']}",
            ),
            (
                "voice misrouted / missed / expected",
                f"{voice['misrouted']} / {voice['missed']} / {voice['expected']}",
            ),
        ]
    if audio:
        rows += [
            (
                "stage audio p50 / p99 ms",
                f"{f(audio['latency_ms']['p50'])} / {f(audio['latency_ms']['p99'])}",
            ),
            ("stage chunks sent / gap ratio", f"{audio['chunks_sent']} / {f(audio['gap_ratio'])}"),
            ("stage B/s per listener", audio["bytes_per_listener_s"]),
        ]
    for name, value in rows:
        t.add_row(name, f(value))
    return t
