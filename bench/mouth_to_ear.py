"""Mouth-to-ear latency of stage audio and proximity voice, in real Chromium on loopback.

BENCHMARKS.md asks for stage audio ≤ 1 s and voice ≤ 300 ms from a speaker's
mouth to a listener's ear, jitter buffer included, measured in the browser
with a click track. This script:

1. writes a click track of its own making (a 48 kHz mono 16-bit WAV: silence
   with a 5 ms burst every ``--period-ms``) and makes it the fake microphone
   of one headless Chromium (``--use-file-for-fake-audio-capture``);
2. starts ``metaexpo serve`` on loopback (with a staff account for the stage);
3. opens a speaker page and a listener page in that one browser (one process:
   one monotonic clock under both pages), with ``?test`` so that each has
   ``__expoTest.latency`` (web/src/media/latencyhook.js);
4. voice: both stand 2 m apart in the open hall, the speaker's open mic on;
   stage: staff schedule a session, invite a speaker and go live, the
   speaker enters through the invitation and steps on stage, the listener
   attends the session;
5. arms the taps, lets ``--warmup`` clicks play, arms them afresh and records
   ``--clicks`` clicks; the same detector (web/src/media/clicks.js) finds each
   click in the microphone's frames on the speaker's page and in the decoded
   buffers on the listener's;
6. pairs the two ends by packet (the listener's decoded buffer says which
   packet it came from, the speaker's page which moment of the microphone
   that packet carried) and computes, per click:

   mouth: the click's capture timestamp (the microphone's own clock, which in
     Chromium is the monotonic clock; checked against when the page read the
     frame, else that read time is used: ``mouth_clock`` says which);
   ear: when the buffer holding it starts on the listener's audio clock plus
     the click's place in it, in page time by the context's
     ``getOutputTimestamp()`` read at that moment (the time the sample
     reaches the output device, its latency included); the same through
     ``currentTime`` + ``baseLatency`` + ``outputLatency`` is kept beside it.

   Each page's clock is tied to Python's ``time.monotonic`` by bracketing
   ``performance.now()`` (the narrowest of 25 round trips; its half width is
   the clock's uncertainty, in the JSON).

The same taps say when each packet was handed to the speaker's socket and
came off the listener's, and which long tasks each page ran: ``chunk_path``
in the JSON is where every chunk's time went before the jitter buffer.
``--playout main`` hides the playout worklet from the pages (they then play
from the main thread, as browsers without AudioWorklet do): the same run's
comparison.

Writes ``bench/results/mouth-to-ear-<stamp>-<playout>.json`` (every click, the
clocks, the jitter buffer's state, the machine, the command, the load average
before and after: the machine is shared) and a plot beside it.

    PYTHONPATH=server .venv/bin/python bench/mouth_to_ear.py
    PYTHONPATH=server .venv/bin/python bench/mouth_to_ear.py --paths voice --clicks 60

No threshold is checked here: the targets are quoted in docs/perf.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from metaexpo.loadtest.runner import machine  # noqa: E402
from tests.browser.forum_pages import (  # noqa: E402
    StaffApi,
    hall_page,
    launch_media_browser,
    live_button,
    start_forum_server,
)
from tests.browser.support import ensure_web_build, wait_for, wait_joined, wait_until  # noqa: E402
from tests.forums.pdfs import deck  # noqa: E402
from tests.live import ServerProcess  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RATE = 48000
#: BENCHMARKS.md's targets (ms), quoted in the report beside the figures.
TARGETS = {"voice": 300.0, "stage": 1000.0}
#: How far (ms) a listener's click may be from the capture moment its packet says, to pair:
#: a packet is 20 ms, Opus adds a few ms; clicks are ``--period-ms`` apart (≥ 200).
PAIR_TOLERANCE_MS = 60.0
#: The microphone's clock is the monotonic clock if the page read its frames this soon (ms)
#: after their last sample, at the fastest.
READ_LAG_RANGE_MS = (-25.0, 100.0)
#: The pages' size: the hall draws in software here, and a page busy drawing reads its
#: microphone late; the smallest size that still draws the hall keeps the pages' CPU low.
VIEWPORT = {"width": 160, "height": 120}


def click_track(
    path: Path, period_ms: int, seconds: float = 12.0, click_ms: float = 5.0, amplitude: float = 0.8
) -> dict[str, Any]:
    """A 16-bit mono WAV at 48 kHz: silence with a click every ``period_ms``. A click is a burst
    of 2 kHz starting at its peak and ringing down within ``click_ms`` (a sharp start for the
    detector). The file is a whole number of periods long, so the fake microphone, which plays
    it in a loop, keeps the period across the loop."""
    period = int(RATE * period_ms / 1000)
    periods = max(1, round(seconds * 1000 / period_ms))
    signal = np.zeros(period * periods)
    k = np.arange(int(RATE * click_ms / 1000))
    click = amplitude * np.exp(-k / (len(k) / 5)) * np.cos(2 * np.pi * 2000 * k / RATE)
    for n in range(periods):
        signal[n * period : n * period + len(k)] = click
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    return {
        "file": path.name,
        "sample_rate": RATE,
        "period_ms": period_ms,
        "click_ms": click_ms,
        "click": "2 kHz burst from its peak, ringing down",
        "amplitude": amplitude,
        "seconds": len(signal) / RATE,
    }


def clock_offset(page: Page, tries: int = 25) -> dict[str, float]:
    """``offset_ms`` such that time.monotonic() in ms = the page's performance.now() + offset,
    from the narrowest bracket of ``tries`` round trips; ``uncertainty_ms`` is its half width."""
    best: tuple[float, float] | None = None
    for _ in range(tries):
        before = time.monotonic() * 1000
        now = float(page.evaluate("() => performance.now()"))
        after = time.monotonic() * 1000
        if best is None or after - before < 2 * best[1]:
            best = ((before + after) / 2 - now, (after - before) / 2)
    assert best is not None
    return {"offset_ms": best[0], "uncertainty_ms": best[1]}


def ear_times(click: dict[str, Any]) -> tuple[float | None, float]:
    """When a played click reaches the output, in the listener page's ms: by the context's
    output timestamp (None if the browser gave none), and by currentTime + the latencies the
    context reports."""
    at = click["startS"] + click["offset"] / click["sampleRate"]
    by_stamp = None
    if click["outputPerformanceTime"] and click["outputContextTime"] is not None:
        by_stamp = click["outputPerformanceTime"] + (at - click["outputContextTime"]) * 1000
    latency = (click["baseLatency"] or 0.0) + (click["outputLatency"] or 0.0)
    by_latency = click["nowMs"] + (at - click["currentTime"] + latency) * 1000
    return by_stamp, by_latency


def pair_clicks(
    speaker: dict[str, Any], listener: dict[str, Any], c_speaker: float, c_listener: float
) -> dict[str, Any]:
    """Pair each click played on the listener's page with the click captured on the speaker's
    page that its packet carried; latencies in ms (see the module's docstring)."""
    packets = {int(seq): float(ts) for seq, ts in speaker["packets"]}
    captured = sorted(speaker["captured"], key=lambda c: c["tsUs"])
    capture_ts = np.array([c["tsUs"] for c in captured])
    read_lag = speaker["readLagMinMs"]
    # Which clock the capture timestamps are on: the page's own (performance.now), or the
    # monotonic clock under it; whichever puts the fastest frame read just after its last
    # sample. Neither: the read time stands in for the capture time.
    ts_offset: float | None = None
    if read_lag is not None and READ_LAG_RANGE_MS[0] <= read_lag <= READ_LAG_RANGE_MS[1]:
        ts_offset = c_speaker
    elif (
        read_lag is not None
        and READ_LAG_RANGE_MS[0] <= read_lag + c_speaker <= READ_LAG_RANGE_MS[1]
    ):
        ts_offset = 0.0
    device_clock = ts_offset is not None
    rows: list[dict[str, Any]] = []
    unpaired = 0
    used: set[int] = set()
    for click in listener["played"]:
        start_us = packets.get(int(click["seq"]))
        if start_us is None or not len(capture_ts):
            unpaired += 1
            continue
        source_us = start_us + click["offset"] / click["sampleRate"] * 1e6
        k = int(np.argmin(np.abs(capture_ts - source_us)))
        if abs(capture_ts[k] - source_us) > PAIR_TOLERANCE_MS * 1000 or k in used:
            unpaired += 1
            continue
        used.add(k)
        mouth = captured[k]
        mouth_read = mouth["readMs"] + c_speaker - mouth["tailMs"]
        # The capture timestamp may mark a frame's start or its end (Chromium's is within a
        # frame of the read time): of it and the read time, the earlier, which gives the longer
        # latency.
        mouth_ms = (
            mouth_read if ts_offset is None else min(mouth["tsUs"] / 1000 + ts_offset, mouth_read)
        )
        by_stamp, by_latency = ear_times(click)
        ear_ms = (by_stamp if by_stamp is not None else by_latency) + c_listener
        rows.append(
            {
                "speaker": click["speaker"],
                "seq": click["seq"],
                "latency_ms": round(ear_ms - mouth_ms, 2),
                "latency_by_latencies_ms": round(by_latency + c_listener - mouth_ms, 2),
                "capture_to_read_ms": round(mouth["readMs"] + c_speaker - mouth_ms, 2),
                "read_to_ear_ms": round(ear_ms - (mouth["readMs"] + c_speaker), 2),
                "codec_shift_ms": round((source_us - mouth["tsUs"]) / 1000, 2),
                "scheduled_ahead_ms": round((click["startS"] - click["currentTime"]) * 1000, 2),
                "jitter_wanted_vs_ear_ms": round(ear_ms - (click["playAtMs"] + c_listener), 2),
                "output_stamp": by_stamp is not None,
                "base_latency_s": click["baseLatency"],
                "output_latency_s": click["outputLatency"],
            }
        )
    return {
        "rows": rows,
        "unpaired": unpaired,
        "mouth_clock": "capture timestamp or read time" if device_clock else "frame read time",
        "capture_clock": {None: "none", 0.0: "monotonic"}.get(ts_offset, "page"),
        "read_lag_min_ms": read_lag,
    }


def chunk_path(
    speaker: dict[str, Any],
    listener: dict[str, Any],
    c_speaker: float,
    c_listener: float,
    capture_clock: str,
) -> dict[str, Any]:
    """Where every chunk's time went before the listener's jitter buffer, from the pages' taps:
    captured → handed to the speaker's socket (the packet's own 20 ms, the microphone's worker,
    the encoder, the two-chunk batch and the speaker page's main thread), handed → off the
    listener's socket (server tick, fan-out, the listener page's main thread).
    ``transit_spread`` is what the jitter buffer must absorb: each chunk's (arrival − capture)
    over the fastest one's, the quantity its target is sized by. ``capture_clock`` is what
    :func:`pair_clicks` found the capture timestamps on ("page", "monotonic" or "none": then no
    captured → sent)."""
    # Capture timestamps in the speaker page's ms: on the monotonic clock, the page's offset off.
    shift = -c_speaker if capture_clock == "monotonic" else 0.0
    stamp = {int(seq): float(ts) / 1000 + shift for seq, ts in speaker["packets"]}
    sent = {int(seq): float(ms) for seq, ms in speaker["sent"]}
    arrived = [(int(seq), float(ms)) for _key, seq, ms in listener["arrived"]]
    to_send = [sent[q] - stamp[q] for q in sent if q in stamp] if capture_clock != "none" else []
    over = [ms + c_listener - (sent[q] + c_speaker) for q, ms in arrived if q in sent]
    relative = [
        ms + c_listener - (sent[q] + c_speaker) + sent[q] - stamp[q]
        for q, ms in arrived
        if q in sent and q in stamp
    ]
    fastest = min(relative) if relative else 0.0
    # A slow chunk that came off the socket just as one of the listener's long tasks ended was
    # held back by the listener's main thread, not by the server.
    ends = sorted(start + duration for start, duration in listener["longTasks"])
    slow = [(q, ms) for q, ms in arrived if q in sent]
    slow = [(q, ms) for q, ms in slow if ms + c_listener - (sent[q] + c_speaker) > 150]
    held = sum(1 for _q, ms in slow if any(0 <= ms - end <= 15 for end in ends))
    return {
        "chunks_sent": len(sent),
        "chunks_arrived": len(arrived),
        "captured_to_sent": summary(to_send),
        "fastest_sent_to_arrived_ms": round(min(over), 1) if over else None,
        "sent_to_arrived": summary(over),
        "transit_spread": summary([r - fastest for r in relative]),
        "slow_arrivals": len(slow),
        "slow_arrivals_after_listener_long_task": held,
        "long_tasks": {
            page: {
                "count": len(rec["longTasks"]),
                "busy_ms": round(sum(d for _s, d in rec["longTasks"]), 1),
                "longest_ms": round(max((d for _s, d in rec["longTasks"]), default=0.0), 1),
            }
            for page, rec in (("speaker", speaker), ("listener", listener))
        },
    }


def summary(values: list[float]) -> dict[str, float | int | None]:
    """p50, p95, max (and min, mean) of ``values`` (ms)."""
    if not values:
        return dict.fromkeys(("p50", "p95", "p99", "max", "min", "mean"), None) | {"n": 0}
    a = np.array(values)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(a, 50)), 1),
        "p95": round(float(np.percentile(a, 95)), 1),
        "p99": round(float(np.percentile(a, 99)), 1),
        "max": round(float(a.max()), 1),
        "min": round(float(a.min()), 1),
        "mean": round(float(a.mean()), 1),
    }


def played(page: Page) -> int:
    """How many decoded buffers the listener page has started playing."""
    count: int = page.evaluate("() => __expoTest.latency.playedCount()")
    return count


def heard_by(listener: Page, n: int, timeout: float, shortfalls: list[str]) -> None:
    """Wait (bounded) until the listener has played ``n`` clicks; a shortfall is noted, not
    raised: the clicks that did play are still measured, and the report says what was missing."""
    try:
        wait_until(
            listener,
            "n => __expoTest.latency.playedCount() >= n",
            n,
            timeout=timeout,
            what=f"{n} clicks heard",
        )
    except AssertionError as exc:
        shortfalls.append(f"{exc} (heard {played(listener)})")


def arm(pages: list[Page], detector: dict[str, float]) -> None:
    """Start the pages' latency taps afresh, with the click detector's settings."""
    for page in pages:
        page.evaluate("(o) => __expoTest.latency.arm(o)", detector)


def record(
    speaker: Page,
    listener: Page,
    clicks: int,
    warmup: int,
    period_ms: int,
    detector: dict[str, float],
    jitter: Callable[[], Any],
) -> dict[str, Any]:
    """Warm up, then record ``clicks`` clicks; the pairing and the figures."""
    shortfalls: list[str] = []
    if warmup:
        heard_by(listener, warmup, 120, shortfalls)
    arm([speaker, listener], detector)
    started = time.monotonic()
    heard_by(listener, clicks + 2, 30 + 2 * clicks * period_ms / 1000, shortfalls)
    seconds = time.monotonic() - started
    c_speaker = clock_offset(speaker)
    c_listener = clock_offset(listener)
    spoken = speaker.evaluate("() => __expoTest.latency.read()")
    heard = listener.evaluate("() => __expoTest.latency.read()")
    for page in (speaker, listener):
        page.evaluate("() => __expoTest.latency.disarm()")
    paired = pair_clicks(spoken, heard, c_speaker["offset_ms"], c_listener["offset_ms"])
    rows = paired.pop("rows")
    latencies = [r["latency_ms"] for r in rows]
    return {
        **summary(latencies),
        "by_current_time_plus_latencies": summary([r["latency_by_latencies_ms"] for r in rows]),
        "capture_to_read": summary([r["capture_to_read_ms"] for r in rows]),
        "codec_shift": summary([r["codec_shift_ms"] for r in rows]),
        "scheduled_ahead": summary([r["scheduled_ahead_ms"] for r in rows]),
        **paired,
        "chunk_path": chunk_path(
            spoken, heard, c_speaker["offset_ms"], c_listener["offset_ms"], paired["capture_clock"]
        ),
        "captured": len(spoken["captured"]),
        "played": len(heard["played"]),
        "mic_frames": spoken["frames"],
        "seconds": round(seconds, 1),
        "shortfalls": shortfalls,
        "clocks": {
            "speaker": c_speaker,
            "listener": c_listener,
            # The two pages' timeOrigin against their offsets to the monotonic clock: how far
            # performance.timeOrigin + performance.now() would have put the pages apart.
            "time_origin_disagreement_ms": round(
                (spoken["timeOrigin"] - heard["timeOrigin"])
                - (c_speaker["offset_ms"] - c_listener["offset_ms"]),
                2,
            ),
        },
        "jitter_buffer": jitter(),
        "clicks": rows,
    }


@contextmanager
def media_browser(wav: Path) -> Iterator[Browser]:
    """One headless Chromium whose fake microphone plays ``wav``."""
    with sync_playwright() as p:
        browser = launch_media_browser(p, wav)
        try:
            yield browser
        finally:
            browser.close()


# ``--playout main``: the page never finds its playout worklet, so its speakers are scheduled
# from the main thread as where AudioWorklet is missing (media/playout.js): the same run's
# comparison. The meta tag is read when the audio context is made, after the page loaded.
WITHOUT_WORKLET = """document.addEventListener('DOMContentLoaded',
  () => document.querySelector('meta[name="playout-worklet"]')?.remove());"""


def small_context(browser: Browser, playout: str) -> BrowserContext:
    """A context of the pages' small size; ``playout`` 'main' hides the playout worklet."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    if playout == "main":
        context.add_init_script(WITHOUT_WORKLET)
    return context


def open_spot(base: str) -> tuple[str, float, float]:
    """A room and a floor point in its open hall with room for two people 2 m apart (outside
    booth voice zones and forum halls)."""
    room: dict[str, Any] = httpx.get(f"{base}/api/rooms", timeout=30).json()[0]
    lo, hi = room["bounds"]["min"], room["bounds"]["max"]
    places = room["voice_zones"] + room["forum_areas"]

    def inside(r: list[float], x: float, z: float) -> bool:
        return bool(r[0] - 1 <= x < r[1] + 1 and r[2] - 1 <= z < r[3] + 1)

    for z in np.arange(lo[2] + 6, hi[2] - 6, 2.0):
        for x in np.arange(lo[0] + 6, hi[0] - 8, 2.0):
            if not any(inside(r, px, z) for r in places for px in (x, x + 2)):
                return str(room["id"]), float(x), float(z)
    raise RuntimeError(f"no open spot in room {room['id']}")


def stand(page: Page, x: float, z: float) -> None:
    """Put the page's visitor at (x, z) and wait until the page reports them there."""
    page.evaluate("([x, z]) => __expoTest.setPose(x, 1.6, z, Math.PI / 2)", [x, z])
    wait_until(
        page,
        "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) < 0.05",
        [x, z],
        what=f"standing at ({x}, {z})",
    )


def voice_path(browser: Browser, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Two visitors 2 m apart in the open hall; the speaker's open mic on."""
    server = ServerProcess(tmp).start(timeout=180)
    try:
        room, x, z = open_spot(server.http)
        query = {"room": room}
        speaker = hall_page(small_context(browser, args.playout), server.http, "Ada", query=query)
        listener = hall_page(small_context(browser, args.playout), server.http, "Bo", query=query)
        speaker_id = speaker.evaluate("() => __expo.id")
        stand(speaker, x, z)
        stand(listener, x + 2, z)
        arm([speaker, listener], args.detector)
        speaker.evaluate("() => __expoTest.voice.setOpen(true)")
        wait_until(speaker, "() => __expo.voice.indicator === 'live'", what="the mic live")

        def jitter() -> Any:
            return listener.evaluate(
                """(id) => { const h = __expo.voice.hearing; const s = h.speakers[id];
                  return {lookaheadMs: h.lookaheadMs, targetMs: s?.targetMs, delayMs: s?.delayMs,
                          stats: s?.jitter, playedIn: s?.playedIn, decodedIn: s?.decodedIn,
                          decoded: s?.decoded, scheduled: s?.scheduled}; }""",
                speaker_id,
            )

        result = record(
            speaker, listener, args.clicks, args.warmup, args.period_ms, args.detector, jitter
        )
        result["setup"] = "two visitors 2 m apart in the open hall, the speaker's open mic on"
        for page in (speaker, listener):
            result.setdefault("page_errors", []).extend(page.errors)  # type: ignore[attr-defined]
            page.context.close()
        return result
    finally:
        server.stop()


def speaker_in_hall(browser: Browser, base: str, link: str, args: argparse.Namespace) -> Page:
    """The invited speaker's page: the link accepted at the portal, then the speaker page's way
    into the hall (``/?forum=…&as=speaker``) with ``test`` added for the latency hook."""
    page = small_context(browser, args.playout).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(link)
    page.click("form button[type=submit]")
    page.wait_for_url("**/portal/speaker", timeout=60_000)
    href = page.get_attribute("a[href*='as=speaker']", "href")
    assert href, "the speaker page has no way into the hall"
    page.goto(f"{base}{href}&test=1")
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=60)
    page.fill("#lobby-name", "Lin")
    page.click("#lobby-enter")
    wait_joined(page, timeout=60)
    return page


def stage_path(browser: Browser, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A live session: an invited speaker on stage, the listener in the audience."""
    server = start_forum_server(tmp)
    staff = StaffApi(server.http)
    try:
        session = "mouth-to-ear"
        staff.schedule(session, "Mouth to ear", "口到耳")
        staff.slides(session, deck(1), "one.pdf")
        link = staff.invite_speaker(session, "Lin Xiaolan")
        staff.go_live(session)
        speaker = speaker_in_hall(browser, server.http, link, args)
        context = small_context(browser, args.playout)
        listener = hall_page(context, server.http, "Bo", session=session)
        key = f"{speaker.evaluate('() => __expo.id')}:2"
        arm([speaker, listener], args.detector)
        wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
        live_button(speaker, "step")
        wait_until(speaker, "() => !!__expo.forum.audio.mic", what="the speaker's mic live")

        def jitter() -> Any:
            return listener.evaluate(
                """(k) => { const a = __expo.forum.audio; const s = a.speakers[k];
                  return {lookaheadMs: a.lookaheadMs, targetMs: s?.targetMs, delayMs: s?.delayMs,
                          stats: s?.jitter, playedIn: s?.playedIn, decodedIn: s?.decodedIn,
                          decoded: s?.decoded, scheduled: s?.scheduled}; }""",
                key,
            )

        result = record(
            speaker, listener, args.clicks, args.warmup, args.period_ms, args.detector, jitter
        )
        result["setup"] = "an invited speaker on a live session's stage, the listener attending"
        staff.end(session)
        for page in (speaker, listener):
            result.setdefault("page_errors", []).extend(page.errors)  # type: ignore[attr-defined]
            page.context.close()
        return result
    finally:
        staff.close()
        server.stop()


def plot(report: dict[str, Any], path: Path) -> None:
    """Each click's latency in order, and the spread per path, against the targets."""
    paths = [p for p in report["paths"] if report["paths"][p].get("n")]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    colours = {"voice": "#3c7d40", "stage": "#7aa6c2"}
    for name in paths:
        values = [c["latency_ms"] for c in report["paths"][name]["clicks"]]
        axes[0].plot(range(len(values)), values, ".", color=colours[name], label=name)
        axes[0].axhline(TARGETS[name], color=colours[name], ls="--", lw=1)
    axes[0].set_xlabel("click")
    axes[0].set_ylabel("mouth-to-ear (ms)")
    axes[0].set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    axes[0].set_title("each click (dashed: target)")
    data = [[c["latency_ms"] for c in report["paths"][n]["clicks"]] for n in paths]
    if data:
        axes[1].boxplot(data, whis=(5, 95))
        axes[1].set_xticks(range(1, len(paths) + 1), paths)
    for i, name in enumerate(paths, 1):
        r = report["paths"][name]
        axes[1].annotate(
            f"p50 {r['p50']} / p95 {r['p95']} / max {r['max']} ms",
            (i, r["max"]),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
        axes[1].plot([i - 0.3, i + 0.3], [TARGETS[name]] * 2, "r--", lw=1)
    axes[1].set_ylim(bottom=0)
    axes[1].set_title("spread (whiskers p5–p95; red: target)")
    load = report["loadavg_before"][0], report["loadavg_after"][0]
    fig.suptitle(
        f"mouth-to-ear, headless Chromium, loopback · {report['started']} · "
        f"click every {report['click_track']['period_ms']} ms · load {load[0]:.1f}→{load[1]:.1f}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Measure the paths asked for; write the JSON and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--paths", nargs="+", choices=("voice", "stage"), default=["voice", "stage"]
    )
    parser.add_argument("--clicks", type=int, default=40, help="clicks recorded per path")
    parser.add_argument("--warmup", type=int, default=4, help="clicks heard before recording")
    parser.add_argument(
        "--period-ms",
        type=int,
        default=250,
        help="click period; below the silence gate's 300 ms hangover the speaker talks on",
    )
    parser.add_argument("--threshold", type=float, default=0.2, help="the detector's level")
    parser.add_argument(
        "--playout",
        choices=("worklet", "main"),
        default="worklet",
        help="where listeners play speakers: the audio thread (the product) or the main thread",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.detector = {"threshold": args.threshold, "refractoryMs": min(100, args.period_ms / 2)}
    ensure_web_build()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "benchmark": "mouth_to_ear",
        "started": stamp,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "loadavg_before": [round(v, 2) for v in os.getloadavg()],
        "targets_ms": TARGETS,
        "detector": args.detector,
        "playout": args.playout,
        "time_factor": os.environ.get("METAEXPO_TEST_TIME_FACTOR", "1"),
        "paths": {},
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        report["click_track"] = click_track(tmp / "clicks.wav", args.period_ms)
        with media_browser(tmp / "clicks.wav") as browser:
            report["chromium"] = browser.version
            for name in args.paths:
                run = voice_path if name == "voice" else stage_path
                (tmp / name).mkdir()
                report["paths"][name] = run(browser, tmp / name, args)
                r = report["paths"][name]
                print(
                    f"{name}: p50 {r['p50']} ms, p95 {r['p95']} ms, max {r['max']} ms "
                    f"over {r['n']} clicks ({r['unpaired']} unpaired, mouth: {r['mouth_clock']})",
                    flush=True,
                )
    report["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"mouth-to-ear-{stamp}-{args.playout}.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    plot(report, out.with_suffix(".png"))
    print(out)
    print(out.with_suffix(".png"))


if __name__ == "__main__":
    main()
