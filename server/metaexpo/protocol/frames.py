"""Binary pose frames: the byte layouts, and encoders/decoders for them.

One module for the whole binary wire format; ``docs/protocol.md`` is its
prose twin and ``docs/protocol-vectors/`` its golden bytes. All integers are
little-endian. Every binary frame starts with two bytes, the protocol version
and the message type::

    client → server   DESKTOP_POSE  0x01  23 B  version, type, x y z f32, yaw pitch f32,
                                                flags u8
                      VR_POSE       0x02  87 B  version, type, head xyz f32 + quat xyzw f32,
                                                left and right hand xyz + quat, flags u8
                      AUDIO         0x03        version, type, stream u8, count u8 (1–5),
                                                count × (seq u16, size u16, size B of Opus)
    server → client   DELTA         0x10        header, desktop records, VR records, gone ids,
                                                media records
                      KEYFRAME      0x11        header, desktop records, VR records, (no gone ids),
                                                media records
                      CROWD         0x12        header, u16 count, count × (x u8, z u8)

    server header (10 B): version u8, type u8, tick u32, server time ms u32
    pose body: u16 n, n × DESKTOP_RECORD (12 B); u16 n, n × VR_RECORD (28 B); u16 n, n × id (3 B);
               u16 n, n × MEDIA_RECORD (slot u16, gen u8, stream u8, seq u16, size u16, size B)

A media chunk is one 20 ms Opus packet, opaque to the server: it is checked
for size and routed, never decoded.

An avatar id is 24 bits: the room slot (u16) and its generation (u8, 1–255),
so a slot reused by a new visitor never carries an old visitor's id.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag

import numpy as np
import numpy.typing as npt

from metaexpo.errors import FrameError

#: Bumped on any incompatible change to a binary layout or control message.
PROTOCOL_VERSION = 2


class MsgType(IntEnum):
    """The second byte of every binary frame."""

    DESKTOP_POSE = 0x01
    VR_POSE = 0x02
    AUDIO = 0x03
    DELTA = 0x10
    KEYFRAME = 0x11
    CROWD = 0x12


class AvatarFlag(IntFlag):
    """Bits of a record's flags byte."""

    NONE = 0
    #: The avatar is walking (drives the walk animation).
    MOVING = 0x01
    #: The avatar jumped (teleport or spawn): show it there, do not interpolate.
    TELEPORTED = 0x02
    #: Its connection dropped; it may resume within the resume window.
    AWAY = 0x04
    #: The visitor is talking (voice activity), for a speaking indicator.
    SPEAKING = 0x08


#: Flags a client may set in its own pose frames; the server owns the rest.
CLIENT_FLAGS = int(AvatarFlag.MOVING | AvatarFlag.SPEAKING)


class MediaStream(IntEnum):
    """What a media chunk is: routed by proximity (VOICE) or to a forum hall (STAGE)."""

    VOICE = 1
    STAGE = 2


DESKTOP_POSE_IN = np.dtype(
    [
        ("version", "u1"),
        ("type", "u1"),
        ("pos", "<f4", (3,)),
        ("yaw", "<f4"),
        ("pitch", "<f4"),
        ("flags", "u1"),
    ]
)
VR_POSE_IN = np.dtype(
    [
        ("version", "u1"),
        ("type", "u1"),
        ("head", "<f4", (3,)),
        ("head_q", "<f4", (4,)),
        ("left", "<f4", (3,)),
        ("left_q", "<f4", (4,)),
        ("right", "<f4", (3,)),
        ("right_q", "<f4", (4,)),
        ("flags", "u1"),
    ]
)
DESKTOP_RECORD = np.dtype(
    [
        ("slot", "<u2"),
        ("gen", "u1"),
        ("pos", "<u2", (3,)),
        ("yaw", "u1"),
        ("pitch", "i1"),
        ("flags", "u1"),
    ]
)
VR_RECORD = np.dtype(
    [
        ("slot", "<u2"),
        ("gen", "u1"),
        ("pos", "<u2", (3,)),
        ("head_q", "<u4"),
        ("left", "i1", (3,)),
        ("left_q", "<u4"),
        ("right", "i1", (3,)),
        ("right_q", "<u4"),
        ("flags", "u1"),
    ]
)
AVATAR_ID = np.dtype([("slot", "<u2"), ("gen", "u1")])
CROWD_RECORD = np.dtype([("x", "u1"), ("z", "u1")])

assert DESKTOP_POSE_IN.itemsize == 23
assert VR_POSE_IN.itemsize == 87
assert DESKTOP_RECORD.itemsize == 12
assert VR_RECORD.itemsize == 28
assert AVATAR_ID.itemsize == 3

HEADER = struct.Struct("<BBII")
COUNT = struct.Struct("<H")
HEADER_SIZE = HEADER.size
#: Largest number of records of one kind in one frame.
MAX_RECORDS = 65535
#: AUDIO frame head: version, type, stream, chunk count; then per chunk: seq, size.
AUDIO_HEAD = struct.Struct("<BBBB")
CHUNK_HEAD = struct.Struct("<HH")
#: Most chunks (20 ms each) in one AUDIO frame: 100 ms of sound.
MAX_AUDIO_CHUNKS = 5
#: A media record's head in a server frame: speaker slot, gen, stream, seq, size.
MEDIA_HEAD = struct.Struct("<HBBHH")
#: The two bytes that end a pose frame without media (its media count, 0).
NO_MEDIA = COUNT.pack(0)

_DESKTOP_POSE = struct.Struct("<BB3fffB")
_VR_POSE = struct.Struct("<BB21fB")


def avatar_id(slot: int, gen: int) -> int:
    """The 24-bit wire id of the avatar in ``slot`` at generation ``gen``."""
    return slot | (gen << 16)


def split_avatar_id(aid: int) -> tuple[int, int]:
    """A 24-bit wire id → (slot, generation)."""
    return aid & 0xFFFF, (aid >> 16) & 0xFF


def encode_desktop_pose(
    pos: tuple[float, float, float], yaw: float, pitch: float, flags: int = 0
) -> bytes:
    """A client's desktop/mobile pose frame: head position (m), yaw and pitch (rad)."""
    return _DESKTOP_POSE.pack(
        PROTOCOL_VERSION, MsgType.DESKTOP_POSE, pos[0], pos[1], pos[2], yaw, pitch, flags
    )


def encode_vr_pose(
    head: tuple[float, float, float],
    head_q: tuple[float, float, float, float],
    left: tuple[float, float, float],
    left_q: tuple[float, float, float, float],
    right: tuple[float, float, float],
    right_q: tuple[float, float, float, float],
    flags: int = 0,
) -> bytes:
    """A client's VR pose frame: world positions (m) and x, y, z, w quaternions."""
    return _VR_POSE.pack(
        PROTOCOL_VERSION, MsgType.VR_POSE, *head, *head_q, *left, *left_q, *right, *right_q, flags
    )


def client_frame_kind(payload: bytes | bytearray | memoryview) -> MsgType:
    """Classify an inbound binary frame, or raise :class:`FrameError` saying what is wrong.

    Pose frames are checked for their exact length here; an AUDIO frame's
    body is checked by :func:`decode_audio_frame`.
    """
    n = len(payload)
    if n < 2:
        raise FrameError("truncated", f"a binary frame needs at least 2 bytes, got {n}")
    if payload[0] != PROTOCOL_VERSION:
        raise FrameError(
            "bad_version",
            f"binary frame has protocol version {payload[0]}, this server speaks "
            f"{PROTOCOL_VERSION}",
        )
    kind = payload[1]
    if kind == MsgType.AUDIO:
        return MsgType.AUDIO
    if kind == MsgType.DESKTOP_POSE:
        expected = DESKTOP_POSE_IN.itemsize
    elif kind == MsgType.VR_POSE:
        expected = VR_POSE_IN.itemsize
    else:
        raise FrameError("bad_type", f"unknown binary frame type 0x{kind:02x}")
    if n != expected:
        raise FrameError(
            "bad_length",
            f"a {MsgType(kind).name} frame is {expected} bytes, got {n}",
        )
    return MsgType(kind)


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A decoded AUDIO frame: its stream and its chunks as (seq, Opus packet) pairs."""

    stream: MediaStream
    chunks: tuple[tuple[int, bytes], ...]


def decode_audio_frame(payload: bytes, max_chunk_bytes: int) -> AudioFrame:
    """Check and split an AUDIO frame; raise :class:`FrameError` saying what is wrong.

    Every chunk must hold 1 to ``max_chunk_bytes`` bytes, the count must be
    1–5, and the declared sizes must add up to the frame's length exactly.
    """
    n = len(payload)
    if n < AUDIO_HEAD.size:
        raise FrameError("truncated", f"an AUDIO frame needs at least {AUDIO_HEAD.size} bytes")
    _, _, stream, count = AUDIO_HEAD.unpack_from(payload)
    if stream not in (MediaStream.VOICE, MediaStream.STAGE):
        raise FrameError("bad_stream", f"unknown media stream {stream}: 1 is voice, 2 is stage")
    if not 1 <= count <= MAX_AUDIO_CHUNKS:
        raise FrameError(
            "bad_count", f"an AUDIO frame carries 1 to {MAX_AUDIO_CHUNKS} chunks, not {count}"
        )
    chunks = []
    offset = AUDIO_HEAD.size
    for _ in range(count):
        if offset + CHUNK_HEAD.size > n:
            raise FrameError("truncated", f"the AUDIO frame ends at byte {n} inside a chunk head")
        seq, size = CHUNK_HEAD.unpack_from(payload, offset)
        offset += CHUNK_HEAD.size
        if not 1 <= size <= max_chunk_bytes:
            raise FrameError(
                "chunk_too_large" if size else "bad_length",
                f"a media chunk holds 1 to {max_chunk_bytes} bytes (one 20 ms Opus packet), "
                f"not {size}",
            )
        if offset + size > n:
            raise FrameError("truncated", f"a chunk of {size} B runs past the frame's end ({n} B)")
        chunks.append((seq, payload[offset : offset + size]))
        offset += size
    if offset != n:
        raise FrameError("bad_length", f"{n - offset} bytes after the last chunk of the frame")
    return AudioFrame(MediaStream(stream), tuple(chunks))


def encode_audio_frame(stream: MediaStream, chunks: list[tuple[int, bytes]]) -> bytes:
    """A client's AUDIO frame: 1–5 (seq, Opus packet) chunks of one stream."""
    assert 1 <= len(chunks) <= MAX_AUDIO_CHUNKS, "an AUDIO frame carries 1 to 5 chunks"
    parts = [AUDIO_HEAD.pack(PROTOCOL_VERSION, MsgType.AUDIO, stream, len(chunks))]
    for seq, opus in chunks:
        parts.append(CHUNK_HEAD.pack(seq & 0xFFFF, len(opus)))
        parts.append(opus)
    return b"".join(parts)


def media_record(slot: int, gen: int, stream: int, seq: int, opus: bytes) -> bytes:
    """One MEDIA_RECORD: a speaker's chunk as every listener receives it."""
    return MEDIA_HEAD.pack(slot, gen, stream, seq & 0xFFFF, len(opus)) + opus


def media_section(records: list[bytes]) -> bytes:
    """The trailing media section of a pose frame: u16 count, then the records."""
    assert len(records) <= MAX_RECORDS, "media section holds more records than a u16 counts"
    return COUNT.pack(len(records)) + b"".join(records)


def encode_pose_frame(
    kind: MsgType,
    tick: int,
    time_ms: int,
    desktop: bytes | memoryview,
    vr: bytes | memoryview,
    gone: bytes | memoryview = b"",
    media: bytes = NO_MEDIA,
) -> bytes:
    """Assemble a DELTA or KEYFRAME frame from already-encoded record bytes.

    ``desktop``, ``vr`` and ``gone`` are packed DESKTOP_RECORD, VR_RECORD and
    AVATAR_ID arrays as bytes; their counts follow from their lengths.
    ``media`` is a whole media section (:func:`media_section`), empty by default.
    """
    n_d = len(desktop) // DESKTOP_RECORD.itemsize
    n_v = len(vr) // VR_RECORD.itemsize
    n_g = len(gone) // AVATAR_ID.itemsize
    assert max(n_d, n_v, n_g) <= MAX_RECORDS, "frame holds more records than a u16 counts"
    return b"".join(
        (
            HEADER.pack(PROTOCOL_VERSION, kind, tick & 0xFFFFFFFF, time_ms & 0xFFFFFFFF),
            COUNT.pack(n_d),
            desktop,
            COUNT.pack(n_v),
            vr,
            COUNT.pack(n_g),
            gone,
            media,
        )
    )


def with_media(frame: bytes, section: bytes) -> bytes:
    """A pose frame encoded without media, with ``section`` as its media instead."""
    return frame[: -len(NO_MEDIA)] + section


def encode_crowd_frame(tick: int, time_ms: int, cells: bytes | memoryview) -> bytes:
    """Assemble a CROWD frame from packed CROWD_RECORD bytes."""
    n = len(cells) // CROWD_RECORD.itemsize
    assert n <= MAX_RECORDS, "crowd frame holds more points than a u16 counts"
    return b"".join(
        (
            HEADER.pack(PROTOCOL_VERSION, MsgType.CROWD, tick & 0xFFFFFFFF, time_ms & 0xFFFFFFFF),
            COUNT.pack(n),
            cells,
        )
    )


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """One media chunk in a server frame: whose, which stream, which 20 ms slot, the bytes."""

    slot: int
    gen: int
    stream: int
    seq: int
    data: bytes

    @property
    def id(self) -> int:
        """The speaker's 24-bit avatar id."""
        return avatar_id(self.slot, self.gen)


@dataclass(slots=True)
class ServerFrame:
    """A decoded server → client frame (the harness and tests read these)."""

    kind: MsgType
    tick: int
    time_ms: int
    desktop: npt.NDArray[np.void] = field(default_factory=lambda: np.zeros(0, DESKTOP_RECORD))
    vr: npt.NDArray[np.void] = field(default_factory=lambda: np.zeros(0, VR_RECORD))
    gone: npt.NDArray[np.void] = field(default_factory=lambda: np.zeros(0, AVATAR_ID))
    crowd: npt.NDArray[np.void] = field(default_factory=lambda: np.zeros(0, CROWD_RECORD))
    media: list[MediaRecord] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        """Avatar pose records carried (desktop + VR)."""
        return len(self.desktop) + len(self.vr)


def _take(
    buf: memoryview, offset: int, dtype: np.dtype[np.void]
) -> tuple[npt.NDArray[np.void], int]:
    if offset + 2 > len(buf):
        raise FrameError("truncated", f"frame ends at byte {len(buf)} before a count at {offset}")
    (n,) = COUNT.unpack_from(buf, offset)
    offset += 2
    end = offset + n * dtype.itemsize
    if end > len(buf):
        raise FrameError(
            "truncated", f"frame declares {n} records of {dtype.itemsize} B but ends at {len(buf)}"
        )
    return np.frombuffer(buf, dtype, n, offset), end


def _take_media(buf: memoryview, offset: int) -> tuple[list[MediaRecord], int]:
    if offset + 2 > len(buf):
        raise FrameError("truncated", f"frame ends at byte {len(buf)} before the media count")
    (n,) = COUNT.unpack_from(buf, offset)
    offset += 2
    records = []
    for _ in range(n):
        if offset + MEDIA_HEAD.size > len(buf):
            raise FrameError("truncated", "frame ends inside a media record's head")
        slot, gen, stream, seq, size = MEDIA_HEAD.unpack_from(buf, offset)
        offset += MEDIA_HEAD.size
        if offset + size > len(buf):
            raise FrameError("truncated", f"a media record of {size} B runs past the frame's end")
        records.append(MediaRecord(slot, gen, stream, seq, bytes(buf[offset : offset + size])))
        offset += size
    return records, offset


def decode_server_frame(payload: bytes | bytearray | memoryview) -> ServerFrame:
    """Decode a DELTA, KEYFRAME or CROWD frame; raise :class:`FrameError` if malformed."""
    buf = memoryview(payload).cast("B")
    if len(buf) < HEADER_SIZE:
        raise FrameError("truncated", f"a server frame needs {HEADER_SIZE} header bytes")
    version, kind, tick, time_ms = HEADER.unpack_from(buf, 0)
    if version != PROTOCOL_VERSION:
        raise FrameError("bad_version", f"server frame version {version}")
    if kind == MsgType.CROWD:
        crowd, end = _take(buf, HEADER_SIZE, CROWD_RECORD)
        frame = ServerFrame(MsgType.CROWD, tick, time_ms, crowd=crowd)
    elif kind in (MsgType.DELTA, MsgType.KEYFRAME):
        desktop, end = _take(buf, HEADER_SIZE, DESKTOP_RECORD)
        vr, end = _take(buf, end, VR_RECORD)
        gone, end = _take(buf, end, AVATAR_ID)
        media, end = _take_media(buf, end)
        frame = ServerFrame(MsgType(kind), tick, time_ms, desktop, vr, gone, media=media)
    else:
        raise FrameError("bad_type", f"unknown server frame type 0x{kind:02x}")
    if end != len(buf):
        raise FrameError("bad_length", f"{len(buf) - end} trailing bytes after the frame")
    return frame


def record_ids(records: npt.NDArray[np.void]) -> npt.NDArray[np.uint32]:
    """The 24-bit avatar ids of DESKTOP_RECORD, VR_RECORD or AVATAR_ID rows."""
    return records["slot"].astype(np.uint32) | (records["gen"].astype(np.uint32) << np.uint32(16))
