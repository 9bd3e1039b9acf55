"""Occupancy heatmaps: visitor-seconds per square metre of a hall's floor, one grid per minute.

A grid covers the hall's floor in cells of
:data:`~metaexpo.analytics.definitions.HEAT_CELL_M`; each sample adds every
visitor's seconds to the cell under them with one ``np.bincount``. Grids are
kept as whole tenths of a second (integers), so one compresses well and
several add up exactly; only these sums are ever stored, never who was where.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.analytics.definitions import HEAT_CELL_M


@dataclass(frozen=True, slots=True)
class HeatGrid:
    """The cells of one hall's floor: origin (x0, z0), columns along x, rows along z."""

    x0: float
    z0: float
    columns: int
    rows: int
    cell: float = HEAT_CELL_M

    @classmethod
    def covering(cls, x0: float, x1: float, z0: float, z1: float) -> HeatGrid:
        """The grid over the floor from (x0, z0) to (x1, z1)."""
        return cls(
            x0,
            z0,
            max(1, int(np.ceil((x1 - x0) / HEAT_CELL_M))),
            max(1, int(np.ceil((z1 - z0) / HEAT_CELL_M))),
        )

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.columns * self.rows

    def cells_of(
        self, x: npt.NDArray[np.floating], z: npt.NDArray[np.floating]
    ) -> npt.NDArray[np.intp]:
        """The cell number (row * columns + column) under each point, clamped to the floor."""
        c = np.clip(((np.asarray(x) - self.x0) / self.cell).astype(np.intp), 0, self.columns - 1)
        r = np.clip(((np.asarray(z) - self.z0) / self.cell).astype(np.intp), 0, self.rows - 1)
        return r * self.columns + c

    def describe(self) -> dict[str, float | int]:
        """The grid's geometry for a chart."""
        return {
            "x0": self.x0,
            "z0": self.z0,
            "columns": self.columns,
            "rows": self.rows,
            "cell": self.cell,
        }


class HeatMinute:
    """One minute's heatmap of a hall, gathered cheaply: cells per sample, summed on demand."""

    def __init__(self, grid: HeatGrid) -> None:
        self.grid = grid
        self._cells: list[npt.NDArray[np.intp]] = []
        self._tenths: list[int] = []

    def add(self, x: npt.NDArray[np.floating], z: npt.NDArray[np.floating], seconds: float) -> None:
        """One sample: the visitors at (x, z) were there for ``seconds``."""
        if len(x):
            self._cells.append(self.grid.cells_of(x, z))
            self._tenths.append(round(seconds * 10))

    def __bool__(self) -> bool:
        return bool(self._cells)

    def tenths(self) -> npt.NDArray[np.int64]:
        """Tenths of a visitor-second per cell so far this minute."""
        if not self._cells:
            return np.zeros(self.grid.size, np.int64)
        cells = np.concatenate(self._cells)
        weights = np.repeat(np.asarray(self._tenths, np.float64), [len(c) for c in self._cells])
        summed = np.bincount(cells, weights=weights, minlength=self.grid.size)
        return np.rint(summed).astype(np.int64)


def pack(tenths: npt.NDArray[np.integer]) -> bytes:
    """A grid of tenths of a second, compressed for the database (little-endian u32).

    Level 1: the current minute's grid is packed again at every write, and the fastest
    level takes a third of the time of the default for a quarter more bytes.
    """
    return zlib.compress(np.asarray(tenths, "<u4").tobytes(), 1)


def unpack(blob: bytes, size: int) -> npt.NDArray[np.int64]:
    """The grid :func:`pack` stored; a blob of another size is refused (a changed hall)."""
    grid = np.frombuffer(zlib.decompress(blob), "<u4")
    if len(grid) != size:
        raise ValueError(f"a heatmap of {len(grid)} cells does not fit a grid of {size}")
    return grid.astype(np.int64)
