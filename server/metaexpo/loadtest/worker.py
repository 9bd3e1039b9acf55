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
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import orjson
import psutil
from picows import ws_connect

from metaexpo.loadtest import probe, speech, stamps
from metaexpo.loadtest.bots import PHASE_SLOTS, Bot
from metaexpo.loadtest.counters import Counters
from metaexpo.loadtest.forumdrive import QUESTION_PREFIX, ForumRun
from metaexpo.loadtest.hearing import Ear, VoiceRules
from metaexpo.loadtest.plans import BotPlan, Hall, Scenario
from metaexpo.protocol.frames import MediaStream


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
    #: voice: the share of visitors in a talk turn at any moment.
    talk_share: float = 0.1
    #: 20 ms chunks per AUDIO frame a talker sends (1-5).
    media_batch: int = 2
    #: forum: the live session the harness set up (tokens of the host, moderator, askers),
    #: chat lines a second from the audience, and seconds between two slide turns.
    forum: ForumRun | None = None
    chat_per_s: int = 50
    slide_every: float = 10.0


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
        #: forum: the page the host last turned to, and when; pages each probe last saw;
        #: questions the moderator has timed; questions asked so far.
        self.slide_page = 1
        self.slide_turned = time.time()
        self.pages_seen: dict[int, int] = {}
        self.questions_seen: set[int] = set()
        self.questions_asked = 0
        #: Probe listeners' ground truth of what they hear (voice and forum).
        self.ears: dict[int, Ear] = {}
        #: The next 20 ms talk slot to hand out, and the bots holding unsent slots.
        self.talk_slot: int | None = None
        self.speaking: set[Bot] = set()
        self.chat_turn = 0

    # bookkeeping ---------------------------------------------------------------------------

    def on_joined(self, bot: Bot, join_ms: float) -> None:
        self.bots[id(bot)] = bot
        if self.measuring:
            self.counters.join_ms.append(join_ms)
        if self.cfg.forum is not None:
            self._forum_joined(bot)

    def token_for(self, plan: BotPlan) -> str | None:
        """forum: the speaker's token for the host, staff for the moderator, guests for the
        askers; everyone else joins anonymously."""
        run = self.cfg.forum
        if run is None:
            return None
        if plan.host:
            return run.host_token
        if plan.moderator:
            return run.moderator_token
        if 0 <= plan.asker < len(run.asker_tokens):
            return run.asker_tokens[plan.asker]
        return None

    def _forum_send(self, bot: Bot, message: dict[str, Any]) -> None:
        run = self.cfg.forum
        assert run is not None, "forum scenario"
        try:
            bot.send_text(orjson.dumps({**message, "session": run.session}))
        except Exception as exc:  # a socket closing under us
            self.counters.errors[f"send:{type(exc).__name__}"] += 1

    def _forum_joined(self, bot: Bot) -> None:
        """The host turns its microphone on (which puts it on stage); the moderator asks
        for the question queue (which makes it a watcher of the queue)."""
        if bot.plan.host:
            self._forum_send(bot, {"type": "forum.mic", "on": True})
        elif bot.plan.moderator:
            self._forum_send(bot, {"type": "forum.sync"})

    def forum_message(self, bot: Bot, msg: dict[str, Any]) -> None:
        """Probes note when a new slide reaches them; the moderator times new questions."""
        run = self.cfg.forum
        if run is None or msg.get("session") != run.session:
            return
        now = time.time_ns() // 1_000_000
        kind = msg.get("type")
        if kind == "forum.state" and bot.plan.probe:
            page = int((msg.get("slide") or {}).get("page") or 0)
            if page and self.pages_seen.get(id(bot)) != page:
                self.pages_seen[id(bot)] = page
                if self.measuring:
                    self.counters.slides_seen.append((page, now))
        elif kind == "forum.queue" and bot.plan.moderator:
            for question in msg.get("questions") or ():
                qid, text = question.get("id"), str(question.get("text", ""))
                if qid in self.questions_seen or not text.startswith(QUESTION_PREFIX):
                    continue
                self.questions_seen.add(qid)
                sent = int(text[len(QUESTION_PREFIX) :].split(" ", 1)[0])
                if self.measuring and sent >= self.cfg.window_start * 1000:
                    self.counters.qa_latencies.append(now - sent)

    def forum_tick(self, now_wall: float) -> None:
        """forum, once a second: the host turns a slide every ``slide_every`` s; each asker
        asks about every 24 s (under the desk's 3 a minute), staggered."""
        run = self.cfg.forum
        if run is None:
            return
        now = int(now_wall * 1000)
        for bot in list(self.bots.values()):
            if not bot.joined or bot.leaving:
                continue
            if bot.plan.host and now_wall - self.slide_turned >= self.cfg.slide_every:
                self.slide_turned = now_wall
                self.slide_page = self.slide_page % run.pages + 1
                self._forum_send(bot, {"type": "forum.slide", "to": self.slide_page})
                if self.measuring:
                    self.counters.slides_sent.append((self.slide_page, now))
            elif bot.plan.asker >= 0 and (int(now_wall) + bot.plan.asker) % 24 == 0:
                self.questions_asked += 1
                text = f"{QUESTION_PREFIX}{now} question {self.questions_asked} from the floor"
                self._forum_send(bot, {"type": "forum.question", "text": text})
                if self.measuring:
                    self.counters.questions_sent += 1

    def forget(self, bot: Bot) -> None:
        self.bots.pop(id(bot), None)

    def probe(self, payload: bytes, bot: Bot) -> None:
        """A probe's frame: pose latency samples and counts (:func:`probe.pose_frame`) in
        the window, and (voice, forum) what it hears against what it should hear."""
        c = self.counters
        if self.measuring:
            frame = probe.pose_frame(c, payload, bot.node_ids)
        elif self.cfg.scenario in (Scenario.VOICE, Scenario.FORUM):
            frame = probe.decode(c, payload)
        else:
            return
        if frame is None or self.cfg.scenario not in (Scenario.VOICE, Scenario.FORUM):
            return
        ear = self.ears.get(id(bot))
        if ear is None:
            if not bot.joined:
                return
            ear = self.ears[id(bot)] = Ear(self._rules(bot), bot.origin)
        ear.frame(frame, (bot.id, bot.x, bot.z), stamps.now_ms(), time.time(), c, self.measuring)

    def _rules(self, bot: Bot) -> VoiceRules:
        cfg, limits = self.cfg, bot.limits
        return VoiceRules(
            radius=float(limits.get("voice_radius", 12.0)),
            cap=int(limits.get("voice_cap", 6)),
            zones=np.array(cfg.hall.voice_zones, np.float64).reshape(-1, 4),
            seed=cfg.seed,
            share=cfg.talk_share,
            epoch=cfg.start_at,
        )

    def talk(self) -> None:
        """Hand out 20 ms slots to the talkers up to now and send what is due.

        Voice: every bot talks on the schedule of :func:`speech.talking`, keyed by
        its avatar id. Forum: the host talks all the time (with pauses) on STAGE.
        A talker sends ``media_batch`` chunks per AUDIO frame, and what it holds
        when a pause starts.
        """
        cfg = self.cfg
        forum = cfg.scenario is Scenario.FORUM
        share = 1.0 if forum else cfg.talk_share
        if share <= 0:
            return
        now = speech.slot_at(time.time(), cfg.start_at)
        if self.talk_slot is None:
            self.talk_slot = now
        bots = [
            b
            for b in self.bots.values()
            if b.joined and not b.leaving and b.id >= 0 and (b.plan.host or not forum)
        ]
        if not bots:
            self.talk_slot = now
            return
        ids = np.array([b.id for b in bots], np.int64)
        stream = MediaStream.STAGE if forum else MediaStream.VOICE
        c = self.counters
        while self.talk_slot < now:
            k = self.talk_slot
            self.talk_slot += 1
            mask = speech.talking(cfg.seed, ids, k, share).tolist()
            voiced = {b for b, on in zip(bots, mask, strict=True) if on}
            for b in voiced:
                b.pending.append(k)
                if self.measuring:
                    c.media_chunks_sent += 1
                    if forum:
                        c.host_slots.append(k)
            for b in self.speaking | voiced:
                if b in voiced and len(b.pending) < cfg.media_batch:
                    continue  # still filling its frame
                if b.pending and not b.leaving and b.transport is not None:
                    try:
                        c.media_bytes_sent += b.talk(stream, cfg.seed, stamps.now_ms())
                    except Exception as exc:  # a socket closing under us
                        c.errors[f"send:{type(exc).__name__}"] += 1
                b.pending.clear()
            self.speaking = {b for b in voiced if b.pending}

    def chat_burst(self) -> None:
        """Forum: ``chat_per_s`` chat lines from audience bots, taking turns."""
        audience = [
            b
            for b in self.bots.values()
            if b.joined
            and not b.leaving
            and not b.plan.probe
            and not b.plan.host
            and not b.plan.moderator
        ]
        if not audience:
            return
        for i in range(min(self.cfg.chat_per_s, len(audience))):
            bot = audience[(self.chat_turn + i) % len(audience)]
            try:
                bot.send_text(b'{"type":"chat","text":"question from the floor"}')
            except Exception as exc:
                self.counters.errors[f"send:{type(exc).__name__}"] += 1
        self.chat_turn += self.cfg.chat_per_s

    def probe_json(self, msg: dict[str, Any], wire_bytes: int) -> None:
        """A probe's JSON pose message (the naive baseline's format)."""
        probe.json_pose(self.counters, msg, wire_bytes)

    # the run ------------------------------------------------------------------------------

    async def connect(self, plan: BotPlan) -> None:
        url = self.cfg.ws_urls[plan.url_index % len(self.cfg.ws_urls)]
        bot = Bot(self, plan, self.cfg.hall, self.cfg.avatar)
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
                self.next_index,
                old.start,
                old.walker,
                old.vr,
                False,
                False,
                old.url_index,
                roam=old.roam,
            )
            asyncio.get_running_loop().create_task(self.churn_join(plan))

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
                "media_chunks_sent": c.media_chunks_sent,
                "media_bytes_sent": c.media_bytes_sent,
                "host_slots": c.host_slots,
                "voice_latency": np.array(c.voice_latencies, np.int32).tobytes(),
                "voice_bytes": c.voice_bytes,
                "voice_chunks": c.voice_chunks,
                "speakers_per_second": c.speakers_per_second,
                "misrouted": c.misrouted,
                "expected": c.expected,
                "missed": c.missed,
                "capped": c.capped,
                "stage_latency": np.array(c.stage_latencies, np.int32).tobytes(),
                "stage_bytes": c.stage_bytes,
                "slides_sent": c.slides_sent,
                "slides_seen": c.slides_seen,
                "qa_latencies": c.qa_latencies,
                "questions_sent": c.questions_sent,
                "stage_slots": {
                    b.plan.index: ear.stage_slots
                    for b in self.bots.values()
                    if (ear := self.ears.get(id(b))) is not None and b.plan.probe
                }
                if final
                else {},
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
            for bot in list(self.bots.values()):
                if bot.slot != slot or not bot.joined or bot.leaving or bot.plan.slow_reader:
                    continue
                try:
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
            if cfg.scenario in (Scenario.VOICE, Scenario.FORUM):
                self.talk()
            if cfg.scenario is Scenario.FORUM and now_wall - last_churn >= 1.0:
                last_churn = now_wall
                self.forum_tick(now_wall)
                if self.measuring:
                    self.chat_burst()
            if now_wall - last_report >= 1.0:
                last_report = now_wall
                self.report()
            next_step += step
            await asyncio.sleep(max(0.0, next_step - time.monotonic()))
        self.cpu_window_end = self._cpu()
        self.measuring = False
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

    if cfg.plans and all(p.probe for p in cfg.plans):
        # A probes-only process reads few sockets; scheduled ahead of the busy bot
        # processes on the same core, it timestamps frames when they arrive rather than
        # when the bots process yields the CPU. Needs root (CAP_SYS_NICE); else unchanged.
        with contextlib.suppress(PermissionError, OSError):
            os.setpriority(os.PRIO_PROCESS, 0, -10)
    uvloop.run(Worker(cfg, queue).run())
    # Wait until the final report is in the pipe: a process that exits while its queue's
    # feeder thread is mid-write leaves the harness blocked on half a message. (A killed
    # harness breaks the pipe, which ends the feeder too.)
    queue.close()
    queue.join_thread()
