"""Grid interest management: which avatars each occupied cell sees at full rate.

Clients are grouped by grid cell; every client in a cell gets the same frame,
so the frame is encoded once per cell. A cell's visible set is the ``cap``
avatars nearest to the cell's centre within ``radius``, found through the
grid (only neighbouring cells are searched) and computed for all occupied
cells at once with sorts and gathers — no Python loop over avatars or cells.
Distances are ranked at a fixed resolution (:func:`distance_key`) and ties
are broken by row, so the result is exactly the brute-force one
(:func:`brute_force_visible`, which the property tests compare against).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Grid:
    """A square-cell grid over the hall floor (x, z)."""

    origin_x: float
    origin_z: float
    cell_size: float
    cols: int  # along x
    rows: int  # along z

    @classmethod
    def covering(
        cls, min_xz: tuple[float, float], max_xz: tuple[float, float], cell_size: float
    ) -> Grid:
        """The grid whose cells cover the rectangle ``min_xz``–``max_xz``."""
        cols = max(1, math.ceil((max_xz[0] - min_xz[0]) / cell_size))
        rows = max(1, math.ceil((max_xz[1] - min_xz[1]) / cell_size))
        return cls(min_xz[0], min_xz[1], cell_size, cols, rows)

    def cell_of(self, xz: npt.NDArray[np.floating]) -> Ints:
        """Cell keys (``col * rows + row``) of points (…, 2), clamped onto the grid."""
        c = np.clip(
            ((xz[..., 0] - self.origin_x) // self.cell_size).astype(np.int64), 0, self.cols - 1
        )
        r = np.clip(
            ((xz[..., 1] - self.origin_z) // self.cell_size).astype(np.int64), 0, self.rows - 1
        )
        return c * self.rows + r

    def centre(self, keys: Ints) -> npt.NDArray[np.float64]:
        """Centre points (…, 2) of cells."""
        c, r = np.divmod(keys, self.rows)
        return np.stack(
            [
                self.origin_x + (c + 0.5) * self.cell_size,
                self.origin_z + (r + 0.5) * self.cell_size,
            ],
            axis=-1,
        )


@dataclass(frozen=True, slots=True)
class VisibleSets:
    """Flattened per-cell visible sets: cell ``i`` sees ``rows[offsets[i]:offsets[i+1]]``.

    Within a cell, rows are ordered nearest first.
    """

    cells: Ints
    query: Ints
    rows: Ints
    offsets: Ints

    def of(self, i: int) -> Ints:
        """The visible rows of query cell ``i``."""
        return self.rows[self.offsets[i] : self.offsets[i + 1]]


def _ring_offsets(grid: Grid, radius: float) -> tuple[Ints, Ints]:
    """Neighbour cell offsets (dc, dr) whose cells may hold points within ``radius`` of a centre."""
    k = math.floor(radius / grid.cell_size + 0.5)
    d = np.arange(-k, k + 1)
    mesh_c, mesh_r = np.meshgrid(d, d, indexing="ij")
    dc, dr = mesh_c.ravel(), mesh_r.ravel()
    # Nearest distance from a cell centre to a neighbour cell's rectangle.
    gap_c = np.maximum(np.abs(dc) - 0.5, 0) * grid.cell_size
    gap_r = np.maximum(np.abs(dr) - 0.5, 0) * grid.cell_size
    keep = gap_c * gap_c + gap_r * gap_r <= radius * radius * (1 + 1e-9)
    return dc[keep].astype(np.int64), dr[keep].astype(np.int64)


#: Distances are ranked by a 24-bit key over [0, radius²]; ties go to the lower row.
_D_BITS = 24
_SLOT_BITS = 16


def distance_key(d2: npt.NDArray[np.floating], radius: float) -> Ints:
    """Rank key of squared distances: 2^24 steps over [0, radius²] (sub-millimetre at 10 m)."""
    scale = ((1 << _D_BITS) - 1) / (radius * radius)
    return np.minimum(d2 * scale, (1 << _D_BITS) - 1).astype(np.int64)


def visible_sets(
    grid: Grid,
    xz: npt.NDArray[np.floating],
    rows: Ints,
    cells: Ints,
    radius: float,
    cap: int,
) -> VisibleSets:
    """The nearest ``cap`` avatars within ``radius`` of each query cell's centre.

    ``xz`` (M, 2) are the positions of the candidate avatars whose rows are
    ``rows`` (M,); ``cells`` are the distinct query cell keys.
    """
    q = len(cells)
    empty = np.zeros(0, np.int64)
    if q == 0 or len(rows) == 0:
        return VisibleSets(cells, empty, empty, np.zeros(q + 1, np.int64))
    assert int(rows.max()) < (1 << _SLOT_BITS), "rows must fit the rank key"
    n_cells = grid.cols * grid.rows
    akeys = grid.cell_of(xz)
    order = np.argsort(akeys, kind="stable")
    # Per-cell runs in `order`; index n_cells is an empty sentinel for off-grid neighbours.
    counts = np.bincount(akeys, minlength=n_cells + 1)
    cell_start = np.cumsum(counts) - counts

    dc, dr = _ring_offsets(grid, radius)
    qc, qr = np.divmod(cells, grid.rows)
    nc = qc[:, None] + dc[None, :]
    nr = qr[:, None] + dr[None, :]
    valid = (nc >= 0) & (nc < grid.cols) & (nr >= 0) & (nr < grid.rows)
    nkeys = np.where(valid, nc * grid.rows + nr, n_cells).ravel()
    lengths = counts[nkeys]
    occupied = lengths > 0
    lengths = lengths[occupied]
    starts = cell_start[nkeys[occupied]]
    owner = np.repeat(np.arange(q), len(dc))[occupied]
    total = int(lengths.sum())
    if total == 0:
        return VisibleSets(cells, empty, empty, np.zeros(q + 1, np.int64))

    # Expand each (query, neighbour) run into candidate indices without a loop.
    run_start = np.cumsum(lengths) - lengths
    cand = order[np.repeat(starts - run_start, lengths) + np.arange(total)]
    qid = np.repeat(owner, lengths)

    centres = grid.centre(cells).astype(np.float32)
    delta = xz[cand].astype(np.float32) - centres[qid]
    d2 = np.einsum("ij,ij->i", delta, delta)
    near = d2 <= np.float32(radius * radius)
    cand, qid, d2 = cand[near], qid[near], d2[near]

    cand_slots = rows[cand]
    key = (qid << (_D_BITS + _SLOT_BITS)) | (distance_key(d2, radius) << _SLOT_BITS) | cand_slots
    key.sort()
    qid = key >> (_D_BITS + _SLOT_BITS)
    first = np.searchsorted(qid, np.arange(q), "left")
    keep = np.arange(len(qid)) - first[qid] < cap
    key = key[keep]
    qid = qid[keep]
    offsets = np.searchsorted(qid, np.arange(q + 1), "left").astype(np.int64)
    return VisibleSets(cells, qid, key & ((1 << _SLOT_BITS) - 1), offsets)


def brute_force_visible(
    grid: Grid, xz: npt.NDArray[np.floating], rows: Ints, cell: int, radius: float, cap: int
) -> Ints:
    """Reference answer for one cell: sort every avatar by distance, keep the nearest ``cap``."""
    centre = grid.centre(np.array([cell])).astype(np.float32)[0]
    delta = xz.astype(np.float32) - centre
    d2 = np.einsum("ij,ij->i", delta, delta)
    inside = d2 <= np.float32(radius * radius)
    s, d = rows[inside], distance_key(d2[inside], radius)
    order = np.lexsort((s, d))
    return s[order][:cap].astype(np.int64)


def pairs_within(
    grid: Grid, a_xz: npt.NDArray[np.floating], b_xz: npt.NDArray[np.floating], radius: float
) -> tuple[Ints, Ints, npt.NDArray[np.float32]]:
    """Every (a, b) pair of points closer than ``radius``, found through the grid.

    Only the cells around each ``a`` point that can hold a ``b`` point within
    ``radius`` are searched; returns index arrays into ``a_xz`` and ``b_xz``
    and the squared distances, grouped by ``a`` (no Python loop over points).
    """
    empty = np.zeros(0, np.int64)
    if len(a_xz) == 0 or len(b_xz) == 0:
        return empty, empty, np.zeros(0, np.float32)
    n_cells = grid.cols * grid.rows
    bkeys = grid.cell_of(b_xz)
    order = np.argsort(bkeys, kind="stable")
    counts = np.bincount(bkeys, minlength=n_cells + 1)
    cell_start = np.cumsum(counts) - counts
    k = math.ceil(radius / grid.cell_size)
    d = np.arange(-k, k + 1)
    mesh_c, mesh_r = np.meshgrid(d, d, indexing="ij")
    dc, dr = mesh_c.ravel(), mesh_r.ravel()
    ac, ar = np.divmod(grid.cell_of(a_xz), grid.rows)
    nc = ac[:, None] + dc[None, :]
    nr = ar[:, None] + dr[None, :]
    valid = (nc >= 0) & (nc < grid.cols) & (nr >= 0) & (nr < grid.rows)
    nkeys = np.where(valid, nc * grid.rows + nr, n_cells).ravel()
    lengths = counts[nkeys]
    occupied = lengths > 0
    lengths = lengths[occupied]
    total = int(lengths.sum())
    if total == 0:
        return empty, empty, np.zeros(0, np.float32)
    starts = cell_start[nkeys[occupied]]
    owner = np.repeat(np.arange(len(a_xz)), len(dc))[occupied]
    run_start = np.cumsum(lengths) - lengths
    bi = order[np.repeat(starts - run_start, lengths) + np.arange(total)]
    ai = np.repeat(owner, lengths)
    delta = a_xz[ai].astype(np.float32) - b_xz[bi].astype(np.float32)
    d2 = np.einsum("ij,ij->i", delta, delta)
    near = d2 <= np.float32(radius * radius)
    return ai[near].astype(np.int64), bi[near].astype(np.int64), d2[near]
