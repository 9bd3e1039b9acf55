"""A room's avatar state as numpy structure-of-arrays indexed by slot.

Every avatar lives in one slot; all per-avatar facts are columns of arrays,
so the tick works on whole columns instead of Python objects. Slots are
reused through a free list, and each reuse bumps the slot's generation (1–255,
never 0), so the 24-bit wire id ``slot | generation << 16`` of a departed
visitor never names the newcomer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import DESKTOP_RECORD, VR_RECORD, AvatarFlag, avatar_id

Vec3 = tuple[float, float, float]
IDENTITY_QUAT = np.array([0.0, 0.0, 0.0, 1.0], np.float32)
#: Default hand rest offsets from the head (m): beside the hips, slightly forward.
REST_LEFT = np.array([-0.25, -0.75, -0.1], np.float32)
REST_RIGHT = np.array([0.25, -0.75, -0.1], np.float32)


@dataclass(frozen=True, slots=True)
class Bounds:
    """Where avatar heads may be: an axis-aligned box in metres."""

    min: Vec3
    max: Vec3

    def __post_init__(self) -> None:
        for lo, hi in zip(self.min, self.max, strict=True):
            assert hi > lo, "bounds must have positive extent"
            assert hi - lo <= q.MAX_EXTENT, "bounds exceed the wire's position range"

    @property
    def origin(self) -> npt.NDArray[np.float64]:
        """The quantisation origin (the minimum corner)."""
        return np.array(self.min, np.float64)

    def contains(self, p: Vec3) -> bool:
        """True if ``p`` lies inside (inclusive)."""
        return all(lo <= c <= hi for lo, c, hi in zip(self.min, p, self.max, strict=True))


class RoomState:
    """Columns of per-avatar state; grows by doubling, never shrinks."""

    def __init__(self, bounds: Bounds, capacity: int = 1024, slot_base: int = 0) -> None:
        assert capacity > 0, "capacity must be positive"
        self.bounds = bounds
        self.origin = bounds.origin
        self.slot_base = slot_base
        self.capacity = 0
        self._free: list[int] = []
        self.count = 0
        self._grow(capacity)

    # --- storage ---------------------------------------------------------------------------

    # Columns (one row per slot); created and grown by _grow().
    active: npt.NDArray[np.bool_]
    gen: npt.NDArray[np.uint8]
    is_vr: npt.NDArray[np.bool_]
    local: npt.NDArray[np.bool_]
    pos: npt.NDArray[np.float32]
    yaw: npt.NDArray[np.float32]
    pitch: npt.NDArray[np.float32]
    head_q: npt.NDArray[np.float32]
    left: npt.NDArray[np.float32]
    left_q: npt.NDArray[np.float32]
    right: npt.NDArray[np.float32]
    right_q: npt.NDArray[np.float32]
    flags: npt.NDArray[np.uint8]
    #: Server time of the last accepted pose (for the speed check).
    updated_at: npt.NDArray[np.float64]
    #: Set when the avatar's record changed this tick.
    changed: npt.NDArray[np.bool_]
    rec_desktop: npt.NDArray[np.void]
    rec_vr: npt.NDArray[np.void]

    _COLUMNS: tuple[tuple[str, tuple[int, ...], npt.DTypeLike], ...] = (
        ("active", (), np.bool_),
        ("gen", (), np.uint8),
        ("is_vr", (), np.bool_),
        ("local", (), np.bool_),
        ("pos", (3,), np.float32),
        ("yaw", (), np.float32),
        ("pitch", (), np.float32),
        ("head_q", (4,), np.float32),
        ("left", (3,), np.float32),
        ("left_q", (4,), np.float32),
        ("right", (3,), np.float32),
        ("right_q", (4,), np.float32),
        ("flags", (), np.uint8),
        ("updated_at", (), np.float64),
        ("changed", (), np.bool_),
        ("rec_desktop", (), DESKTOP_RECORD),
        ("rec_vr", (), VR_RECORD),
    )

    def _grow(self, capacity: int) -> None:
        assert self.slot_base + capacity <= 0x10000, "a room holds at most 65,536 slots"
        old = self.capacity
        for name, shape, dtype in self._COLUMNS:
            column = np.zeros((capacity, *shape), dtype)
            if old:
                column[:old] = getattr(self, name)
            setattr(self, name, column)
        self._free.extend(range(capacity - 1, old - 1, -1))
        self.capacity = capacity

    # --- lifecycle -------------------------------------------------------------------------

    def allocate(self, position: Vec3, yaw: float, *, vr: bool, local: bool = True) -> int:
        """Place a new avatar and return its slot (the generation is bumped)."""
        if not self._free:
            self._grow(min(self.capacity * 2, 0x10000 - self.slot_base))
            assert self._free, "room is at its slot limit"
        slot = self._free.pop()
        nxt = int(self.gen[slot]) % 255 + 1
        self.gen[slot] = nxt
        self.active[slot] = True
        self.local[slot] = local
        self.is_vr[slot] = vr
        self.flags[slot] = AvatarFlag.TELEPORTED
        head = np.asarray(position, np.float32)
        self.set_desktop_pose(slot, head, yaw, 0.0)
        self.head_q[slot] = IDENTITY_QUAT
        self.left[slot] = head + REST_LEFT
        self.right[slot] = head + REST_RIGHT
        self.left_q[slot] = IDENTITY_QUAT
        self.right_q[slot] = IDENTITY_QUAT
        self.encode(np.array([slot]))
        self.count += 1
        return slot

    def release(self, slot: int) -> None:
        """Free ``slot``; its generation stays so the next owner gets a new id."""
        assert self.active[slot], "releasing a free slot"
        self.active[slot] = False
        self.changed[slot] = False
        self._free.append(slot)
        self.count -= 1

    def wire_id(self, slot: int) -> int:
        """The 24-bit id clients see for the avatar in ``slot``."""
        return avatar_id(self.slot_base + slot, int(self.gen[slot]))

    def slot_of(self, wire_id: int) -> int | None:
        """The slot of a live avatar with this wire id, or None if it is gone."""
        slot = (wire_id & 0xFFFF) - self.slot_base
        if 0 <= slot < self.capacity and self.active[slot] and self.gen[slot] == wire_id >> 16:
            return slot
        return None

    def active_slots(self) -> npt.NDArray[np.intp]:
        """Slots of every avatar in the room."""
        return np.flatnonzero(self.active)

    # --- poses -----------------------------------------------------------------------------

    def set_desktop_pose(self, slot: int, head: npt.ArrayLike, yaw: float, pitch: float) -> None:
        """Set one avatar's head pose directly (spawn, teleport, resume)."""
        self.pos[slot] = head
        self.yaw[slot] = yaw
        self.pitch[slot] = pitch
        self.changed[slot] = True

    def encode(self, slots: npt.NDArray[np.intp]) -> None:
        """Refresh the wire records of ``slots`` from their float state."""
        if len(slots) == 0:
            return
        origin = self.origin
        pos_q = q.quantise_position(self.pos[slots], origin)
        ids_slot = (slots + self.slot_base).astype(np.uint16)
        gens = self.gen[slots]
        flags = self.flags[slots]
        d = self.rec_desktop
        d["slot"][slots] = ids_slot
        d["gen"][slots] = gens
        d["pos"][slots] = pos_q
        d["yaw"][slots] = q.quantise_yaw(self.yaw[slots])
        d["pitch"][slots] = q.quantise_pitch(self.pitch[slots])
        d["flags"][slots] = flags
        vr = slots[self.is_vr[slots]]
        if len(vr):
            head_dec = q.dequantise_position(q.quantise_position(self.pos[vr], origin), origin)
            v = self.rec_vr
            v["slot"][vr] = (vr + self.slot_base).astype(np.uint16)
            v["gen"][vr] = self.gen[vr]
            v["pos"][vr] = q.quantise_position(self.pos[vr], origin)
            v["head_q"][vr] = q.pack_quaternion(self.head_q[vr])
            # Offsets from the *quantised* head keep the hand error within one rounding step.
            v["left"][vr] = q.quantise_hand_offset(self.left[vr] - head_dec)
            v["left_q"][vr] = q.pack_quaternion(self.left_q[vr])
            v["right"][vr] = q.quantise_hand_offset(self.right[vr] - head_dec)
            v["right_q"][vr] = q.pack_quaternion(self.right_q[vr])
            v["flags"][vr] = self.flags[vr]
