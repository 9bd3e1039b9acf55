"""Grid interest management equals a brute-force nearest-neighbour computation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from metaexpo.sync.interest import Grid, brute_force_visible, visible_sets


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 400),
    clusters=st.integers(1, 12),
    spread=st.floats(0.1, 40.0),
    cell=st.sampled_from([4.0, 8.0, 12.5, 16.0, 32.0]),
    radius=st.floats(1.0, 60.0),
    cap=st.integers(1, 80),
    seed=st.integers(0, 2**32 - 1),
)
def test_grid_visible_sets_equal_brute_force_nearest_neighbours(
    n: int, clusters: int, spread: float, cell: float, radius: float, cap: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    grid = Grid.covering((-128.0, -128.0), (128.0, 128.0), cell)
    centres = rng.uniform(-120, 120, (clusters, 2))
    xz = (centres[rng.integers(0, clusters, n)] + rng.normal(0, spread, (n, 2))).clip(-128, 128)
    xz = xz.astype(np.float32)
    slots = rng.permutation(n * 3 + 1)[:n].astype(np.int64)  # sparse, unordered slot ids
    query = np.unique(np.concatenate([grid.cell_of(xz[: n // 2]), rng.integers(0, 1024, 3)]))
    query = query[query < grid.cols * grid.rows]
    vis = visible_sets(grid, xz, slots, query, radius, cap)
    for i, c in enumerate(query):
        expected = brute_force_visible(grid, xz, slots, int(c), radius, cap)
        assert vis.of(i).tolist() == expected.tolist()


def test_a_cell_with_nobody_near_sees_nobody() -> None:
    grid = Grid.covering((0.0, 0.0), (100.0, 100.0), 10.0)
    xz = np.array([[5.0, 5.0]], np.float32)
    vis = visible_sets(grid, xz, np.array([3]), grid.cell_of(np.array([[95.0, 95.0]])), 20.0, 64)
    assert vis.of(0).tolist() == []


def test_visible_set_is_capped_to_the_nearest() -> None:
    grid = Grid.covering((0.0, 0.0), (100.0, 100.0), 10.0)
    xz = np.array([[5.0 + i * 0.5, 5.0] for i in range(10)], np.float32)
    vis = visible_sets(grid, xz, np.arange(10), np.array([0]), 50.0, 3)
    assert vis.of(0).tolist() == [0, 1, 2]
