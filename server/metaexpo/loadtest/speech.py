"""Audio-shaped media for the load test: who talks when, and chunks that carry a stamp.

Speech is simulated, not encoded: a talker sends one chunk per 20 ms slot of
a talk turn, sized like Opus speech at 24–32 kbit/s (44–100 bytes), and
nothing in its silences. Whether avatar ``id`` talks in slot ``k`` is a pure
function of the run's seed, the id and ``k`` (:func:`talking`), so a probe
listener knows, from the ids in its near set alone, which chunks it should
get: the ground truth of ``voice.missed``. Slots count 20 ms steps of the
wall clock from the run's shared start, the same in every generator process.

The server treats chunk bytes as opaque; the harness puts a header in them::

    stamp u32 (sender's monotonic ms), slot u32, then filler to the chunk's size
"""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

SLOT_S = 0.02
#: A talk turn lasts this many slots (4 s); each turn a talker speaks with the talk share.
TURN_SLOTS = 200
#: Pauses inside a turn come in blocks of this many slots (200 ms), this share silent.
PAUSE_SLOTS = 10
PAUSE_SHARE = 0.2
HEADER = struct.Struct("<II")
MIN_CHUNK, MAX_CHUNK = 44, 100
_M64 = (1 << 64) - 1
_K1, _K2, _K3 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: a well-spread 64-bit hash, vectorised."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(_K2)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(_K3)
        return x ^ (x >> np.uint64(31))


def _unit(seed: int, salt: int, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """A uniform number in [0, 1) for each (a, b), fixed by seed and salt."""
    with np.errstate(over="ignore"):
        start = np.uint64((seed * _K1 + salt) & _M64)
        x = _mix(start ^ np.asarray(a, np.uint64) * np.uint64(_K1))
        x = _mix(x ^ np.asarray(b, np.uint64) * np.uint64(_K2))
    return np.asarray((x >> np.uint64(11)).astype(np.float64) / float(1 << 53))


def talking(
    seed: int, ids: npt.ArrayLike, slot: npt.ArrayLike, share: float
) -> npt.NDArray[np.bool_]:
    """Whether each avatar id sends a chunk in each slot (broadcast over ids and slots)."""
    slot = np.asarray(slot, np.int64)
    turn = _unit(seed, 1, ids, slot // TURN_SLOTS) < share
    voiced = _unit(seed, 2, ids, slot // PAUSE_SLOTS) >= PAUSE_SHARE
    return turn & voiced


def chunk_size(seed: int, ident: int, slot: int) -> int:
    """How many bytes the chunk of ``slot`` has (varies like Opus VBR speech)."""
    u = float(_unit(seed, 3, ident, slot))
    return MIN_CHUNK + int(u * (MAX_CHUNK - MIN_CHUNK + 1))


def make_chunk(stamp_ms: int, slot: int, size: int) -> bytes:
    """An opaque chunk that carries its send stamp and slot."""
    return HEADER.pack(stamp_ms & 0xFFFFFFFF, slot & 0xFFFFFFFF).ljust(size, b"\x55")


def read_chunk(data: bytes) -> tuple[int, int] | None:
    """(stamp ms, slot) of a harness chunk, or None if it is not one."""
    if len(data) < HEADER.size:
        return None
    stamp, slot = HEADER.unpack_from(data)
    return int(stamp), int(slot)


def age_ms(stamp: int, now_ms: int) -> int:
    """How old a u32 stamp is at ``now_ms``."""
    return (now_ms - stamp) & 0xFFFFFFFF


def slot_at(now_wall: float, epoch: float) -> int:
    """The 20 ms slot of wall time ``now_wall`` in a run that started at ``epoch``."""
    return int((now_wall - epoch) // SLOT_S)
