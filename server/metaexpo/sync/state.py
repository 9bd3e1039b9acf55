"""A room's avatar state as numpy structure-of-arrays, one row per avatar.

Every avatar lives in one row; all per-avatar facts are columns of arrays,
so the tick works on whole columns instead of Python objects. Rows are reused
through a free list.

Rows are this node's storage; the *wire id* is what clients see: a 16-bit
wire slot and an 8-bit generation. A node hands out wire slots from its own
partition (several nodes serve one hall), bumping the generation on reuse
(1–255, never 0), so a departed visitor's id never names a newcomer. Avatars
of other nodes get a row here under their own wire id; ``row_of`` finds any
avatar's row by wire id in one table lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.config import MAX_FANOUT_PHASES
from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import DESKTOP_RECORD, VR_RECORD, AvatarFlag, avatar_id

Vec3 = tuple[float, float, float]
IDENTITY_QUAT = np.array([0.0, 0.0, 0.0, 1.0], np.float32)
#: Default hand rest offsets from the head (m): beside the hips, slightly forward.
REST_LEFT = np.array([-0.25, -0.75, -0.1], np.float32)
REST_RIGHT = np.array([0.25, -0.75, -0.1], np.float32)
WIRE_SLOTS = 0x10000
#: Owner index of this node's own avatars.
LOCAL = 0


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


@dataclass(frozen=True, slots=True)
class Partition:
    """The wire slots this node may hand out: ``[first, first + size)``."""

    first: int = 0
    size: int = WIRE_SLOTS

    def __post_init__(self) -> None:
        assert self.first >= 0 and self.first + self.size <= WIRE_SLOTS, "partition off the wire"


class RoomState:
    """Columns of per-avatar state; grows by doubling, never shrinks."""

    # Columns (one row per avatar); created and grown by _grow().
    active: npt.NDArray[np.bool_]
    #: The avatar's wire slot and generation (its id on the wire).
    wire_slot: npt.NDArray[np.uint16]
    gen: npt.NDArray[np.uint8]
    #: 0 for this node's avatars, else the index of the node that owns it.
    owner: npt.NDArray[np.uint16]
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
    #: Server time of the last accepted pose (for the speed check and staleness).
    updated_at: npt.NDArray[np.float64]
    #: Set when the avatar's record changed this tick.
    changed: npt.NDArray[np.bool_]
    #: A local avatar's change not yet published to other nodes.
    unpublished: npt.NDArray[np.bool_]
    #: Per fan-out phase: changed since that phase's clients got their last frame.
    unsent: npt.NDArray[np.bool_]
    #: Per fan-out phase: a jump (join, teleport, resume) that phase's clients were not
    #: sent yet; the record keeps its TELEPORTED flag until every phase has had it.
    jumps: npt.NDArray[np.bool_]
    rec_desktop: npt.NDArray[np.void]
    rec_vr: npt.NDArray[np.void]

    _COLUMNS: tuple[tuple[str, tuple[int, ...], npt.DTypeLike], ...] = (
        ("active", (), np.bool_),
        ("wire_slot", (), np.uint16),
        ("gen", (), np.uint8),
        ("owner", (), np.uint16),
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
        ("unpublished", (), np.bool_),
        ("unsent", (MAX_FANOUT_PHASES,), np.bool_),
        ("jumps", (MAX_FANOUT_PHASES,), np.bool_),
        ("rec_desktop", (), DESKTOP_RECORD),
        ("rec_vr", (), VR_RECORD),
    )

    def __init__(
        self,
        bounds: Bounds,
        capacity: int = 1024,
        partition: Partition | None = None,
        phases: int = 1,
    ) -> None:
        assert capacity > 0, "capacity must be positive"
        assert 1 <= phases <= MAX_FANOUT_PHASES, "fan-out phases out of range"
        self.bounds = bounds
        #: Fan-out phases of the tick that serves this state (see sync/tick.py).
        self.phases = phases
        self.origin = bounds.origin
        self.partition = partition or Partition()
        self.capacity = 0
        self.count = 0
        self._free_rows: list[int] = []
        p = self.partition
        self._free_wire: list[int] = list(range(p.first + p.size - 1, p.first - 1, -1))
        #: Last generation handed out per wire slot of this node's partition.
        self._wire_gen = np.zeros(WIRE_SLOTS, np.uint8)
        #: Row of each wire slot, or -1.
        self.row_of_wire = np.full(WIRE_SLOTS, -1, np.int32)
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        old = self.capacity
        for name, shape, dtype in self._COLUMNS:
            column = np.zeros((capacity, *shape), dtype)
            if old:
                column[:old] = getattr(self, name)
            setattr(self, name, column)
        self._free_rows.extend(range(capacity - 1, old - 1, -1))
        self.capacity = capacity

    def _take_row(self) -> int:
        if not self._free_rows:
            self._grow(self.capacity * 2)
        return self._free_rows.pop()

    # --- lifecycle -------------------------------------------------------------------------

    def allocate(self, position: Vec3, yaw: float, *, vr: bool) -> int:
        """Place a new local avatar under a fresh wire id and return its row."""
        assert self._free_wire, "this node's wire-slot partition is full"
        wire = self._free_wire.pop()
        gen = int(self._wire_gen[wire]) % 255 + 1
        self._wire_gen[wire] = gen
        return self.adopt(wire, gen, position, yaw, vr=vr)

    def adopt(self, wire: int, gen: int, position: Vec3, yaw: float, *, vr: bool) -> int:
        """Place a local avatar under a given wire id (a visitor resuming from another node)."""
        p = self.partition
        if p.first <= wire < p.first + p.size and self._wire_gen[wire] != gen:
            # One of our own ids coming back after a restart: keep it off the free list.
            if wire in self._free_wire:
                self._free_wire.remove(wire)
            self._wire_gen[wire] = gen
        row = self._install(wire, gen, owner=LOCAL)
        self.local[row] = True
        self.is_vr[row] = vr
        self.mark_jumped(row)
        head = np.asarray(position, np.float32)
        self.set_desktop_pose(row, head, yaw, 0.0)
        self.head_q[row] = IDENTITY_QUAT
        self.left[row] = head + REST_LEFT
        self.right[row] = head + REST_RIGHT
        self.left_q[row] = IDENTITY_QUAT
        self.right_q[row] = IDENTITY_QUAT
        self.encode(np.array([row]))
        return row

    def install_remote(self, wire: int, gen: int, owner: int) -> int:
        """A row for another node's avatar; the caller fills in its record."""
        assert owner != LOCAL, "remote avatars have a remote owner"
        row = self._install(wire, gen, owner)
        self.local[row] = False
        return row

    def _install(self, wire: int, gen: int, owner: int) -> int:
        old = int(self.row_of_wire[wire])
        if old >= 0 and self.active[old]:
            self.release(old)  # the id was reused elsewhere: the old avatar is gone
        row = self._take_row()
        self.active[row] = True
        self.wire_slot[row] = wire
        self.gen[row] = gen
        self.owner[row] = owner
        self.flags[row] = 0
        self.row_of_wire[wire] = row
        self.count += 1
        return row

    def release(self, row: int) -> None:
        """Free ``row``; a local wire slot goes back to this node's partition."""
        assert self.active[row], "releasing a free row"
        wire = int(self.wire_slot[row])
        self.active[row] = False
        self.changed[row] = False
        self.unpublished[row] = False
        self.unsent[row] = False
        self.jumps[row] = False
        if self.row_of_wire[wire] == row:
            self.row_of_wire[wire] = -1
        if (
            self.local[row]
            and self.partition.first <= wire < self.partition.first + self.partition.size
        ):
            self._free_wire.append(wire)
        self._free_rows.append(row)
        self.count -= 1

    def wire_id(self, row: int) -> int:
        """The 24-bit id clients see for the avatar in ``row``."""
        return avatar_id(int(self.wire_slot[row]), int(self.gen[row]))

    def row_of(self, wire_id: int) -> int | None:
        """The row of a live avatar with this wire id, or None if it is gone."""
        row = int(self.row_of_wire[wire_id & 0xFFFF])
        if row >= 0 and self.active[row] and self.gen[row] == wire_id >> 16:
            return row
        return None

    def active_rows(self) -> npt.NDArray[np.intp]:
        """Rows of every avatar in the room."""
        return np.flatnonzero(self.active)

    # --- poses -----------------------------------------------------------------------------

    def set_desktop_pose(self, row: int, head: npt.ArrayLike, yaw: float, pitch: float) -> None:
        """Set one avatar's head pose directly (spawn, teleport, resume)."""
        self.pos[row] = head
        self.yaw[row] = yaw
        self.pitch[row] = pitch
        self.mark_changed(row)

    def mark_changed(self, rows: int | npt.NDArray[np.intp]) -> None:
        """Note that avatars changed: clients get them this tick, other nodes at the next flush."""
        self.changed[rows] = True
        self.unpublished[rows] = self.local[rows]

    def mark_jumped(self, row: int) -> None:
        """Note that an avatar jumped: viewers snap to its new place instead of gliding."""
        self.flags[row] |= np.uint8(AvatarFlag.TELEPORTED)
        self.jumps[row, : self.phases] = True

    def encode(self, rows: npt.NDArray[np.intp]) -> None:
        """Refresh the wire records of ``rows`` from their float state."""
        if len(rows) == 0:
            return
        origin = self.origin
        pos_q = q.quantise_position(self.pos[rows], origin)
        d = self.rec_desktop
        d["slot"][rows] = self.wire_slot[rows]
        d["gen"][rows] = self.gen[rows]
        d["pos"][rows] = pos_q
        d["yaw"][rows] = q.quantise_yaw(self.yaw[rows])
        d["pitch"][rows] = q.quantise_pitch(self.pitch[rows])
        d["flags"][rows] = self.flags[rows]
        vr = rows[self.is_vr[rows]]
        if len(vr):
            vr_q = q.quantise_position(self.pos[vr], origin)
            head_dec = q.dequantise_position(vr_q, origin)
            v = self.rec_vr
            v["slot"][vr] = self.wire_slot[vr]
            v["gen"][vr] = self.gen[vr]
            v["pos"][vr] = vr_q
            v["head_q"][vr] = q.pack_quaternion(self.head_q[vr])
            # Offsets from the *quantised* head keep the hand error within one rounding step.
            v["left"][vr] = q.quantise_hand_offset(self.left[vr] - head_dec)
            v["left_q"][vr] = q.pack_quaternion(self.left_q[vr])
            v["right"][vr] = q.quantise_hand_offset(self.right[vr] - head_dec)
            v["right_q"][vr] = q.pack_quaternion(self.right_q[vr])
            v["flags"][vr] = self.flags[vr]
