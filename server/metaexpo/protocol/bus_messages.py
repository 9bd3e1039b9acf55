"""Node-to-node messages on a room's bus channel.

Binary pose messages reuse the pose frame's record formats, so a receiving
node merges remote avatars by copying records, without re-quantising::

    version u8 (BUS_VERSION), type u8, node id length u8, node id UTF-8,
    tick u32, node time ms u32,
    u16 n, n × DESKTOP_RECORD; u16 n, n × VR_RECORD; u16 n, n × AVATAR_ID (avatars that left)

    type 0x20 DELTA: the node's avatars that changed this tick, and those that left
    type 0x21 FULL:  every avatar the node has in the room (sent about once a second;
                     a node missing from the list is gone; it doubles as a heartbeat)

Media chunks the node's visitors sent (already admitted there) cross once per node::

    version u8, type u8 (0x22 MEDIA), node id length u8, node id UTF-8,
    u16 n, n × (slot u16, gen u8, stream u8, stage u8 (255: none), seq u16, size u16, size B)

Control messages are a JSON object (first byte ``{``) with ``"v"``, ``"node"``
and ``"t"``: ``join`` (roster entries of avatars that joined), ``roster_req``
/ ``roster`` (names asked of and answered by the owner node), ``chat`` (chat
lines of the node's visitors), ``takeover`` (a visitor resumed on another
node), ``announce`` (a control message for every visitor of the room, e.g. a
booth that went live), ``emote`` (an avatar's gesture and where it stands, for the
visitors near it). Anything else on the channel is foreign: ignored and counted.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from metaexpo.errors import FrameError
from metaexpo.protocol.frames import AVATAR_ID, COUNT, DESKTOP_RECORD, VR_RECORD

BUS_VERSION = 1
BUS_DELTA = 0x20
BUS_FULL = 0x21
BUS_MEDIA = 0x22
#: A bus media record's head: speaker slot, gen, stream, stage, seq, size.
BUS_MEDIA_HEAD = struct.Struct("<HBBBHH")
#: Stage byte of a chunk that belongs to no stage (voice).
BUS_NO_STAGE = 0xFF
BUS_CONTROL_VERSION = 1
_HEAD = struct.Struct("<BBB")
_CLOCK = struct.Struct("<II")


@dataclass(frozen=True, slots=True)
class BusTick:
    """One node's changes in one tick (DELTA) or its whole picture (FULL)."""

    node_id: str
    full: bool
    tick: int
    time_ms: int
    desktop: npt.NDArray[np.void]
    vr: npt.NDArray[np.void]
    gone: npt.NDArray[np.void]


def encode_bus_tick(
    node_id: str,
    tick: int,
    time_ms: int,
    desktop: bytes,
    vr: bytes,
    gone: bytes,
    *,
    full: bool = False,
) -> bytes:
    """Pack one tick's local changes, or the full local picture (records already encoded)."""
    node = node_id.encode()
    assert len(node) < 256, "node id must fit one length byte"
    return b"".join(
        (
            _HEAD.pack(BUS_VERSION, BUS_FULL if full else BUS_DELTA, len(node)),
            node,
            _CLOCK.pack(tick & 0xFFFFFFFF, time_ms & 0xFFFFFFFF),
            COUNT.pack(len(desktop) // DESKTOP_RECORD.itemsize),
            desktop,
            COUNT.pack(len(vr) // VR_RECORD.itemsize),
            vr,
            COUNT.pack(len(gone) // AVATAR_ID.itemsize),
            gone,
        )
    )


def decode_bus_tick(payload: bytes) -> BusTick:
    """Unpack a bus tick message; raise FrameError for anything foreign or malformed."""
    if len(payload) < _HEAD.size:
        raise FrameError("truncated", "bus message shorter than its header")
    version, kind, node_len = _HEAD.unpack_from(payload)
    if version != BUS_VERSION:
        raise FrameError("bad_version", f"bus message version {version}, expected {BUS_VERSION}")
    if kind not in (BUS_DELTA, BUS_FULL):
        raise FrameError("bad_type", f"bus message type 0x{kind:02x}")
    offset = _HEAD.size + node_len
    if offset + _CLOCK.size > len(payload):
        raise FrameError("truncated", "bus message ends inside its header")
    try:
        node_id = payload[_HEAD.size : offset].decode()
    except UnicodeDecodeError:
        raise FrameError("bad_node", "bus message node id is not UTF-8") from None
    tick, time_ms = _CLOCK.unpack_from(payload, offset)
    offset += _CLOCK.size
    parts = []
    for dtype in (DESKTOP_RECORD, VR_RECORD, AVATAR_ID):
        if offset + 2 > len(payload):
            raise FrameError("truncated", "bus message ends before a record count")
        (n,) = COUNT.unpack_from(payload, offset)
        offset += 2
        end = offset + n * dtype.itemsize
        if end > len(payload):
            raise FrameError("truncated", f"bus message declares {n} records past its end")
        parts.append(np.frombuffer(payload, dtype, n, offset))
        offset = end
    if offset != len(payload):
        raise FrameError("bad_length", "trailing bytes after the bus message")
    return BusTick(node_id, kind == BUS_FULL, tick, time_ms, parts[0], parts[1], parts[2])


@dataclass(frozen=True, slots=True)
class BusChunk:
    """One media chunk another node admitted: speaker id, stream, stage (-1: none), seq, bytes."""

    wire: int
    stream: int
    stage: int
    seq: int
    opus: bytes


@dataclass(frozen=True, slots=True)
class BusMedia:
    """One node's media chunks since its last media message."""

    node_id: str
    chunks: list[BusChunk]


def bus_media_record(wire: int, stream: int, stage: int, seq: int, opus: bytes) -> bytes:
    """One chunk as it crosses the bus (``stage`` -1 for voice)."""
    assert -1 <= stage < BUS_NO_STAGE, "stage numbers are 0–254"
    return (
        BUS_MEDIA_HEAD.pack(
            wire & 0xFFFF,
            wire >> 16,
            stream,
            BUS_NO_STAGE if stage < 0 else stage,
            seq & 0xFFFF,
            len(opus),
        )
        + opus
    )


def encode_bus_media(node_id: str, records: list[bytes]) -> bytes:
    """Pack chunk records (:func:`bus_media_record`) into one MEDIA message."""
    node = node_id.encode()
    assert len(node) < 256, "node id must fit one length byte"
    assert len(records) <= 0xFFFF, "one media message holds at most 65,535 chunks"
    return b"".join(
        (_HEAD.pack(BUS_VERSION, BUS_MEDIA, len(node)), node, COUNT.pack(len(records)), *records)
    )


def is_media(payload: bytes) -> bool:
    """True if the payload is a binary media message."""
    return len(payload) > 1 and payload[1] == BUS_MEDIA


def decode_bus_media(payload: bytes) -> BusMedia:
    """Unpack a media message; raise FrameError for anything foreign or malformed."""
    if len(payload) < _HEAD.size:
        raise FrameError("truncated", "bus message shorter than its header")
    version, kind, node_len = _HEAD.unpack_from(payload)
    if version != BUS_VERSION:
        raise FrameError("bad_version", f"bus message version {version}, expected {BUS_VERSION}")
    if kind != BUS_MEDIA:
        raise FrameError("bad_type", f"bus message type 0x{kind:02x} is not media")
    offset = _HEAD.size + node_len
    if offset + COUNT.size > len(payload):
        raise FrameError("truncated", "bus media message ends inside its header")
    try:
        node_id = payload[_HEAD.size : offset].decode()
    except UnicodeDecodeError:
        raise FrameError("bad_node", "bus message node id is not UTF-8") from None
    (n,) = COUNT.unpack_from(payload, offset)
    offset += COUNT.size
    chunks = []
    for _ in range(n):
        if offset + BUS_MEDIA_HEAD.size > len(payload):
            raise FrameError("truncated", "bus media message ends inside a chunk's head")
        slot, gen, stream, stage, seq, size = BUS_MEDIA_HEAD.unpack_from(payload, offset)
        offset += BUS_MEDIA_HEAD.size
        if offset + size > len(payload):
            raise FrameError("truncated", "a bus media chunk runs past the message's end")
        opus = payload[offset : offset + size]
        offset += size
        chunks.append(
            BusChunk(slot | gen << 16, stream, -1 if stage == BUS_NO_STAGE else stage, seq, opus)
        )
    if offset != len(payload):
        raise FrameError("bad_length", "trailing bytes after the bus media message")
    return BusMedia(node_id, chunks)


CONTROL_TYPES = frozenset(
    {"join", "roster_req", "roster", "chat", "takeover", "announce", "emote", "quiet"}
)


def encode_bus_control(node_id: str, kind: str, **fields: Any) -> bytes:
    """A JSON control message from ``node_id``."""
    assert kind in CONTROL_TYPES, f"unknown bus control type {kind}"
    return orjson.dumps({"v": BUS_CONTROL_VERSION, "node": node_id, "t": kind, **fields})


def decode_bus_control(payload: bytes) -> dict[str, Any]:
    """Parse a control message; raise FrameError for anything foreign or malformed."""
    try:
        msg = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise FrameError("bad_json", "bus control message is not JSON") from None
    if not isinstance(msg, dict) or msg.get("v") != BUS_CONTROL_VERSION:
        raise FrameError("bad_version", "bus control message of another version")
    if msg.get("t") not in CONTROL_TYPES or not isinstance(msg.get("node"), str):
        raise FrameError("bad_type", "bus control message of an unknown type")
    return msg


def is_control(payload: bytes) -> bool:
    """True if the payload is a JSON control message rather than a binary pose message."""
    return payload[:1] == b"{"
