"""The navigation grid: which cells of a hall's floor a visitor can stand and walk on.

The web client uses it for collision, path finding ("walk to the booth") and
VR teleport validity (docs/scenes.md "The navigation grid"). It is drawn from
the obstacle footprints the scene graph carries (``SceneNode.obstacles``,
measured from the very pieces the GLB shows), so the grid and the geometry
cannot disagree.

A cell is walkable when a visitor of radius :data:`RADIUS` standing with the
centre anywhere in the cell touches no obstacle (the cell square lies farther
than the radius from every footprint), and the cell can be walked to from the
spawn point (4-connected), so a closed pocket (inside a tower) is not
walkable either.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage  # type: ignore[import-untyped]  # scipy ships no type information

from metaexpo.errors import ConfigError
from metaexpo.scenebuild.footprints import Footprint
from metaexpo.scenebuild.graph import SceneNode, node_matrix
from metaexpo.scenebuild.mesh import F64

#: The file format's version (the ``version`` field).
NAVGRID_VERSION = 1
#: Metres per cell edge.
CELL = 0.25
#: The visitor's radius the obstacles are grown by, in metres.
RADIUS = 0.3

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class NavGrid:
    """A hall's walkable cells: ``walkable[j, i]`` covers [x0+i·cell, x0+(i+1)·cell) ×
    [z0+j·cell, z0+(j+1)·cell) with (x0, z0) = ``origin``."""

    hall: str
    origin: tuple[float, float]
    cell: float
    radius: float
    walkable: Bools
    spawn: tuple[float, float]
    #: Extras for a client that redraws a booth's slot when its template changes live:
    #: booth id → {template, position, rotation_deg}; template → footprints in the booth's frame.
    booths: dict[str, dict[str, Any]]
    templates: dict[str, list[list[list[float]]]]

    @property
    def width(self) -> int:
        """Cells along x."""
        return int(self.walkable.shape[1])

    @property
    def height(self) -> int:
        """Cells along z."""
        return int(self.walkable.shape[0])

    def cell_of(self, x: float, z: float) -> tuple[int, int] | None:
        """(i, j) of the cell holding floor point (x, z), or None outside the grid."""
        i = math.floor((x - self.origin[0]) / self.cell)
        j = math.floor((z - self.origin[1]) / self.cell)
        if 0 <= i < self.width and 0 <= j < self.height:
            return i, j
        return None

    def is_walkable(self, x: float, z: float) -> bool:
        """Whether a visitor may stand at floor point (x, z)."""
        found = self.cell_of(x, z)
        return found is not None and bool(self.walkable[found[1], found[0]])

    def centre(self, i: int, j: int) -> tuple[float, float]:
        """The floor point at the centre of cell (i, j)."""
        return (self.origin[0] + (i + 0.5) * self.cell, self.origin[1] + (j + 0.5) * self.cell)

    def to_json(self) -> bytes:
        """The file the server serves (docs/scenes.md), UTF-8 JSON in a fixed key order."""
        bits = np.packbits(self.walkable.reshape(-1), bitorder="little")
        document = {
            "version": NAVGRID_VERSION,
            "hall": self.hall,
            "origin": list(self.origin),
            "cell": self.cell,
            "width": self.width,
            "height": self.height,
            "radius": self.radius,
            "bits": base64.b64encode(bits.tobytes()).decode("ascii"),
            "spawn": list(self.spawn),
            "booths": self.booths,
            "templates": self.templates,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> NavGrid:
        """Read a file written by :meth:`to_json`; ValueError says what is wrong with it."""
        try:
            document = json.loads(data)
            version = document["version"]
            if version != NAVGRID_VERSION:
                raise ValueError(
                    f"navgrid version {version!r}; this reader knows {NAVGRID_VERSION}"
                )
            width, height = int(document["width"]), int(document["height"])
            raw = np.frombuffer(base64.b64decode(document["bits"], validate=True), dtype=np.uint8)
        except (KeyError, TypeError, json.JSONDecodeError, binascii.Error) as exc:
            raise ValueError(f"not a navigation grid: {exc}") from None
        if width <= 0 or height <= 0 or len(raw) != -(-width * height // 8):
            raise ValueError(
                f"navgrid bits hold {len(raw)} bytes, {width}×{height} cells need "
                f"{-(-width * height // 8)}"
            )
        bits = np.unpackbits(raw, bitorder="little")[: width * height].astype(bool)
        return cls(
            hall=str(document["hall"]),
            origin=(float(document["origin"][0]), float(document["origin"][1])),
            cell=float(document["cell"]),
            radius=float(document["radius"]),
            walkable=bits.reshape(height, width),
            spawn=(float(document["spawn"][0]), float(document["spawn"][1])),
            booths=dict(document.get("booths", {})),
            templates=dict(document.get("templates", {})),
        )


def world_obstacles(root: SceneNode) -> list[Footprint]:
    """Every obstacle footprint of the graph under ``root``, in hall coordinates."""
    found: list[Footprint] = []

    def visit(node: SceneNode, parent: F64) -> None:
        matrix = parent @ node_matrix(node)
        found.extend(footprint.transformed(matrix) for footprint in node.obstacles)
        for child in node.children:
            visit(child, matrix)

    visit(root, np.eye(4))
    return found


def _cells(
    grid_origin: tuple[float, float], cell: float, shape: tuple[int, int], low: F64, high: F64
) -> tuple[slice, slice, F64, F64] | None:
    """The cells overlapping the box [low, high] (x, z): row and column slices and centres."""
    h, w = shape
    i0 = max(0, math.floor((low[0] - grid_origin[0]) / cell))
    i1 = min(w, math.ceil((high[0] - grid_origin[0]) / cell))
    j0 = max(0, math.floor((low[1] - grid_origin[1]) / cell))
    j1 = min(h, math.ceil((high[1] - grid_origin[1]) / cell))
    if i0 >= i1 or j0 >= j1:
        return None
    xs = grid_origin[0] + (np.arange(i0, i1) + 0.5) * cell
    zs = grid_origin[1] + (np.arange(j0, j1) + 0.5) * cell
    cx, cz = np.meshgrid(xs, zs)
    return slice(j0, j1), slice(i0, i1), cx, cz


def _segment_distance(px: F64, pz: F64, a: F64, b: F64) -> F64:
    """Distances from points (px, pz) to the segment a–b."""
    ab = b - a
    t = ((px - a[0]) * ab[0] + (pz - a[1]) * ab[1]) / max(float(ab @ ab), 1e-18)
    t = np.clip(t, 0.0, 1.0)
    return np.asarray(np.hypot(px - (a[0] + t * ab[0]), pz - (a[1] + t * ab[1])))


def _square_distance(cx: F64, cz: F64, half: float, quad: F64) -> F64:
    """Distances between axis-aligned squares (centres cx, cz; half side ``half``) and a convex
    quadrilateral (0 where they overlap)."""
    low, high = quad.min(axis=0), quad.max(axis=0)
    axis_aligned = all(
        (abs(a[0] - b[0]) < 1e-9 or abs(a[1] - b[1]) < 1e-9)
        for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True)
    )
    if axis_aligned:
        dx = np.maximum(0.0, np.abs(cx - (low[0] + high[0]) / 2) - half - (high[0] - low[0]) / 2)
        dz = np.maximum(0.0, np.abs(cz - (low[1] + high[1]) / 2) - half - (high[1] - low[1]) / 2)
        return np.asarray(np.hypot(dx, dz))
    # Separating axes: the square's two and the quadrilateral's edge normals.
    separated = np.zeros(cx.shape, dtype=bool)
    edges = np.roll(quad, -1, axis=0) - quad
    axes = [np.array([1.0, 0.0]), np.array([0.0, 1.0])] + [np.array([-e[1], e[0]]) for e in edges]
    for axis in axes:
        projected = quad @ axis
        centre = cx * axis[0] + cz * axis[1]
        reach = half * (abs(axis[0]) + abs(axis[1]))
        separated |= (centre + reach < projected.min()) | (centre - reach > projected.max())
    best = np.full(cx.shape, np.inf)
    for sx in (-half, half):
        for sz in (-half, half):
            for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
                best = np.minimum(best, _segment_distance(cx + sx, cz + sz, a, b))
    for vx, vz in quad:
        dx = np.maximum(0.0, np.abs(cx - vx) - half)
        dz = np.maximum(0.0, np.abs(cz - vz) - half)
        best = np.minimum(best, np.hypot(dx, dz))
    return np.where(separated, best, 0.0)


def free_cells(
    origin: tuple[float, float],
    shape: tuple[int, int],
    cell: float,
    radius: float,
    obstacles: Iterable[Footprint],
) -> Bools:
    """``shape`` (rows along z, columns along x) cells from ``origin``: True where a visitor of
    ``radius`` with the centre anywhere in the cell touches none of ``obstacles``."""
    free = np.ones(shape, dtype=bool)
    half = cell / 2
    for footprint in obstacles:
        quad = footprint.array()
        found = _cells(origin, cell, shape, quad.min(axis=0) - radius, quad.max(axis=0) + radius)
        if found is None:
            continue
        rows, cols, cx, cz = found
        # A hair of tolerance: a cell exactly one radius away is clear, whatever the rounding.
        free[rows, cols] &= _square_distance(cx, cz, half, quad) >= radius - 1e-9
    return free


def reachable(free: Bools, start: tuple[int, int]) -> Bools:
    """The cells of ``free`` connected to cell ``start`` (i, j) through edge neighbours."""
    labels, _ = ndimage.label(free)
    label = labels[start[1], start[0]]
    return np.asarray(labels == label) if label else np.zeros_like(free)


def rasterise(
    hall_id: str,
    floor_min: tuple[float, float],
    floor_max: tuple[float, float],
    spawn: tuple[float, float],
    obstacles: Iterable[Footprint],
    *,
    booths: dict[str, dict[str, Any]] | None = None,
    templates: dict[str, list[Footprint]] | None = None,
    cell: float = CELL,
    radius: float = RADIUS,
) -> NavGrid:
    """The navigation grid of a hall floor [floor_min, floor_max] with ``obstacles``.

    Raises ConfigError when the spawn point is outside the floor or not walkable.
    """
    width = math.ceil((floor_max[0] - floor_min[0]) / cell - 1e-9)
    height = math.ceil((floor_max[1] - floor_min[1]) / cell - 1e-9)
    free = free_cells(floor_min, (height, width), cell, radius, obstacles)
    i = math.floor((spawn[0] - floor_min[0]) / cell)
    j = math.floor((spawn[1] - floor_min[1]) / cell)
    if not (0 <= i < width and 0 <= j < height) or not free[j, i]:
        raise ConfigError(
            f"hall {hall_id!r}: the spawn point {spawn} is not on walkable floor; move it "
            "away from walls, booths and seats"
        )
    local = {
        name: [[[round(v, 6) + 0.0 for v in corner] for corner in fp.corners] for fp in footprints]
        for name, footprints in (templates or {}).items()
    }
    return NavGrid(
        hall=hall_id,
        origin=floor_min,
        cell=cell,
        radius=radius,
        walkable=reachable(free, (i, j)),
        spawn=spawn,
        booths=dict(booths or {}),
        templates=local,
    )
