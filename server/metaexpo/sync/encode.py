"""Encode each occupied cell's frames once: delta, keyframe and crowd.

All records for all cells are gathered in a few numpy calls; the loop over
cells only slices the resulting bytes and prepends headers. Every client in a
cell then gets the very same bytes objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.protocol.frames import (
    AVATAR_ID,
    CROWD_RECORD,
    DESKTOP_RECORD,
    VR_RECORD,
    MsgType,
    encode_crowd_frame,
    encode_pose_frame,
)
from metaexpo.sync.interest import VisibleSets
from metaexpo.sync.state import RoomState

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


@dataclass(slots=True)
class CellFrames:
    """Per query cell: the frames to send (None: nothing to send)."""

    delta: list[bytes | None]
    keyframe: list[bytes | None]
    crowd: list[bytes | None]
    #: Avatar records in each cell's delta frame (for bytes-per-update figures).
    delta_records: list[int]
    keyframe_records: list[int]


def wire_ids(state: RoomState, rows: Ints) -> Ints:
    """24-bit wire ids of avatars in ``rows``."""
    return state.wire_slot[rows].astype(np.int64) | (state.gen[rows].astype(np.int64) << 16)


def _runs(qid: Ints, n_cells: int) -> Ints:
    """Start offsets (n_cells + 1) of each cell's run in a qid-sorted selection."""
    out = np.zeros(n_cells + 1, np.int64)
    np.cumsum(np.bincount(qid, minlength=n_cells), out=out[1:])
    return out


def _pose_frames(
    state: RoomState,
    kind: MsgType,
    vis: VisibleSets,
    select: Bools,
    cells: Ints,
    tick: int,
    time_ms: int,
    gone: tuple[bytes, Ints] | None,
) -> tuple[list[bytes | None], list[int]]:
    """Frames of ``kind`` for the given cells, holding the selected visible avatars."""
    n = len(vis.cells)
    vr = state.is_vr[vis.rows]
    parts = []
    for mask, records, size in (
        (select & ~vr, state.rec_desktop, DESKTOP_RECORD.itemsize),
        (select & vr, state.rec_vr, VR_RECORD.itemsize),
    ):
        chosen = vis.rows[mask]
        parts.append((memoryview(records[chosen].tobytes()), _runs(vis.query[mask], n) * size))
    (d_mem, d_off), (v_mem, v_off) = parts
    if gone is not None:
        g_mem, g_off = memoryview(gone[0]), gone[1] * AVATAR_ID.itemsize
    else:
        g_mem, g_off = memoryview(b""), np.zeros(n + 1, np.int64)
    frames: list[bytes | None] = [None] * n
    counts = [0] * n
    d_rec, v_rec = DESKTOP_RECORD.itemsize, VR_RECORD.itemsize
    for q in cells.tolist():
        d0, d1, v0, v1 = int(d_off[q]), int(d_off[q + 1]), int(v_off[q]), int(v_off[q + 1])
        g0, g1 = int(g_off[q]), int(g_off[q + 1])
        if d0 == d1 and v0 == v1 and g0 == g1 and kind is MsgType.DELTA:
            continue
        frames[q] = encode_pose_frame(kind, tick, time_ms, d_mem[d0:d1], v_mem[v0:v1], g_mem[g0:g1])
        counts[q] = (d1 - d0) // d_rec + (v1 - v0) // v_rec
    return frames, counts


def gone_records(state: RoomState, gone_pairs: Ints, vis: VisibleSets) -> tuple[bytes, Ints]:
    """AVATAR_ID bytes of avatars that left each cell's visible set, and per-cell offsets.

    ``gone_pairs`` are sorted ``cell << 24 | avatar id`` keys of cells in ``vis``.
    """
    qid = np.searchsorted(vis.cells, gone_pairs >> 24)
    ids = gone_pairs & 0xFFFFFF
    rec = np.empty(len(ids), AVATAR_ID)
    rec["slot"] = ids & 0xFFFF
    rec["gen"] = ids >> 16
    return rec.tobytes(), _runs(qid, len(vis.cells))


def crowd_points(state: RoomState) -> npt.NDArray[np.uint8]:
    """Every row's floor position on a 256 × 256 grid over the hall (2 bytes each)."""
    b = state.bounds
    lo = np.array([b.min[0], b.min[2]], np.float32)
    ext = np.array([b.max[0] - b.min[0], b.max[2] - b.min[2]], np.float32)
    pts = (state.pos[:, [0, 2]] - lo) / ext * 256.0
    return np.clip(pts, 0, 255).astype(np.uint8)


def build_cell_frames(
    state: RoomState,
    changed: Bools,
    vis: VisibleSets,
    entrant: Bools,
    gone: tuple[bytes, Ints],
    want_keyframe: Bools,
    want_crowd: Bools,
    tick: int,
    time_ms: int,
    crowd_max: int,
) -> CellFrames:
    """Encode every cell's frames once.

    A delta holds the visible avatars that changed since these clients' last
    frame (``changed``) or just became visible, plus the ids that stopped being
    visible; a keyframe holds the whole visible set; a crowd frame holds every
    other avatar's position.
    """
    n = len(vis.cells)
    all_cells = np.arange(n)
    include = changed[vis.rows] | entrant
    delta, delta_counts = _pose_frames(
        state, MsgType.DELTA, vis, include, all_cells, tick, time_ms, gone
    )
    kf_cells = np.flatnonzero(want_keyframe)
    keyframe: list[bytes | None] = [None] * n
    kf_counts = [0] * n
    if len(kf_cells):
        keyframe, kf_counts = _pose_frames(
            state, MsgType.KEYFRAME, vis, want_keyframe[vis.query], kf_cells, tick, time_ms, None
        )
    crowd: list[bytes | None] = [None] * n
    crowd_cells = np.flatnonzero(want_crowd)
    if len(crowd_cells) and crowd_max > 0:
        points = crowd_points(state)
        active = state.active
        for q in crowd_cells.tolist():
            others = active.copy()
            others[vis.of(q)] = False
            pts = points[others]
            if len(pts) > crowd_max:
                pts = pts[:: -(-len(pts) // crowd_max)]
            crowd[q] = encode_crowd_frame(
                tick, time_ms, np.ascontiguousarray(pts).view(CROWD_RECORD).tobytes()
            )
    return CellFrames(delta, keyframe, crowd, delta_counts, kf_counts)
