"""Other nodes' avatars in this node's arrays, and how alive those nodes are.

Several nodes can serve one hall. Each publishes its own avatars on the bus;
this module merges what the others publish into the room's state so that
interest management, the crowd layer and keyframes treat remote avatars
exactly like local ones. Records are copied as they came (same wire format),
so merging never re-quantises. A node that falls silent first has its
avatars flagged AWAY (stale), then removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.protocol import quantise as q
from metaexpo.protocol.bus_messages import BusTick
from metaexpo.protocol.frames import AvatarFlag
from metaexpo.sync.state import LOCAL, RoomState

Rows = npt.NDArray[np.intp]


@dataclass
class Peer:
    """What this node knows about another node."""

    node_id: str
    index: int
    last_heard: float
    stale: bool = False


@dataclass
class PeerNodes:
    """Other nodes by id, each with a small owner index used in the state's owner column."""

    peers: dict[str, Peer] = field(default_factory=dict)
    by_index: dict[int, Peer] = field(default_factory=dict)
    _next: int = 1

    def heard(self, node_id: str, now: float) -> Peer:
        """Note a message from ``node_id`` (registering it if new) and return it."""
        peer = self.peers.get(node_id)
        if peer is None:
            assert self._next < 0xFFFF, "too many nodes"
            peer = Peer(node_id, self._next, now)
            self._next += 1
            self.peers[node_id] = peer
            self.by_index[peer.index] = peer
        peer.last_heard = max(peer.last_heard, now)
        return peer

    def forget(self, peer: Peer) -> None:
        """Drop a node that went away (its index is not reused)."""
        self.peers.pop(peer.node_id, None)
        self.by_index.pop(peer.index, None)

    @property
    def alive(self) -> int:
        """Nodes heard from recently (not stale)."""
        return sum(not p.stale for p in self.peers.values())


def _upsert(
    state: RoomState, records: npt.NDArray[np.void], owner: int, now: float, *, vr: bool
) -> Rows:
    """Rows for the records' avatars (installing new ones), with the records copied in.

    Only avatars whose record really changed are marked changed: a full-state
    message repeats every record, and re-sending unchanged ones to clients
    would cost bandwidth and show stale poses as fresh.
    """
    wires = records["slot"].astype(np.intp)
    gens = records["gen"]
    rows = state.row_of_wire[wires].astype(np.intp)
    have = rows >= 0
    idx = rows[have]
    same = state.active[idx] & (state.gen[idx] == gens[have]) & (state.owner[idx] == owner)
    known = np.zeros(len(rows), np.bool_)
    known[np.flatnonzero(have)[same]] = True
    for i in np.flatnonzero(~known).tolist():
        rows[i] = state.install_remote(int(wires[i]), int(gens[i]), owner)
    column = state.rec_vr if vr else state.rec_desktop
    size = column.dtype.itemsize
    old = column[rows].view(np.uint8).reshape(-1, size)
    new = np.ascontiguousarray(records).view(np.uint8).reshape(-1, size)
    differs = ~known | (state.is_vr[rows] != vr) | (old != new).any(axis=1)
    state.is_vr[rows] = vr
    column[rows] = records
    if not vr:
        state.yaw[rows] = q.dequantise_yaw(records["yaw"])
        state.pitch[rows] = q.dequantise_pitch(records["pitch"])
    state.pos[rows] = q.dequantise_position(records["pos"], state.origin)
    state.flags[rows] = records["flags"]
    state.updated_at[rows] = now
    state.changed[rows[differs]] = True
    return rows


def merge(state: RoomState, msg: BusTick, owner: int, now: float) -> list[int]:
    """Apply one message of node ``owner``; return the wire ids of avatars removed."""
    seen = [np.zeros(0, np.intp)]
    if len(msg.desktop):
        seen.append(_upsert(state, msg.desktop, owner, now, vr=False))
    if len(msg.vr):
        seen.append(_upsert(state, msg.vr, owner, now, vr=True))
    removed: list[int] = []
    for wire, gen in zip(msg.gone["slot"].tolist(), msg.gone["gen"].tolist(), strict=True):
        row = state.row_of(wire | gen << 16)
        if row is not None and state.owner[row] == owner:
            removed.append(state.wire_id(row))
            state.release(row)
    if msg.full:
        listed = np.zeros(state.capacity, np.bool_)
        listed[np.concatenate(seen)] = True
        for row in np.flatnonzero(state.active & (state.owner == owner) & ~listed).tolist():
            removed.append(state.wire_id(row))
            state.release(row)
    return removed


def mark_stale(state: RoomState, owner: int) -> None:
    """Flag a silent node's avatars AWAY so clients show them as stale."""
    rows = np.flatnonzero(state.active & (state.owner == owner))
    away = np.uint8(AvatarFlag.AWAY)
    state.flags[rows] |= away
    state.rec_desktop["flags"][rows] |= away
    state.rec_vr["flags"][rows] |= away
    state.changed[rows] = True


def drop_node(state: RoomState, owner: int) -> list[int]:
    """Remove every avatar of a node that went away; return their wire ids."""
    removed = []
    for row in np.flatnonzero(state.active & (state.owner == owner)).tolist():
        removed.append(state.wire_id(row))
        state.release(row)
    return removed


@dataclass(frozen=True, slots=True)
class Liveness:
    """How long a node may be silent before its avatars go stale, and then away."""

    stale_after_s: float = 1.2
    drop_after_s: float = 2.5


def silent_peers(peers: PeerNodes, now: float, live: Liveness) -> tuple[list[Peer], list[Peer]]:
    """Peers that just went stale, and peers to drop."""
    stale, dead = [], []
    for peer in list(peers.peers.values()):
        quiet = now - peer.last_heard
        if quiet > live.drop_after_s:
            dead.append(peer)
        elif quiet > live.stale_after_s and not peer.stale:
            stale.append(peer)
    return stale, dead


def local_rows(state: RoomState) -> Rows:
    """Rows of this node's own avatars."""
    return np.flatnonzero(state.active & (state.owner == LOCAL))
