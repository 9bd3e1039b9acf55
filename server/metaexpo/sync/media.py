"""A room's media: who may send what, where sound is shaped, and chunks waiting for the tick.

The server never decodes audio. A visitor's AUDIO frame is checked (size,
rate, permission) when it arrives and each chunk becomes a MEDIA_RECORD, the
very bytes every listener will receive; the tick routes the records
(:mod:`metaexpo.sync.mediaroute`) inside the pose frames it sends anyway.

Places that shape sound, as zone labels of a floor point (:class:`VoiceZones`):

* ``0`` — the open hall: voices are heard within the voice radius.
* ``k > 0`` — inside booth voice zone ``k``: its people hear each other only,
  and the aisle does not hear them (speaker and listener labels must be equal).
* ``-1`` — voice-free: a staff-set zone, the whole hall when staff say so, or a
  forum hall while a session is live there (its audience hears the stage only).
  Nobody there may talk (``voice_off_here``) and nobody there hears voices.

Stage audio is separate: an avatar the forum desk allowed on stage ``s`` sends
STAGE chunks, heard by everyone inside stage ``s``'s audience area while it is
live, and handed to the stage recorder, if one is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from metaexpo.protocol.frames import MediaStream, media_record

Rect = tuple[float, float, float, float]
#: Zone label of a voice-free place.
VOICE_FREE = -1
#: Stage number carried by voice chunks (they belong to no stage).
NO_STAGE = -1


class StageRecorder(Protocol):
    """Receives every STAGE chunk of a live stage (the forums' replay recorder)."""

    def stage_chunk(
        self, stage: int, speaker: int, seq: int, opus: bytes, received_at: float
    ) -> None:
        """One 20 ms Opus packet of stage ``stage`` from avatar ``speaker`` (its wire id),
        sequence ``seq`` (wrapping u16, counted per speaker)."""


@dataclass(frozen=True, slots=True)
class Stage:
    """A forum hall's stage as the media path sees it."""

    #: The audience region (x0, x1, z0, z1): who hears the stage while it is live.
    area: Rect
    #: Where the stage's sound comes from (for clients that spatialise it).
    source: tuple[float, float, float]
    live: bool


def _rects(rects: list[Rect]) -> npt.NDArray[np.float32]:
    return np.asarray(rects, np.float32).reshape(-1, 4)


def _inside(xz: npt.NDArray[np.floating], rects: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """(points, rects) mask: point inside rect (x0 ≤ x < x1, z0 ≤ z < z1)."""
    x, z = xz[:, 0:1], xz[:, 1:2]
    return (
        (x >= rects[None, :, 0])
        & (x < rects[None, :, 1])
        & (z >= rects[None, :, 2])
        & (z < rects[None, :, 3])
    )


@dataclass(slots=True)
class VoiceZones:
    """Where voices carry: booth voice zones, voice-free places (module docstring)."""

    #: Booth voice zones from the catalog, numbered 1… in this order.
    booths: npt.NDArray[np.float32] = field(default_factory=lambda: _rects([]))
    #: Voice-free rectangles: staff zones and the areas of live stages.
    free: npt.NDArray[np.float32] = field(default_factory=lambda: _rects([]))
    #: Staff made the whole hall voice-free.
    hall_free: bool = False

    def labels(self, xz: npt.NDArray[np.floating]) -> npt.NDArray[np.int32]:
        """Zone label of each floor point (N, 2)."""
        out = np.zeros(len(xz), np.int32)
        if len(xz) == 0:
            return out
        if len(self.booths):
            inside = _inside(xz, self.booths)
            hit = inside.any(axis=1)
            out[hit] = inside[hit].argmax(axis=1) + 1
        if self.hall_free:
            out[:] = VOICE_FREE
        elif len(self.free):
            out[_inside(xz, self.free).any(axis=1)] = VOICE_FREE
        return out


class MediaLog:
    """Chunks received lately, oldest first, each at a position that only grows.

    Each fan-out phase serves its own clients and routes what arrived since
    its last turn. A listener that walks into a cell of another phase between
    its turns is owed the chunks that phase routed to others before it came,
    so the tick asks from where each client was last served (``since``), and
    the log keeps one more turn of each phase than the phases alone need.
    """

    def __init__(self, phases: int) -> None:
        self.speaker: list[int] = []
        self.stream: list[int] = []
        self.stage: list[int] = []
        self.record: list[bytes] = []
        self.received: list[float] = []
        #: Position of the oldest chunk kept (positions count every chunk ever added).
        self.base = 0
        #: Per phase: where its last turn ended, and where the turn before that ended.
        self.cursor = [0] * phases
        self._previous = [0] * phases

    def __len__(self) -> int:
        return len(self.record)

    @property
    def end(self) -> int:
        """The position the next chunk will get."""
        return self.base + len(self.record)

    def add(self, wire: int, stream: int, stage: int, record: bytes, now: float) -> None:
        """Keep one MEDIA_RECORD of speaker ``wire`` for every phase's next turn."""
        self.speaker.append(wire)
        self.stream.append(stream)
        self.stage.append(stage)
        self.record.append(record)
        self.received.append(now)

    def take(self, phase: int, since: int | None = None) -> MediaBatch:
        """What arrived since ``phase``'s last turn, or since ``since`` if that is earlier
        (a client new to this phase); forget what no phase or client can still be owed."""
        end = self.end
        fresh = self.cursor[phase]
        start = max(self.base, fresh if since is None else min(since, fresh))
        if start == end:
            batch = NO_CHUNKS  # nobody talked: the common case costs no allocation
        else:
            i = start - self.base
            batch = MediaBatch(
                np.array(self.speaker[i:], np.int64),
                np.array(self.stream[i:], np.int64),
                np.array(self.stage[i:], np.int64),
                self.record[i:],
                np.array(self.received[i:], np.float64),
                np.arange(start, end, dtype=np.int64),
                fresh,
            )
        self._previous[phase] = fresh
        self.cursor[phase] = end
        done = min(self._previous) - self.base
        if done > 0:
            del self.speaker[:done], self.stream[:done], self.stage[:done]
            del self.record[:done], self.received[:done]
            self.base += done
        return batch


@dataclass(frozen=True, slots=True)
class MediaBatch:
    """Chunks for one fan-out phase: speaker wire ids, streams, stages, record bytes,
    their positions in the log, and from which position on they are new to the phase."""

    speaker: npt.NDArray[np.int64]
    stream: npt.NDArray[np.int64]
    stage: npt.NDArray[np.int64]
    records: list[bytes]
    received: npt.NDArray[np.float64]
    position: npt.NDArray[np.int64]
    fresh_from: int

    def __len__(self) -> int:
        return len(self.records)

    def since(self, position: int) -> MediaBatch:
        """The chunks at ``position`` or later (a contiguous tail: positions are sorted)."""
        i = int(np.searchsorted(self.position, position))
        if i == 0:
            return self
        return MediaBatch(
            self.speaker[i:],
            self.stream[i:],
            self.stage[i:],
            self.records[i:],
            self.received[i:],
            self.position[i:],
            self.fresh_from,
        )

    @property
    def fresh_received(self) -> npt.NDArray[np.float64]:
        """Receive times of the chunks new to this phase (for the server-added latency)."""
        return self.received[int(np.searchsorted(self.position, self.fresh_from)) :]


def _frozen(dtype: type[np.generic]) -> npt.NDArray[np.generic]:
    empty = np.zeros(0, dtype)
    empty.flags.writeable = False
    return empty


#: The batch of a phase step when no chunk arrived (shared, read-only).
NO_CHUNKS = MediaBatch(
    _frozen(np.int64),  # type: ignore[arg-type]
    _frozen(np.int64),  # type: ignore[arg-type]
    _frozen(np.int64),  # type: ignore[arg-type]
    [],
    _frozen(np.float64),  # type: ignore[arg-type]
    _frozen(np.int64),  # type: ignore[arg-type]
    0,
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a media frame was refused; ``abuse`` ones count toward the invalid-frame limit."""

    code: str
    message: str
    abuse: bool = False


class RoomMedia:
    """One room's media permissions, sound-shaping places and chunk log."""

    def __init__(self, phases: int, booth_zones: list[Rect] | None = None) -> None:
        self.stages: dict[int, Stage] = {}
        #: Avatars (wire ids) allowed to send STAGE audio, and to which stage.
        self.on_stage: dict[int, int] = {}
        self.free_zones: dict[str, Rect] = {}
        self.zones = VoiceZones(booths=_rects(booth_zones or []))
        #: The voice-free rectangles as plain tuples, for the per-frame check.
        self._free: list[tuple[float, ...]] = []
        self.log = MediaLog(phases)
        self.recorder: StageRecorder | None = None

    # --- what the forum desk and staff set -------------------------------------------------

    def set_stage(
        self, stage: int, area: Rect, source: tuple[float, float, float], live: bool
    ) -> None:
        """Where stage ``stage``'s audience is, where its sound comes from, whether it is live."""
        x0, x1, z0, z1 = area
        assert x0 < x1 and z0 < z1, "a stage's area is (x0, x1, z0, z1) with x0 < x1, z0 < z1"
        self.stages[stage] = Stage(area, source, live)
        self._rebuild_free()

    def allow_stage_audio(self, wire_id: int, stage: int | None) -> None:
        """Avatar ``wire_id`` may (``stage``) or may no longer (None) send STAGE audio."""
        if stage is None:
            self.on_stage.pop(wire_id, None)
        else:
            self.on_stage[wire_id] = stage

    def set_voice_free_zone(self, zone_id: str, area: Rect | None) -> None:
        """Make ``area`` voice-free under the name ``zone_id`` (None: lift it)."""
        if area is None:
            self.free_zones.pop(zone_id, None)
        else:
            x0, x1, z0, z1 = area
            assert x0 < x1 and z0 < z1, "a zone is (x0, x1, z0, z1) with x0 < x1, z0 < z1"
            self.free_zones[zone_id] = area
        self._rebuild_free()

    def set_voice_free_hall(self, free: bool) -> None:
        """Make the whole hall voice-free (True) or not (False)."""
        self.zones.hall_free = free

    def quiet_places(self) -> dict[str, object]:
        """Staff's voice-free places as visitors are told them (``voice.places``, protocol.md)."""
        return {
            "type": "voice.places",
            "quiet_hall": self.zones.hall_free,
            "quiet_zones": {name: list(area) for name, area in sorted(self.free_zones.items())},
        }

    def _rebuild_free(self) -> None:
        live = [s.area for s in self.stages.values() if s.live]
        self.zones.free = _rects([*self.free_zones.values(), *live])
        self._free = [tuple(float(v) for v in r) for r in self.zones.free.tolist()]

    # --- chunks in ---------------------------------------------------------------------------

    def stage_of(self, wire: int) -> int | Refusal:
        """The live stage avatar ``wire`` may speak on, or why it may not."""
        stage = self.on_stage.get(wire)
        if stage is None:
            return Refusal(
                "not_on_stage", "only speakers the moderators put on stage may send stage audio"
            )
        info = self.stages.get(stage)
        if info is None or not info.live:
            return Refusal("not_on_stage", f"no session is live on stage {stage} right now")
        return stage

    def voice_off_at(self, x: float, z: float) -> bool:
        """True where nobody may talk (a voice-free place); per frame, so plain Python."""
        if self.zones.hall_free:
            return True
        return any(x0 <= x < x1 and z0 <= z < z1 for x0, x1, z0, z1 in self._free)

    def keep(
        self,
        slot: int,
        gen: int,
        stream: int,
        stage: int,
        chunks: tuple[tuple[int, bytes], ...],
        now: float,
    ) -> int:
        """Log admitted chunks for the tick (and stage ones for the recorder); returns bytes."""
        wire = slot | gen << 16
        total = 0
        recorder = self.recorder if stream == MediaStream.STAGE else None
        for seq, opus in chunks:
            self.log.add(wire, stream, stage, media_record(slot, gen, stream, seq, opus), now)
            total += len(opus)
            if recorder is not None:
                recorder.stage_chunk(stage, wire, seq, opus, now)
        return total
