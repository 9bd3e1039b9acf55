"""One protocol-true bot: joins, teleports to its booth, walks or sways, reads every frame.

Every bot reads every frame on its socket, only counting bytes (cheap: picows
keeps the per-frame cost in C, and 2,000 bots share one process). Probe bots
also hand pose frames to their host, which decodes them and turns the
send-time stamps of moving avatars into end-to-end latency samples
(:mod:`metaexpo.loadtest.probe`). The bot knows its host only as the small
:class:`BotHost` interface.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from typing import Any, Protocol

import numpy as np
import orjson
from picows import WSFrame, WSListener, WSMsgType, WSTransport

from metaexpo.loadtest import speech, stamps
from metaexpo.loadtest.counters import Counters, wire_size
from metaexpo.loadtest.plans import EYE, WALK_SPEED, BotPlan, Hall, next_target, roam_target
from metaexpo.protocol.frames import (
    MAX_AUDIO_CHUNKS,
    PROTOCOL_VERSION,
    AvatarFlag,
    MediaStream,
    encode_audio_frame,
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


class BotHost(Protocol):
    """What a bot needs from the process that drives it."""

    #: Counts since the last report (replaced by a fresh one at each report).
    counters: Counters
    #: Joins the server refused, by error code, over the whole run.
    refused: Counter[str]
    #: True inside the measurement window.
    measuring: bool

    def probe(self, payload: bytes, bot: Bot) -> None:
        """A probe bot received a binary pose frame."""

    def probe_json(self, msg: dict[str, Any], wire_bytes: int) -> None:
        """A probe bot received a JSON pose message (the naive baseline's format)."""

    def on_joined(self, bot: Bot, join_ms: float) -> None:
        """The server welcomed ``bot`` after ``join_ms``."""

    def token_for(self, plan: BotPlan) -> str | None:
        """The bearer token ``plan``'s bot joins with (None: an anonymous visitor)."""

    def forum_message(self, bot: Bot, msg: dict[str, Any]) -> None:
        """``bot`` received a ``forum.*`` message."""

    def forget(self, bot: Bot) -> None:
        """``bot``'s connection is gone."""


class Bot(WSListener):
    """One simulated visitor."""

    def __init__(self, worker: BotHost, plan: BotPlan, hall: Hall, avatar: str) -> None:
        self.worker = worker
        self.hall = hall
        self.avatar = avatar
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
        #: The welcome's limits (voice radius and cap, media sizes).
        self.limits: dict[str, Any] = {}
        #: Talk slots waiting to be sent (audio is sent a few 20 ms chunks at a time).
        self.pending: list[int] = []

    # picows callbacks ------------------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        join = {
            "type": "join",
            "v": PROTOCOL_VERSION,
            "room": self.hall.room,
            "name": f"bot-{self.plan.index}",
            "avatar": self.avatar,
            "kind": "vr" if self.plan.vr else "desktop",
        }
        token = self.worker.token_for(self.plan)
        if token is not None:
            join["token"] = token
        self.send_text(orjson.dumps(join))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        c = self.worker.counters
        size = frame.payload_size
        c.bytes_down += wire_size(size)
        c.frames_down += 1
        kind = frame.msg_type
        if kind == WSMsgType.BINARY:
            if self.plan.probe:
                self.worker.probe(frame.get_payload_as_bytes(), self)
        elif kind == WSMsgType.TEXT:
            data = frame.get_payload_as_bytes()
            if data.startswith(_JSON_POSE):  # the naive baseline's pose broadcast
                if self.plan.probe and self.worker.measuring:
                    self.worker.probe_json(orjson.loads(data), wire_size(size))
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
            self.limits = dict(msg.get("limits") or {})
            self.send_text(orjson.dumps({"type": "teleport", "to": [self.x, EYE, self.z]}))
            self.joined = True
            self.worker.on_joined(self, (time.monotonic() - self.connect_started) * 1000)
            if self.plan.slow_reader:
                assert self.transport is not None
                self.transport.underlying_transport.pause_reading()
        elif isinstance(kind, str) and kind.startswith("forum."):
            self.worker.forum_message(self, msg)
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
            roam = self.plan.roam
            self.target = (
                roam_target(roam, rng) if roam else next_target(self.hall, rng, self.x, self.z)
            )
        else:
            self.x += dx / dist * step
            self.z += dz / dist * step
        yaw, pitch = stamps.desktop_angles(now_ms)
        self.send_binary(encode_desktop_pose((self.x, EYE, self.z), yaw, pitch, AvatarFlag.MOVING))

    def talk(self, stream: MediaStream, seed: int, now_ms: int) -> int:
        """Send the pending talk slots as AUDIO frames of up to 5 chunks; returns bytes sent."""
        slots, self.pending = self.pending, []
        sent = 0
        for i in range(0, len(slots), MAX_AUDIO_CHUNKS):
            chunks = [
                (k, speech.make_chunk(now_ms, k, speech.chunk_size(seed, self.id, k)))
                for k in slots[i : i + MAX_AUDIO_CHUNKS]
            ]
            frame = encode_audio_frame(stream, chunks)
            self.send_binary(frame)
            sent += len(frame)
        return sent

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
