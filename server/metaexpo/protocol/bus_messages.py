"""The node-to-node message a room publishes once per tick on the bus.

Layout (little-endian), reusing the pose frame's record formats so a
receiving node can merge remote avatars without re-quantising::

    version u8 (BUS_VERSION), type u8 (0x20 TICK), node id length u8, node id UTF-8,
    tick u32, node time ms u32,
    u16 n, n × DESKTOP_RECORD; u16 n, n × VR_RECORD; u16 n, n × AVATAR_ID (avatars that left)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.errors import FrameError
from metaexpo.protocol.frames import AVATAR_ID, COUNT, DESKTOP_RECORD, VR_RECORD

BUS_VERSION = 1
BUS_TICK = 0x20
_HEAD = struct.Struct("<BBB")
_CLOCK = struct.Struct("<II")


@dataclass(frozen=True, slots=True)
class BusTick:
    """One node's changes in one tick."""

    node_id: str
    tick: int
    time_ms: int
    desktop: npt.NDArray[np.void]
    vr: npt.NDArray[np.void]
    gone: npt.NDArray[np.void]


def encode_bus_tick(
    node_id: str, tick: int, time_ms: int, desktop: bytes, vr: bytes, gone: bytes
) -> bytes:
    """Pack one tick's local changes (records already encoded)."""
    node = node_id.encode()
    assert len(node) < 256, "node id must fit one length byte"
    return b"".join(
        (
            _HEAD.pack(BUS_VERSION, BUS_TICK, len(node)),
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
    if kind != BUS_TICK:
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
    return BusTick(node_id, tick, time_ms, parts[0], parts[1], parts[2])
