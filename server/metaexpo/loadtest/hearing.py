"""What a probe listener should hear, and what it did: the ground truth of the media figures.

A probe keeps its near set as the frames describe it (a KEYFRAME replaces it,
records update it, gone ids leave it) and knows its own position. With the
talk schedule (:func:`metaexpo.loadtest.speech.talking`) it knows which of
those avatars sent a chunk in each 20 ms slot, so for every slot it works
out which voice chunks it must receive (speaker clearly within the voice
radius, in the same voice zone, and not so many talkers around that the
per-listener cap could have dropped one) and checks every chunk it receives
against the rules (misrouted: speaker outside the radius, in another zone,
not in the near set, or not talking in that slot). Positions move while a
chunk travels, so "clearly" means with a margin of a metre either way;
chunks in that margin count neither way.

Stage audio is simpler: every listener inside the forum hall must receive
every chunk the host sent; the parent compares the slots (``audio.gap_ratio``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.loadtest import speech
from metaexpo.loadtest.counters import Counters
from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import MediaStream, MsgType, ServerFrame, record_ids

#: Positions may move this much (m) between routing and the check: ambiguous inside it.
MARGIN = 1.0
#: A chunk not received this many slots (500 ms) after it was sent is missed.
DEADLINE_SLOTS = 25
#: Talkers within this many slots of a chunk's slot may compete with it for the cap.
CAP_WINDOW = 3
MEDIA_HEAD = 8


@dataclass(frozen=True, slots=True)
class VoiceRules:
    """The server's voice rules and the run's talk schedule, as the probes check them."""

    radius: float
    cap: int
    zones: npt.NDArray[np.float64]
    seed: int
    share: float
    epoch: float


def zone_labels(
    xz: npt.NDArray[np.float64], zones: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """The server's booth zone label of each point: 0 outside all, else 1 + first zone."""
    if len(zones) == 0 or len(xz) == 0:
        return np.zeros(len(xz), np.int64)
    inside = _inside(xz, zones, 0.0)
    return np.where(inside.any(axis=1), inside.argmax(axis=1) + 1, 0)


def zone_clear(
    xz: npt.NDArray[np.float64], zones: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """True for points further than :data:`MARGIN` from every zone edge."""
    if len(zones) == 0 or len(xz) == 0:
        return np.ones(len(xz), np.bool_)
    return (_inside(xz, zones, MARGIN) == _inside(xz, zones, -MARGIN)).all(axis=1)


def _inside(
    xz: npt.NDArray[np.float64], zones: npt.NDArray[np.float64], grow: float
) -> npt.NDArray[np.bool_]:
    x, z = xz[:, 0:1], xz[:, 1:2]
    return (
        (x >= zones[None, :, 0] - grow)
        & (x < zones[None, :, 1] + grow)
        & (z >= zones[None, :, 2] - grow)
        & (z < zones[None, :, 3] + grow)
    )


@dataclass
class Ear:
    """One probe listener: its near set, the voice chunks it got and the ones it owes."""

    rules: VoiceRules
    origin: npt.NDArray[np.float64]
    view: dict[int, tuple[float, float]] = field(default_factory=dict)
    received: set[tuple[int, int]] = field(default_factory=set)
    #: (deadline slot, speaker id, slot, counted) of chunks it must receive.
    owed: deque[tuple[int, int, int, bool]] = field(default_factory=deque)
    next_slot: int | None = None
    second_start: float = 0.0
    second_speakers: set[int] = field(default_factory=set)
    stage_slots: list[int] = field(default_factory=list)

    def frame(
        self,
        frame: ServerFrame,
        own: tuple[int, float, float],
        now_ms: int,
        now_wall: float,
        c: Counters,
        measuring: bool,
    ) -> None:
        """Take in one decoded DELTA or KEYFRAME received at ``now_ms`` / ``now_wall``."""
        self._update_view(frame)
        own_id, ox, oz = own
        voice: list[tuple[int, int]] = []
        for m in frame.media:
            parsed = speech.read_chunk(m.data)
            if parsed is None:
                c.errors["media:not_a_harness_chunk"] += int(measuring)
                continue
            stamp, slot = parsed
            if m.stream == MediaStream.STAGE:
                if measuring:
                    c.stage_latencies.append(speech.age_ms(stamp, now_ms))
                    c.stage_bytes += MEDIA_HEAD + len(m.data)
                    self.stage_slots.append(slot)
                continue
            self.received.add((m.id, slot))
            if not measuring:
                continue
            c.voice_latencies.append(speech.age_ms(stamp, now_ms))
            c.voice_bytes += MEDIA_HEAD + len(m.data)
            c.voice_chunks += 1
            self.second_speakers.add(m.id)
            voice.append((m.id, slot))
        if voice:
            c.misrouted += self._misrouted(voice, ox, oz)
        if now_wall - self.second_start >= 1.0:
            if measuring and self.second_start:
                c.speakers_per_second.append(len(self.second_speakers))
            self.second_speakers = set()
            self.second_start = now_wall
        self._owe(own_id, ox, oz, now_wall, c, measuring)

    def _update_view(self, frame: ServerFrame) -> None:
        if frame.kind is MsgType.KEYFRAME:
            self.view.clear()
        for records in (frame.desktop, frame.vr):
            if len(records):
                pos = q.dequantise_position(records["pos"], self.origin)
                for aid, x, z in zip(
                    record_ids(records).tolist(),
                    pos[:, 0].tolist(),
                    pos[:, 2].tolist(),
                    strict=True,
                ):
                    self.view[aid] = (x, z)
        for aid in record_ids(frame.gone).tolist():
            self.view.pop(aid, None)

    def _misrouted(self, chunks: list[tuple[int, int]], ox: float, oz: float) -> int:
        """How many of a frame's voice chunks (speaker id, slot) the rules say it must not get.

        One vectorised pass per frame: a probe checks every chunk it hears, and a
        check per chunk cost the generator more CPU than the bots it measures.
        """
        r = self.rules
        ids = np.array([aid for aid, _ in chunks], np.int64)
        slots = np.array([slot for _, slot in chunks], np.int64)
        # Not on the schedule then: bytes went astray.
        wrong = ~speech.talking(r.seed, ids, slots, r.share)
        known = np.array([aid in self.view for aid in ids.tolist()], np.bool_)
        wrong |= ~known  # not in this listener's near set
        where = np.array(
            [self.view.get(aid, (ox, oz)) for aid in ids.tolist()], np.float64
        ).reshape(-1, 2)
        wrong |= np.hypot(where[:, 0] - ox, where[:, 1] - oz) > r.radius + MARGIN
        own = np.array([[ox, oz]], np.float64)
        other_zone = zone_labels(where, r.zones) != zone_labels(own, r.zones)[0]
        clear = zone_clear(where, r.zones) & bool(zone_clear(own, r.zones)[0])
        wrong |= known & other_zone & clear
        return int(wrong.sum())

    def _owe(
        self, own_id: int, ox: float, oz: float, now_wall: float, c: Counters, measuring: bool
    ) -> None:
        r = self.rules
        now = speech.slot_at(now_wall, r.epoch)
        if self.next_slot is None or now - self.next_slot > 50:
            self.next_slot = now - 1
        ids = np.array([i for i in self.view if i != own_id], np.int64)
        if len(ids):
            pos = np.array([self.view[i] for i in ids.tolist()], np.float64)
            d = np.hypot(pos[:, 0] - ox, pos[:, 1] - oz)
            own = np.array([[ox, oz]], np.float64)
            same = zone_labels(pos, r.zones) == zone_labels(own, r.zones)[0]
            clear = zone_clear(pos, r.zones) & bool(zone_clear(own, r.zones)[0])
            may_hear = same & (d <= r.radius + MARGIN)
            must_hear = same & clear & (d <= r.radius - MARGIN)
        while self.next_slot < now - 1:
            k = self.next_slot
            self.next_slot += 1
            if not len(ids):
                continue
            window = np.arange(k - CAP_WINDOW, k + CAP_WINDOW + 1)
            talks = speech.talking(r.seed, ids[:, None], window[None, :], r.share)
            now_talking = talks[:, CAP_WINDOW]
            competing = int((talks.any(axis=1) & may_hear).sum())
            due = now_talking & must_hear
            if competing > r.cap:
                c.capped += int(due.sum()) * measuring
                continue
            for aid in ids[due].tolist():
                self.owed.append((k + DEADLINE_SLOTS, aid, k, measuring))
        while self.owed and self.owed[0][0] <= now:
            _, aid, k, counted = self.owed.popleft()
            if counted:
                c.expected += 1
                c.missed += (aid, k) not in self.received
        if len(self.received) > 20_000:
            floor = now - 2 * DEADLINE_SLOTS
            self.received = {x for x in self.received if x[1] >= floor}
