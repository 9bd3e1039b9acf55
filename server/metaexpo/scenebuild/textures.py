"""The floors' tiling patterns, drawn by the builder (no third-party images, deterministic).

Each pattern is a small square PNG that repeats seamlessly; the floor's UVs
are its x–z position divided by :data:`TILE_METRES`, so one image covers that
many metres. Stone and carpet are near-white so the vertex colours (zone
tints, baked shade) show through; the wood has its own warm colour.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import numpy.typing as npt
from PIL import Image

#: Pixels on a side of every pattern.
SIZE = 256
#: Metres of floor one image covers along x and z.
TILE_METRES = {"stone": 4.0, "carpet": 2.0, "wood": 4.0}

F32 = npt.NDArray[np.float32]


def _smooth_noise(rng: np.random.Generator, cells: int) -> F32:
    """Value noise that wraps around (tileable): a ``cells``×``cells`` lattice, bilinear."""
    lattice = rng.random((cells, cells), dtype=np.float32)
    coords = np.arange(SIZE, dtype=np.float32) * cells / SIZE
    i0 = np.floor(coords).astype(int)
    t = coords - i0
    t = t * t * (3 - 2 * t)
    i1 = (i0 + 1) % cells
    rows0 = lattice[i0][:, i0] * (1 - t)[None, :] + lattice[i0][:, i1] * t[None, :]
    rows1 = lattice[i1][:, i0] * (1 - t)[None, :] + lattice[i1][:, i1] * t[None, :]
    return np.asarray(rows0 * (1 - t)[:, None] + rows1 * t[:, None], dtype=np.float32)


def _png(rgb: F32) -> bytes:
    pixels = np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, format="PNG", compress_level=9)
    return out.getvalue()


def _stone() -> F32:
    """Terrazzo-like slabs, 2 m square (2 × 2 per image), each a slightly different tone,
    with thin grout joints."""
    rng = np.random.default_rng(11)
    grain = 0.6 * _smooth_noise(rng, 64) + 0.4 * rng.random((SIZE, SIZE), dtype=np.float32)
    value = 0.9 + 0.07 * (grain - 0.5)
    half = SIZE // 2
    for k, tone in enumerate((0.0, -0.025, -0.015, 0.012)):
        r, c = divmod(k, 2)
        value[r * half : (r + 1) * half, c * half : (c + 1) * half] += tone
    # Specks of darker and lighter chips.
    chips = rng.random((SIZE, SIZE)) > 0.985
    value[chips] -= 0.12
    for line in (0, half):
        value[line, :] = 0.62
        value[:, line] = 0.62
    tinted = np.repeat(value[:, :, None], 3, axis=2) * np.array([1.0, 0.995, 0.985], np.float32)
    return tinted.astype(np.float32)


def _carpet() -> F32:
    """Tufted carpet: fine noise with a faint diagonal weave."""
    rng = np.random.default_rng(23)
    fine = rng.random((SIZE, SIZE), dtype=np.float32)
    soft = _smooth_noise(rng, 32)
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    weave = 0.5 + 0.5 * np.sin((x + y) * (2 * np.pi / 8))
    value = 0.82 + 0.1 * fine + 0.05 * soft + 0.03 * weave
    return np.repeat(value[:, :, None].astype(np.float32), 3, axis=2)


def _wood() -> F32:
    """Oak boards 0.25 m wide running along x, staggered joints, grain along the board."""
    rng = np.random.default_rng(37)
    boards = 16  # 4 m / 0.25 m
    height = SIZE // boards
    grain = _smooth_noise(rng, 64)
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    streaks = 0.5 + 0.5 * np.sin(y * 1.7 + 6.0 * grain)
    value = 0.82 + 0.1 * streaks + 0.08 * grain
    row = y // height
    tone = rng.uniform(-0.08, 0.08, boards).astype(np.float32)
    value = value + tone[row]
    # Joints: along every board, and across at a staggered offset.
    value[(y % height) == 0] *= 0.6
    offsets = rng.integers(0, SIZE, boards)
    joint = ((x - offsets[row]) % (SIZE // 2)) == 0
    value[joint] *= 0.65
    oak = np.array([0.78, 0.6, 0.42], np.float32)
    return np.asarray(value[:, :, None] * oak, dtype=np.float32)


@cache
def floor_textures() -> dict[str, bytes]:
    """Texture key → PNG bytes, for the floors (built once per process)."""
    return {"stone": _png(_stone()), "carpet": _png(_carpet()), "wood": _png(_wood())}
