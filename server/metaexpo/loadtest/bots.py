"""Protocol-true bots and the generator process that drives them.

Every bot joins with a real ``join``, teleports to its starting booth, and
reads every frame on its socket (only counting bytes, which is cheap). Probe
bots additionally decode pose frames and turn the send-time stamps of moving
avatars into end-to-end latency samples. One process drives many bots with a
single 20 Hz timer; picows keeps the per-frame cost in C.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing as mp
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import orjson
import psutil
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from metaexpo.loadtest import stamps
from metaexpo.loadtest.plans import EYE, WALK_SPEED, BotPlan, Hall, Scenario, next_target
from metaexpo.protocol.frames import (
    DESKTOP_RECORD,
    HEADER,
    HEADER_SIZE,
    PROTOCOL_VERSION,
    VR_RECORD,
    AvatarFlag,
    MsgType,
    encode_desktop_pose,
    encode_vr_pose,
)

#: Every client frame is masked: 2 header bytes + 4 mask bytes for small frames.
_CLIENT_OVERHEAD = 6
IDENTITY = (0.0, 0.0, 0.0, 1.0)
#: How the naive baseline (bench/naive_server.py) starts its JSON pose messages.
_JSON_POSE = b'{"type": "pose"'
#: A tick period is split into this many send slots; each bot sends in one of them.
PHASE_SLOTS = 10


def _wire_size(payload: int) -> int:
    """Server frame size on the wire (unmasked header + payload)."""
    return payload + (2 if payload < 126 else 4 if payload < 65536 else 10)


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


@dataclass
class Counters:
    """What a worker counted since its last report."""

    bytes_down: int = 0
    frames_down: int = 0
    bytes_up: int = 0
    frames_up: int = 0
    probe_records: int = 0
    probe_pose_bytes: int = 0
    probe_frames: int = 0
    keyframes: int = 0
    latencies: list[np.ndarray] = field(default_factory=list)
    #: Same samples, split by whether sender and receiver are on the same server node.
    latencies_same: list[np.ndarray] = field(default_factory=list)
    latencies_cross: list[np.ndarray] = field(default_factory=list)
    join_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    disconnects: Counter[str] = field(default_factory=Counter)
    slow_disconnects: int = 0


class Bot(WSListener):
    """One simulated visitor."""

    def __init__(self, worker: Worker, plan: BotPlan) -> None:
        self.worker = worker
        self.plan = plan
        self.transport: WSTransport | None = None
        self.id = -1
        self.joined = False
        self.leaving = False
        self.origin = np.zeros(3)
        self.x, self.z = plan.start
        #: The wire-slot range of the node this bot is connected to (from the welcome).
        self.node_ids = (0, 0x10000)
        self.target = plan.start
        self.phase = random.Random(plan.index).uniform(0, 2 * math.pi)
        self.slot = plan.index % PHASE_SLOTS
        self.connect_started = time.monotonic()

    # picows callbacks ------------------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        join = {
            "type": "join",
            "v": PROTOCOL_VERSION,
            "room": self.worker.cfg.hall.room,
            "name": f"bot-{self.plan.index}",
            "avatar": self.worker.cfg.avatar,
            "kind": "vr" if self.plan.vr else "desktop",
        }
        self.send_text(orjson.dumps(join))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        c = self.worker.counters
        size = frame.payload_size
        c.bytes_down += _wire_size(size)
        c.frames_down += 1
        kind = frame.msg_type
        if kind == WSMsgType.BINARY:
            if self.plan.probe and self.worker.measuring:
                self.worker.probe(frame.get_payload_as_bytes(), self.node_ids)
        elif kind == WSMsgType.TEXT:
            data = frame.get_payload_as_bytes()
            if data.startswith(_JSON_POSE):  # the naive baseline's pose broadcast
                if self.plan.probe and self.worker.measuring:
                    self.worker.probe_json(orjson.loads(data), _wire_size(size))
                return
            self.on_text(orjson.loads(data))
        elif kind == WSMsgType.CLOSE:
            code = frame.get_close_code().value
            if not self.leaving:
                key = f"{code}"
                if self.plan.slow_reader:
                    c.slow_disconnects += 1
                else:
                    c.disconnects[key] += 1
            self.leaving = True
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.leaving:
            if self.plan.slow_reader:
                self.worker.counters.slow_disconnects += 1
            else:
                self.worker.counters.disconnects["dropped"] += 1
        self.worker.forget(self)

    # protocol ----------------------------------------------------------------------------

    def send_text(self, data: bytes) -> None:
        assert self.transport is not None, "connected"
        self.transport.send(WSMsgType.TEXT, data)
        c = self.worker.counters
        c.bytes_up += len(data) + _CLIENT_OVERHEAD
        c.frames_up += 1

    def send_binary(self, data: bytes) -> None:
        assert self.transport is not None, "connected"
        self.transport.send(WSMsgType.BINARY, data)
        c = self.worker.counters
        c.bytes_up += len(data) + _CLIENT_OVERHEAD
        c.frames_up += 1

    def on_text(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "welcome":
            self.id = int(msg["id"])
            node = msg.get("node") or {}
            first, size = node.get("ids", (0, 0x10000))
            self.node_ids = (int(first), int(size))
            self.origin = np.array(msg["bounds"]["min"], np.float64)
            self.send_text(orjson.dumps({"type": "teleport", "to": [self.x, EYE, self.z]}))
            self.joined = True
            self.worker.on_joined(self, (time.monotonic() - self.connect_started) * 1000)
            if self.plan.slow_reader:
                assert self.transport is not None
                self.transport.underlying_transport.pause_reading()
        elif kind == "error":
            code = str(msg.get("code"))
            if not self.joined:
                # A refused join (e.g. hall_full): counted over the whole run, ramp included.
                self.worker.refused[code] += 1
            else:
                self.worker.counters.errors[code] += 1

    def leave(self) -> None:
        """Say goodbye cleanly (churn)."""
        if self.transport is not None and not self.leaving:
            self.leaving = True
            self.send_text(b'{"type":"leave"}')

    # movement ----------------------------------------------------------------------------

    def walk(self, dt: float, rng: np.random.Generator, now_ms: int) -> None:
        """Advance towards the target booth and send the pose with a latency stamp."""
        tx, tz = self.target
        dx, dz = tx - self.x, tz - self.z
        dist = math.hypot(dx, dz)
        step = WALK_SPEED * dt
        if dist <= step:
            self.x, self.z = tx, tz
            self.target = next_target(self.worker.cfg.hall, rng, self.x, self.z)
        else:
            self.x += dx / dist * step
            self.z += dz / dist * step
        yaw, pitch = stamps.desktop_angles(now_ms)
        self.send_binary(encode_desktop_pose((self.x, EYE, self.z), yaw, pitch, AvatarFlag.MOVING))

    def sway(self, t: float, now_ms: int) -> None:
        """A VR visitor looking around in place; the left hand carries the stamp."""
        a = t * 1.3 + self.phase
        head = np.array(
            [self.x + 0.05 * math.sin(a), EYE + 0.02 * math.sin(2 * a), self.z], np.float32
        )
        yaw = 0.6 * math.sin(a)
        head_q = (0.0, math.sin(yaw / 2), 0.0, math.cos(yaw / 2))
        # The server keeps hand offsets from the *quantised* head: aim for exact centimetres.
        q = np.rint((head.astype(np.float64) - self.origin) * 128)
        head_dec = self.origin + q / 128
        dx, dy = stamps.vr_hand_offset_cm(now_ms)
        left = (head_dec + np.array([dx, dy, -20]) / 100).astype(np.float32)
        right = head + np.array([0.25, -0.6, -0.2], np.float32)
        hx, hy, hz = (float(v) for v in head)
        lx, ly, lz = (float(v) for v in left)
        rx, ry, rz = (float(v) for v in right)
        self.send_binary(
            encode_vr_pose((hx, hy, hz), head_q, (lx, ly, lz), IDENTITY, (rx, ry, rz), IDENTITY)
        )


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

    # bookkeeping ---------------------------------------------------------------------------

    def on_joined(self, bot: Bot, join_ms: float) -> None:
        self.bots[id(bot)] = bot
        if self.measuring:
            self.counters.join_ms.append(join_ms)

    def forget(self, bot: Bot) -> None:
        self.bots.pop(id(bot), None)

    def probe(self, payload: bytes, node_ids: tuple[int, int] = (0, 0x10000)) -> None:
        """Turn one pose frame seen by a probe into latency samples and counts.

        ``node_ids`` is the probe's server node's id range: a sender whose wire
        slot falls in it is on the same node, otherwise the pose crossed the bus.
        """
        c = self.counters
        _, kind, _, _ = HEADER.unpack_from(payload, 0)
        if kind == MsgType.CROWD:
            return
        off = HEADER_SIZE
        n_d = int.from_bytes(payload[off : off + 2], "little")
        desk = np.frombuffer(payload, DESKTOP_RECORD, n_d, off + 2)
        off += 2 + n_d * DESKTOP_RECORD.itemsize
        n_v = int.from_bytes(payload[off : off + 2], "little")
        vr = np.frombuffer(payload, VR_RECORD, n_v, off + 2)
        c.probe_frames += 1
        c.probe_records += n_d + n_v
        c.probe_pose_bytes += _wire_size(len(payload))
        if kind != MsgType.DELTA:
            c.keyframes += 1
            return
        now = stamps.now_ms()
        # Only walkers carry fresh stamps; an AWAY avatar's record is its last pose.
        live = (desk["flags"] & (AvatarFlag.MOVING | AvatarFlag.AWAY)) == AvatarFlag.MOVING
        moving = desk[live]
        first, size = node_ids
        if len(moving):
            st = stamps.desktop_stamps(moving["yaw"], moving["pitch"])
            ages = stamps.ages_ms(st, now, stamps.DESKTOP_MOD)
            self._sample(ages, (moving["slot"] - first).astype(np.int64), size)
        vr = vr[(vr["flags"] & AvatarFlag.AWAY) == 0]
        if len(vr):
            ages = stamps.ages_ms(stamps.vr_stamps(vr["left"]), now, stamps.VR_MOD)
            self._sample(ages, (vr["slot"].astype(np.int64) - first), size)

    def _sample(self, ages: np.ndarray, offset: np.ndarray, size: int) -> None:
        c = self.counters
        c.latencies.append(ages)
        same = (offset >= 0) & (offset < size)
        c.latencies_same.append(ages[same])
        c.latencies_cross.append(ages[~same])

    def probe_json(self, msg: dict[str, Any], wire_bytes: int) -> None:
        """A latency sample from one JSON pose message (the naive baseline's format)."""
        c = self.counters
        c.probe_frames += 1
        c.probe_records += 1
        c.probe_pose_bytes += wire_bytes
        now = stamps.now_ms()
        if "yaw" in msg:
            if not msg["flags"] & AvatarFlag.MOVING:
                return
            stamp = stamps.json_desktop_stamp(msg["yaw"], msg["pitch"])
            c.latencies.append(np.array([(now - stamp) % stamps.DESKTOP_MOD]))
        elif "l" in msg:
            dx = round((msg["l"][0] - msg["p"][0]) * 100)
            dy = round((msg["l"][1] - msg["p"][1]) * 100)
            c.latencies.append(np.array([(now - ((dx & 0x7F) | (dy & 0x7F) << 7)) % stamps.VR_MOD]))

    # the run ------------------------------------------------------------------------------

    async def connect(self, plan: BotPlan) -> None:
        url = self.cfg.ws_urls[plan.url_index % len(self.cfg.ws_urls)]
        bot = Bot(self, plan)
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

    # Never wait at exit to flush reports nobody reads any more (a killed harness).
    queue.cancel_join_thread()
    if cfg.plans and all(p.probe for p in cfg.plans):
        # A probes-only process reads few sockets; scheduled ahead of the busy bot
        # processes on the same core, it timestamps frames when they arrive rather than
        # when the bots process yields the CPU. Needs root (CAP_SYS_NICE); else unchanged.
        with contextlib.suppress(PermissionError, OSError):
            os.setpriority(os.PRIO_PROCESS, 0, -10)
    uvloop.run(Worker(cfg, queue).run())
