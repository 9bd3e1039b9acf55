"""Recording a live stage for the replay: Opus packets in, an Ogg Opus file out.

The media path hands every STAGE chunk to :meth:`StageAudioRecorder.stage_chunk`
on the event loop; that call only files the packet in its 20 ms slot. A pump
writes the collected packets in batches from a worker thread, so the tick
never waits for the disk. Silence is not sent by browsers, so gaps in the
sequence (or in time, when another person starts talking) are filled with
silent packets: the replay keeps the talk's timing and its slides turn at
the right moments. Every chunk names its speaker, and the recording follows
one speaker at a time: when two people talk at once, whoever holds the floor
is kept whole and the other is dropped until the floor has been quiet for
:data:`FLOOR_HOLD_S` (the server never mixes audio, and interleaving two
voices packet by packet would garble both). It also keeps to the clock and
drops what would run ahead of it.

Every node records every stage (every node receives the stage audio); the
node that ends the session stores its file, the others discard theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from metaexpo.forums.ogg import OPUS_RATE, SILENT_PACKET, OggOpusWriter, OpusPacketError

log = logging.getLogger(__name__)

#: Duration of one chunk (slot) of stage audio, seconds.
SLOT_S = 0.02
#: A sequence step further than this from what the clock says starts a new stream.
SEQ_TOLERANCE_SLOTS = 50
#: How far the recording may run ahead of the clock before chunks are dropped.
AHEAD_SLOTS = 50
#: Longest recording (a forum day): slots beyond are dropped.
MAX_SLOTS = int(12 * 3600 / SLOT_S)
#: The speaker holding the floor keeps it until silent this long (then anyone may take it).
FLOOR_HOLD_S = 0.3
#: Largest Opus packet accepted (a 20 ms packet at 510 kbit/s is about 1,275 bytes).
MAX_PACKET_BYTES = 1500


@dataclass(frozen=True, slots=True)
class Recorded:
    """A finished recording: the file and how long it plays."""

    path: Path
    duration_ms: int


@dataclass(slots=True)
class Recording:
    """One live stage being recorded: slot bookkeeping on the loop, the file in a thread."""

    session_id: str
    path: Path
    started_at: float
    writer: OggOpusWriter
    incoming: list[bytes] = field(default_factory=list)
    next_slot: int = 0
    last_seq: int | None = None
    last_at: float = 0.0
    #: The speaker (avatar id) being recorded: who last held the floor.
    speaker: int | None = None
    dropped: int = 0
    lock: asyncio.Lock | None = None

    def take(self, speaker: int, seq: int, opus: bytes, received_at: float) -> None:
        """File one chunk of ``speaker`` in its slot, filling gaps with silence (loop
        thread, cheap)."""
        if not opus or len(opus) > MAX_PACKET_BYTES:
            self.dropped += 1
            return
        if speaker != self.speaker and self.speaker is not None:
            if received_at - self.last_at < FLOOR_HOLD_S:
                self.dropped += 1  # someone else holds the floor: one voice at a time
                return
            self.last_seq = None  # the floor changes hands: a new stream, placed by the clock
        clock_slot = round((received_at - self.started_at) / SLOT_S)
        if self.last_seq is None:
            gap = max(0, clock_slot - self.next_slot)
        else:
            step = (seq - self.last_seq) % 65536
            since = round((received_at - self.last_at) / SLOT_S)
            if step == 0 or (step > 32768 and 65536 - step < SEQ_TOLERANCE_SLOTS):
                self.dropped += 1  # a duplicate, or late: its slot has been filled
                return
            if abs(step - since) <= SEQ_TOLERANCE_SLOTS and step <= 32768:
                gap = step - 1
            else:  # another person's stream (or a restart): place it by the clock
                gap = max(0, clock_slot - self.next_slot)
        if self.next_slot + gap > clock_slot + AHEAD_SLOTS or self.next_slot + gap >= MAX_SLOTS:
            self.dropped += 1  # running ahead of the clock: two voices at once
            return
        self.incoming.extend([SILENT_PACKET] * gap)
        self.incoming.append(bytes(opus))
        self.next_slot += gap + 1
        self.last_seq = seq
        self.last_at = received_at
        self.speaker = speaker

    def write(self, batch: list[bytes], *, final: bool) -> None:
        """Append ``batch`` to the file (a worker thread; one at a time per recording)."""
        for packet in batch:
            try:
                self.writer.add(packet)
            except OpusPacketError:
                self.writer.add(SILENT_PACKET)
        data = self.writer.flush(final=final)
        with self.path.open("ab") as out:
            out.write(data)
            if final:
                out.flush()
                os.fsync(out.fileno())


class StageAudioRecorder:
    """:class:`metaexpo.forums.ports.StageRecorder` for every stage of this node."""

    def __init__(
        self,
        folder: Path,
        node_id: str,
        clock: Callable[[], float] = time.monotonic,
        flush_s: float = 1.0,
    ) -> None:
        self.folder = folder
        self.node_id = node_id
        self.clock = clock
        self.flush_s = flush_s
        self.by_stage: dict[int, Recording] = {}
        self.by_session: dict[str, Recording] = {}
        self._task: asyncio.Task[None] | None = None

    # --- the media path's port --------------------------------------------------------------

    def stage_chunk(
        self, stage: int, speaker: int, seq: int, opus: bytes, received_at: float
    ) -> None:
        """One chunk of stage audio from avatar ``speaker`` (ignored unless a session is
        live on that stage)."""
        recording = self.by_stage.get(stage)
        if recording is not None:
            recording.take(speaker, seq, opus, received_at)

    # --- the desk's side --------------------------------------------------------------------

    def start(self, stage: int, session_id: str) -> None:
        """Begin recording ``stage`` for ``session_id`` (idempotent)."""
        if session_id in self.by_session:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{session_id}-{secrets.token_hex(4)}.opus.part"
        writer = OggOpusWriter(
            secrets.randbits(32),
            comments={"title": session_id, "encoder": f"metaexpo node {self.node_id}"},
        )
        path.write_bytes(writer.headers())
        recording = Recording(session_id, path, self.clock(), writer)
        self.by_stage[stage] = recording
        self.by_session[session_id] = recording

    def _forget(self, session_id: str) -> Recording | None:
        recording = self.by_session.pop(session_id, None)
        if recording is not None:
            for stage, other in list(self.by_stage.items()):
                if other is recording:
                    del self.by_stage[stage]
        return recording

    def discard(self, session_id: str) -> None:
        """Stop recording ``session_id`` and delete its file (another node stores the replay)."""
        recording = self._forget(session_id)
        if recording is not None:
            recording.path.unlink(missing_ok=True)

    async def finish(self, session_id: str) -> Recorded | None:
        """Stop recording and close the file (None: nothing was recorded here)."""
        recording = self._forget(session_id)
        if recording is None:
            return None
        batch, recording.incoming = recording.incoming, []
        async with self._lock(recording):
            await asyncio.to_thread(recording.write, batch, final=True)
        if recording.writer.samples == 0:
            recording.path.unlink(missing_ok=True)
            return None
        if recording.dropped:
            log.info("replay of %s: %d chunk(s) dropped", session_id, recording.dropped)
        return Recorded(recording.path, recording.writer.samples * 1000 // OPUS_RATE)

    @staticmethod
    def _lock(recording: Recording) -> asyncio.Lock:
        if recording.lock is None:
            recording.lock = asyncio.Lock()
        return recording.lock

    async def pump_once(self) -> None:
        """Write what each recording collected since the last time (keeps one page open)."""
        for recording in list(self.by_session.values()):
            if not recording.incoming:
                continue
            batch, recording.incoming = recording.incoming, []
            async with self._lock(recording):
                if recording.session_id in self.by_session:
                    await asyncio.to_thread(recording.write, batch, final=False)

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(self.flush_s)
            try:
                await self.pump_once()
            except OSError:
                log.exception("cannot write a stage recording")

    def run(self) -> None:
        """Start the pump (inside the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._pump(), name="stage-recorder")

    async def close(self) -> None:
        """Stop the pump and delete unfinished recordings' files."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for session_id in list(self.by_session):
            self.discard(session_id)
