"""A generator process: its bots, one send timer for all of them, and its reports.

The harness (:mod:`metaexpo.loadtest.runner`) starts one per ``--procs``;
each drives its share of the bots with a single timer at the tick rate (every
bot in its own phase slot) and reports its counters about once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import httpx
import numpy as np
import psutil
from picows import ws_connect

from metaexpo.analytics.areas import AreaSet
from metaexpo.loadtest import probe, stamps
from metaexpo.loadtest.bots import PHASE_SLOTS, Bot
from metaexpo.loadtest.counters import Counters
from metaexpo.loadtest.plans import BotPlan, Hall, Scenario
from metaexpo.loadtest.tour import Tour
from metaexpo.loadtest.tour_bot import TourBot
from metaexpo.loadtest.truth import TruthBook


@dataclass
class WorkerConfig:
    """Everything one generator process needs (picklable)."""

    worker: int
    ws_urls: list[str]
    http_urls: list[str]
    hall: Hall
    scenario: Scenario
    plans: list[BotPlan]
    start_at: float
    ramp_s: float
    window_start: float
    window_end: float
    tick_hz: float
    seed: int
    churn_share: float = 0.05
    avatar: str = "celadon"
    #: booth-tour: each plan's tour (by plan index), the booth areas, the consent versions.
    tours: dict[int, Tour] | None = None
    booth_areas: AreaSet | None = None
    consent: dict[str, str] | None = None


class Worker:
    """One generator process: its bots, its timer and its reports."""

    def __init__(self, cfg: WorkerConfig, queue: mp.Queue[dict[str, Any]]) -> None:
        self.cfg = cfg
        self.queue = queue
        self.counters = Counters()
        #: Joins the server refused, by error code, since the start (never reset).
        self.refused: Counter[str] = Counter()
        self.bots: dict[int, Bot] = {}
        self.rng = np.random.default_rng(cfg.seed + cfg.worker)
        self.measuring = False
        self.proc = psutil.Process()
        self.cpu_window_start: float | None = None
        self.cpu_window_end: float | None = None
        self.next_index = 10_000_000 * (cfg.worker + 1)
        self.http: httpx.AsyncClient | None = None
        #: booth-tour: what the bots did at booths, and when they must be done (monotonic).
        self.truth = TruthBook(cfg.booth_areas or AreaSet.of([]))
        self.consent = cfg.consent or {}
        self.stop_at = time.monotonic() + (cfg.window_end - time.time())

    # bookkeeping ---------------------------------------------------------------------------

    def on_joined(self, bot: Bot, join_ms: float) -> None:
        self.bots[id(bot)] = bot
        if self.measuring:
            self.counters.join_ms.append(join_ms)

    def forget(self, bot: Bot) -> None:
        self.bots.pop(id(bot), None)

    def probe(self, payload: bytes, node_ids: tuple[int, int] = (0, 0x10000)) -> None:
        """A probe's pose frame: latency samples and counts (:func:`probe.pose_frame`)."""
        probe.pose_frame(self.counters, payload, node_ids)

    def probe_json(self, msg: dict[str, Any], wire_bytes: int) -> None:
        """A probe's JSON pose message (the naive baseline's format)."""
        probe.json_pose(self.counters, msg, wire_bytes)

    # the run ------------------------------------------------------------------------------

    async def connect(self, plan: BotPlan) -> None:
        url = self.cfg.ws_urls[plan.url_index % len(self.cfg.ws_urls)]
        bot: Bot | None = await self._tour_bot(plan) if self.cfg.tours is not None else None
        if bot is None:
            if self.cfg.tours is not None:
                return  # a guest bot without its token: counted as an error, not joined
            bot = Bot(self, plan, self.cfg.hall, self.cfg.avatar)
        try:
            await ws_connect(lambda: bot, url, websocket_handshake_timeout=15)
        except Exception as exc:
            self.counters.errors[f"connect:{type(exc).__name__}"] += 1

    async def _tour_bot(self, plan: BotPlan) -> TourBot | None:
        """A booth-tour bot; a guest gets a guest token first (same visitor on every node)."""
        assert self.cfg.tours is not None and self.http is not None
        tour = self.cfg.tours[plan.index]
        token, identity = None, f"bot-{plan.index}"
        if tour.guest:
            base = self.cfg.http_urls[plan.url_index % len(self.cfg.http_urls)]
            try:
                answer = (await self.http.post(f"{base}/api/auth/guest")).json()
                token, identity = str(answer["token"]), str(answer["id"])
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                self.counters.errors[f"guest:{type(exc).__name__}"] += 1
                return None
        return TourBot(self, plan, self.cfg.hall, self.cfg.avatar, tour, token, identity)

    def hop(self, bot: TourBot) -> None:
        """Leave, then join again on the next server as the same visitor."""
        self.truth.left(bot.plan.index, time.monotonic())
        bot.leave()
        asyncio.get_running_loop().create_task(self._rejoin(bot))

    async def _rejoin(self, bot: TourBot) -> None:
        deadline = time.monotonic() + 10.0
        while bot.transport is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # the old connection's close, before the new one opens
        if bot.transport is not None:
            bot.transport.disconnect()
            await asyncio.sleep(0.1)
        bot.plan = replace(bot.plan, url_index=bot.plan.url_index + 1)
        bot.state = "ready"
        url = self.cfg.ws_urls[bot.plan.url_index % len(self.cfg.ws_urls)]
        try:
            await ws_connect(lambda: bot, url, websocket_handshake_timeout=15)
        except Exception as exc:
            self.counters.errors[f"connect:{type(exc).__name__}"] += 1

    def _start_connect(self, plan: BotPlan) -> None:
        asyncio.get_running_loop().create_task(self.connect(plan))

    async def churn_join(self, plan: BotPlan) -> None:
        """A churn join: fetch the hall description (as a page load would), then connect."""
        assert self.http is not None
        base = self.cfg.http_urls[plan.url_index % len(self.cfg.http_urls)]
        try:
            await self.http.get(f"{base}/api/rooms/{self.cfg.hall.room}")
        except httpx.HTTPError as exc:
            self.counters.errors[f"fetch:{type(exc).__name__}"] += 1
        await self.connect(plan)

    def churn(self) -> None:
        bots = [b for b in self.bots.values() if b.joined and not b.leaving and not b.plan.probe]
        k = round(len(bots) * self.cfg.churn_share)
        for bot in random.Random(self.next_index).sample(bots, min(k, len(bots))):
            bot.leave()
            old = bot.plan
            self.next_index += 1
            plan = BotPlan(
                self.next_index, old.start, old.walker, old.vr, False, False, old.url_index
            )
            asyncio.get_running_loop().create_task(self.churn_join(plan))

    def _tour_step(self, slot: int, period: float) -> None:
        """Move this slot's tour bots; what they sent goes into the ground truth at once."""
        now = time.monotonic()
        moved = [
            bot
            for bot in list(self.bots.values())
            if isinstance(bot, TourBot) and bot.slot == slot and bot.tour_step(period, now)
        ]
        if moved:
            x = np.fromiter((b.x for b in moved), np.float64, len(moved))
            z = np.fromiter((b.z for b in moved), np.float64, len(moved))
            self.truth.observe([b.plan.index for b in moved], x, z, now)

    def report(self, final: bool = False) -> None:
        c = self.counters

        def flat(parts: list[np.ndarray]) -> bytes:
            arr = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            return arr.astype(np.int32).tobytes()

        lat = np.concatenate(c.latencies) if c.latencies else np.zeros(0, np.int64)
        joined = sum(1 for b in self.bots.values() if b.joined and not b.plan.slow_reader)
        self.queue.put(
            {
                "worker": self.cfg.worker,
                "t": time.time(),
                "final": final,
                "joined": joined,
                "bots": len(self.bots),
                "bytes_down": c.bytes_down,
                "frames_down": c.frames_down,
                "bytes_up": c.bytes_up,
                "frames_up": c.frames_up,
                "probe_records": c.probe_records,
                "probe_pose_bytes": c.probe_pose_bytes,
                "probe_frames": c.probe_frames,
                "keyframes": c.keyframes,
                "latency": lat.astype(np.int32).tobytes(),
                "latency_same": flat(c.latencies_same),
                "latency_cross": flat(c.latencies_cross),
                "join_ms": c.join_ms,
                "errors": dict(c.errors),
                "disconnects": dict(c.disconnects),
                "slow_disconnects": c.slow_disconnects,
                "refused": dict(self.refused),
                "measuring": self.measuring,
                "cpu_window": (
                    (self.cpu_window_end or self._cpu()) - self.cpu_window_start
                    if self.cpu_window_start is not None
                    else 0.0
                ),
                "probes": sum(1 for b in self.bots.values() if b.plan.probe and b.joined),
                "truth": self.truth.report() if final and self.cfg.tours is not None else None,
            }
        )
        self.counters = Counters()

    def _cpu(self) -> float:
        t = self.proc.cpu_times()
        return float(t.user + t.system)

    async def run(self) -> None:
        cfg = self.cfg
        loop = asyncio.get_running_loop()
        self.http = httpx.AsyncClient(timeout=10)
        await asyncio.sleep(max(0.0, cfg.start_at - time.time()))
        n = len(cfg.plans)
        for i, plan in enumerate(cfg.plans):
            delay = cfg.start_at + cfg.ramp_s * i / max(1, n) - time.time()
            loop.call_later(max(0.0, delay), self._start_connect, plan)
        # Bots send at the tick rate, each in its own phase slot, as real clients would.
        period = 1.0 / cfg.tick_hz
        step = period / PHASE_SLOTS
        next_step = time.monotonic()
        slot = 0
        last_report = time.time()
        last_churn = time.time()
        t0 = time.monotonic()
        parent = os.getppid()
        while time.time() < cfg.window_end:
            now_wall = time.time()
            if os.getppid() != parent:
                break  # the harness is gone (killed): stop rather than linger as an orphan
            if not self.measuring and now_wall >= cfg.window_start:
                self.measuring = True
                self.counters = Counters()  # the window starts clean
                self.cpu_window_start = self._cpu()
            now_ms = stamps.now_ms()
            t = time.monotonic() - t0
            if cfg.tours is not None:
                self._tour_step(slot, period)
            for bot in list(self.bots.values()):
                if bot.slot != slot or not bot.joined or bot.leaving or bot.plan.slow_reader:
                    continue
                try:
                    if isinstance(bot, TourBot):
                        continue
                    if bot.plan.vr:
                        bot.sway(t, now_ms)
                    elif bot.plan.walker:
                        bot.walk(period, self.rng, now_ms)
                except Exception as exc:  # a socket closing under us
                    self.counters.errors[f"send:{type(exc).__name__}"] += 1
            slot = (slot + 1) % PHASE_SLOTS
            if cfg.scenario is Scenario.CHURN and self.measuring and now_wall - last_churn >= 1.0:
                last_churn = now_wall
                self.churn()
            if now_wall - last_report >= 1.0:
                last_report = now_wall
                self.report()
            next_step += step
            await asyncio.sleep(max(0.0, next_step - time.monotonic()))
        self.cpu_window_end = self._cpu()
        self.measuring = False
        left_at = time.monotonic()
        for bot in list(self.bots.values()):
            if isinstance(bot, TourBot):
                self.truth.left(bot.plan.index, left_at)
        self.report(final=True)
        # Leave cleanly, so the avatars go at once instead of waiting AWAY for a resume.
        for bot in list(self.bots.values()):
            bot.leave()
        await asyncio.sleep(0.5)
        for bot in list(self.bots.values()):
            if bot.transport is not None:
                bot.transport.disconnect()
        await self.http.aclose()
        await asyncio.sleep(0.2)


def worker_main(cfg: WorkerConfig, queue: mp.Queue[dict[str, Any]]) -> None:
    """Entry point of a generator process."""
    import uvloop  # noqa: PLC0415 - only generator processes need it

    # Never wait at exit to flush reports nobody reads any more (a killed harness).
    queue.cancel_join_thread()
    if cfg.plans and all(p.probe for p in cfg.plans):
        # A probes-only process reads few sockets; scheduled ahead of the busy bot
        # processes on the same core, it timestamps frames when they arrive rather than
        # when the bots process yields the CPU. Needs root (CAP_SYS_NICE); else unchanged.
        with contextlib.suppress(PermissionError, OSError):
            os.setpriority(os.PRIO_PROCESS, 0, -10)
    uvloop.run(Worker(cfg, queue).run())
