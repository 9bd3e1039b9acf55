"""The navigation grid: blocked where the hall's structures stand, walkable where visitors go,
connected from the spawn to every booth, and a file that reads back as the spec says."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
from collections import deque
from pathlib import Path

import numpy as np
import pytest

from metaexpo.errors import ConfigError
from metaexpo.scenebuild import SceneManifest, build_scenes, ensure_scenes
from metaexpo.scenebuild.footprints import HEADROOM, STEP_HEIGHT, Footprint
from metaexpo.scenebuild.navgrid import CELL, RADIUS, NavGrid, rasterise
from metaexpo.scenebuild.shapes import translation, yaw
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenes import Catalog, load_catalog
from tests.scenebuild.glbread import Glb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "scenes")


@pytest.fixture(scope="module")
def built(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[SceneManifest, Path]:
    out = tmp_path_factory.mktemp("scenes")
    return build_scenes(catalog, out), out


@pytest.fixture(scope="module")
def grid(built: tuple[SceneManifest, Path]) -> NavGrid:
    manifest, out = built
    return NavGrid.from_json((out / manifest.halls["main"].navgrid.file).read_bytes())


@pytest.fixture(scope="module")
def glb(built: tuple[SceneManifest, Path]) -> Glb:
    manifest, out = built
    return Glb(out / manifest.halls["main"].file)


def _booth_point(
    catalog: Catalog, booth_id: str, local: tuple[float, float]
) -> tuple[float, float]:
    booth = next(b for b in catalog.booths if b.id == booth_id)
    place = translation((booth.position[0], 0.0, booth.position[1])) @ yaw(booth.rotation_deg)
    x, _, z, _ = place @ np.array([local[0], 0.0, local[1], 1.0])
    return float(x), float(z)


# --- the file -------------------------------------------------------------------------------


def test_file_is_content_addressed_and_follows_the_spec_layout(
    built: tuple[SceneManifest, Path], catalog: Catalog
) -> None:
    manifest, out = built
    entry = manifest.halls["main"].navgrid
    data = (out / entry.file).read_bytes()
    assert entry.sha256 == hashlib.sha256(data).hexdigest()
    assert entry.file == entry.sha256[:20] + ".json"
    assert entry.url == f"/scenes/{entry.file}"
    document = json.loads(data)
    hall = catalog.hall("main")
    assert document["version"] == 1
    assert document["hall"] == "main"
    assert document["origin"] == [hall.bounds_min[0], hall.bounds_min[2]]
    assert document["cell"] == CELL
    assert document["radius"] == RADIUS
    assert document["width"] == math.ceil(hall.size[0] / CELL) == entry.width
    assert document["height"] == math.ceil(hall.size[1] / CELL) == entry.height
    # The bits decoded exactly as the spec words it, without numpy's help.
    raw = base64.b64decode(document["bits"])
    width, height = document["width"], document["height"]
    assert len(raw) == math.ceil(width * height / 8)

    def bit(k: int) -> int:
        return (raw[k >> 3] >> (k & 7)) & 1

    grid = NavGrid.from_json(data)
    rng = np.random.default_rng(12)
    for k in [0, width - 1, width * height - 1, *rng.integers(0, width * height, 2000)]:
        j, i = divmod(int(k), width)
        assert bit(int(k)) == int(grid.walkable[j, i])
    assert sum(bin(b).count("1") for b in raw) == entry.walkable_cells == grid.walkable.sum()
    assert set(document["booths"]) == {b.id for b in catalog.booths}


def test_round_trip_keeps_every_cell_and_field() -> None:
    rng = np.random.default_rng(3)
    walkable = rng.random((37, 53)) > 0.4  # odd sizes: the last byte is partly padding
    grid = NavGrid(
        hall="h",
        origin=(-6.5, 2.25),
        cell=0.25,
        radius=0.3,
        walkable=walkable,
        spawn=(1.0, 2.0),
        booths={"b-1": {"template": "kiosk", "position": [1.0, 2.0], "rotation_deg": 90}},
        templates={"kiosk": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]},
    )
    again = NavGrid.from_json(grid.to_json())
    assert np.array_equal(again.walkable, walkable)
    assert (again.hall, again.origin, again.cell, again.radius, again.spawn) == (
        "h",
        (-6.5, 2.25),
        0.25,
        0.3,
        (1.0, 2.0),
    )
    assert again.booths == grid.booths and again.templates == grid.templates
    assert again.to_json() == grid.to_json()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: {**d, "version": 2}, "version 2"),
        (lambda d: {**d, "bits": d["bits"][:-8]}, "bits hold"),
        (lambda d: {k: v for k, v in d.items() if k != "width"}, "not a navigation grid"),
        (lambda d: {**d, "bits": "@@@@"}, "not a navigation grid"),
    ],
)
def test_a_damaged_file_is_refused_with_what_is_wrong(damage: object, message: str) -> None:
    grid = NavGrid(
        hall="h",
        origin=(0.0, 0.0),
        cell=0.25,
        radius=0.3,
        walkable=np.ones((40, 40), dtype=bool),
        spawn=(1.0, 1.0),
        booths={},
        templates={},
    )
    document = json.loads(grid.to_json())
    with pytest.raises(ValueError, match=message):
        NavGrid.from_json(json.dumps(damage(document)).encode())  # type: ignore[operator]


# --- what is blocked ------------------------------------------------------------------------


def test_hall_walls_and_everything_outside_them_are_blocked(
    grid: NavGrid, catalog: Catalog
) -> None:
    assert not grid.walkable[0, :].any() and not grid.walkable[-1, :].any()
    assert not grid.walkable[:, 0].any() and not grid.walkable[:, -1].any()
    hall = catalog.hall("main")
    x0, _, z0 = hall.bounds_min
    for z in np.linspace(z0 + 2, -z0 - 2, 40):
        assert not grid.is_walkable(x0 + 0.5, float(z))  # inside the wall's thickness + radius
        assert not grid.is_walkable(-x0 - 0.5, float(z))


def test_every_structure_that_stands_in_the_way_blocks_the_floor_under_it(
    grid: NavGrid, glb: Glb
) -> None:
    """The grid agrees with the GLB: every triangle of a wall, column, booth, info wall or seat
    that reaches between a step and a head's height stands on blocked floor."""
    checked = 0
    for index, node in enumerate(glb.nodes):
        extras = glb.extras(index)
        if extras.get("walkable") or "sign" in extras or "screen" in extras:
            continue
        triangles = glb.world_triangles(index)
        if not len(triangles):
            continue
        heights = triangles[:, :, 1]
        standing = (heights.max(axis=1) > STEP_HEIGHT + 0.01) & (heights.min(axis=1) < HEADROOM)
        for centre in triangles[standing].mean(axis=1):
            assert not grid.is_walkable(float(centre[0]), float(centre[2])), (node.name, centre)
            checked += 1
    assert checked > 10_000


def test_the_info_wall_blocks_along_its_whole_width(grid: NavGrid, catalog: Catalog) -> None:
    wall = catalog.plaza.info_wall
    x, z = wall.position
    along = (1.0, 0.0) if wall.rotation_deg % 180 == 0 else (0.0, 1.0)
    for t in np.linspace(-wall.width / 2, wall.width / 2, 50):
        assert not grid.is_walkable(x + along[0] * t, z + along[1] * t)


def test_booth_structures_are_blocked_and_their_interiors_walkable(
    grid: NavGrid, catalog: Catalog
) -> None:
    for booth in catalog.booths:
        model = booth_model(booth.template)
        for footprint in model.obstacles:
            centre = footprint.array().mean(axis=0)
            point = _booth_point(catalog, booth.id, (float(centre[0]), float(centre[1])))
            assert not grid.is_walkable(*point), (booth.id, footprint)
        assert grid.is_walkable(*_booth_point(catalog, booth.id, model.inside)), booth.id


# --- what is walkable -----------------------------------------------------------------------


def test_plaza_zone_aisles_and_avenues_are_walkable(grid: NavGrid, catalog: Catalog) -> None:
    plaza = catalog.plaza.area
    cells = [
        grid.is_walkable(float(x), float(z))
        for x in np.arange(plaza.x[0] + 1, plaza.x[1] - 1, 0.5)
        for z in np.arange(plaza.z[0] + 1, plaza.z[1] - 1, 0.5)
    ]
    assert sum(cells) / len(cells) > 0.95
    for zone in catalog.zones:
        cx, cz = zone.area.centre
        # The zone's aisle runs through its centre, the length of the zone.
        long_x = zone.area.width > zone.area.depth
        for t in np.linspace(-0.4, 0.4, 9):
            point = (cx + t * zone.area.width, cz) if long_x else (cx, cz + t * zone.area.depth)
            assert grid.is_walkable(*point), (zone.id, point)
    hall = catalog.hall("main")
    # The avenues between the rows of zones, end to end.
    for z in (-40.0, 40.0):
        for x in np.arange(hall.bounds_min[0] + 2, hall.bounds_max[0] - 2, 1.0):
            assert grid.is_walkable(float(x), z), (x, z)


def test_forum_aisles_rows_and_stage_are_walkable_and_its_edges_are_not(
    grid: NavGrid, catalog: Catalog
) -> None:
    forum = catalog.forum_halls[0]
    seats = forum.seats
    # Seats come row by row; within a row a gap wider than the rest is an aisle.
    per_row = forum.seating[0].seats_per_row
    rows = [seats[i : i + per_row] for i in range(0, len(seats), per_row)]
    spacing = forum.seating[0].seat_spacing
    aisles = 0
    for row in rows:
        for a, b in itertools.pairwise(row):
            if math.dist(a[:2], b[:2]) > spacing + 0.5:
                assert grid.is_walkable((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), (a, b)
                aisles += 1
        assert not grid.is_walkable(row[1][0], row[1][1])  # the seats themselves
    assert aisles >= len(rows)
    # Between two rows, along the whole row: somewhere between each seat and the one behind it.
    for front, back in itertools.pairwise(rows):
        for a, b in zip(front, back, strict=True):
            between = [
                (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])) for t in np.linspace(0, 1, 33)
            ]
            assert any(grid.is_walkable(x, z) for x, z in between), (a, b)
    sx, sz = forum.stage.centre
    assert grid.is_walkable(sx, sz)
    for x, z in ((forum.stage.x[0], sz + 5), (sx, forum.stage.z[0]), (sx, forum.stage.z[1])):
        assert not grid.is_walkable(x, z), (x, z)


def test_a_path_leads_from_the_spawn_to_every_booth_front(grid: NavGrid, catalog: Catalog) -> None:
    start = grid.cell_of(*grid.spawn)
    assert start is not None and grid.walkable[start[1], start[0]]
    seen = np.zeros_like(grid.walkable)
    seen[start[1], start[0]] = True
    queue = deque([start])
    while queue:
        i, j = queue.popleft()
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ni, nj = i + di, j + dj
            inside = 0 <= ni < grid.width and 0 <= nj < grid.height
            if inside and grid.walkable[nj, ni] and not seen[nj, ni]:
                seen[nj, ni] = True
                queue.append((ni, nj))
    for booth in catalog.booths:
        cell = grid.cell_of(*booth.front)
        assert cell is not None and seen[cell[1], cell[0]], booth.id
    # Every walkable cell is one a visitor can reach (closed pockets are not walkable).
    assert np.array_equal(seen, grid.walkable)


# --- rasterising ----------------------------------------------------------------------------


def test_a_cell_is_blocked_exactly_when_a_visitor_in_it_would_touch_the_obstacle() -> None:
    wall = Footprint.rect(2.0, 0.0, 2.55, 8.0)
    diamond = Footprint(((6.0, 3.0), (7.0, 4.0), (6.0, 5.0), (5.0, 4.0)))
    grid = rasterise(
        "t", (0.0, 0.0), (10.0, 10.0), (0.5, 0.5), [wall, diamond], cell=0.25, radius=0.3
    )
    # West of the wall: the cell [1.25, 1.5) is 0.5 m away, [1.5, 1.75) only 0.25 m.
    assert grid.is_walkable(1.4, 4.0)
    assert not grid.is_walkable(1.6, 4.0)
    assert not grid.is_walkable(2.2, 4.0)
    # East: [2.75, 3.0) is 0.2 m away; [3.0, 3.25) is 0.45 m.
    assert not grid.is_walkable(2.9, 4.0)
    assert grid.is_walkable(3.1, 4.0)
    # Exactly one radius away is clear: past the wall's end (z = 8), cell z [8.25, 8.5) is 0.25 m
    # off, [8.5, 8.75) 0.5 m; on the diagonal past the corner the distance is Euclidean.
    assert not grid.is_walkable(2.2, 8.3)
    assert grid.is_walkable(2.2, 8.6)
    assert grid.is_walkable(2.9, 8.4)  # cell [2.75, 3.0) × [8.25, 8.5): 0.32 m from the corner
    # The diamond's centre is blocked; beside its corner but off its slanted sides is free,
    # where an axis-aligned box around it would block.
    assert not grid.is_walkable(6.0, 4.0)
    assert grid.is_walkable(6.9, 4.9)
    assert not grid.is_walkable(6.6, 4.6)


def test_a_spawn_on_blocked_floor_is_refused() -> None:
    with pytest.raises(ConfigError, match="spawn point"):
        rasterise("t", (0.0, 0.0), (4.0, 4.0), (1.0, 1.0), [Footprint.rect(0.5, 0.5, 1.5, 1.5)])


def test_a_damaged_or_missing_grid_file_is_rebuilt(catalog: Catalog, tmp_path: Path) -> None:
    first = ensure_scenes(catalog, tmp_path)
    path = tmp_path / "scenes" / first.halls["main"].navgrid.file
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    assert ensure_scenes(catalog, tmp_path) == first
    assert path.read_bytes() == data
    path.unlink()
    assert ensure_scenes(catalog, tmp_path) == first
    assert path.read_bytes() == data
