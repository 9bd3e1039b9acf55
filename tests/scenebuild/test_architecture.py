"""The hall as a building: walls, a roof with skylights, the entrance with the expo's title,
zone gateways, floors per zone, baked shade, signs big enough to read, a forum hall that is
more than rows of one colour, and PBR materials the client can light."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metaexpo.scenebuild import SceneManifest, build_scenes, palette
from metaexpo.scenebuild.ao import FLOOR_SHADE, REACH, occlude
from metaexpo.scenebuild.architecture import LANTERN_RISE, ROOF_Y, skylights
from metaexpo.scenebuild.mesh import Part
from metaexpo.scenebuild.palette import rgba8, zone_palette
from metaexpo.scenebuild.templates import ROLE_ATTRIBUTE, ROLES
from metaexpo.scenes import Catalog, load_catalog
from tests.scenebuild.glbread import Glb

ROOT = Path(__file__).resolve().parents[2]
#: A sign at least this tall (m) spans about 26 px of an 800 px high, 70° view from 15 m: its
#: title line (about half of it) is a readable 13 px.
READABLE_FROM_15_M = 0.7


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "scenes")


@pytest.fixture(scope="module")
def glb(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Glb:
    out = tmp_path_factory.mktemp("scenes")
    manifest: SceneManifest = build_scenes(catalog, out)
    return Glb(out / manifest.halls["main"].file)


def _by_material(glb: Glb, node: str) -> dict[str, np.ndarray]:
    """The node's triangles (world space) per material name."""
    index = glb.by_name[node]
    matrix = glb.world_matrix(index)
    found: dict[str, np.ndarray] = {}
    for primitive in glb.primitives(index):
        positions = glb.accessor(primitive.attributes.POSITION).astype(np.float64)
        positions = positions @ matrix[:3, :3].T + matrix[:3, 3]
        faces = glb.accessor(primitive.indices).reshape(-1, 3).astype(np.int64)
        found[glb.material_name(primitive)] = positions[faces]
    return found


def _first_hit(origin: tuple[float, float, float], direction: tuple[float, float, float],
               triangles: np.ndarray) -> float | None:  # fmt: skip
    """Distance along the ray to the nearest triangle it crosses (either side), or None."""
    o, d = np.array(origin), np.array(direction, dtype=np.float64)
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    e1, e2 = b - a, c - a
    p = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    t_vec = o - a
    u = np.einsum("ij,ij->i", t_vec, p) * inv
    q = np.cross(t_vec, e1)
    v = (q @ d) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 1e-6)
    return float(t[hit].min()) if hit.any() else None


def test_walls_close_the_hall_at_eye_height_and_glass_rises_above_them(
    glb: Glb, catalog: Catalog
) -> None:
    hall = catalog.hall("main")
    parts = _by_material(glb, "architecture")
    solid = np.concatenate([parts["structure"], parts["metal"]])
    half = hall.size[0] / 2
    for direction in ((1.0, 0.0, 0.0), (-1.0, 0.0, 0.0), (0.0, 0.0, -1.0)):
        for start in ((0.0, 1.6, 50.0), (40.0, 1.6, -50.0), (-80.0, 1.6, 20.0)):
            wall = _first_hit(start, direction, solid)
            assert wall is not None and wall <= half + 60, (start, direction)
    # Through the entrance (south, +z) one meets the glass doors; above the walls, glass.
    assert _first_hit((0.0, 1.6, 60.0), (0.0, 0.0, 1.0), parts["glass"]) is not None
    assert _first_hit((0.0, 12.0, 0.0), (-1.0, 0.0, 0.0), parts["glass"]) is not None


def test_a_roof_covers_the_hall_with_skylights_over_the_plaza_and_avenues(
    glb: Glb, catalog: Catalog
) -> None:
    hall = catalog.hall("main")
    parts = _by_material(glb, "architecture")
    up = (0.0, 1.0, 0.0)
    lights = skylights(hall)
    assert len(lights) >= 3
    for rect in lights:
        centre = (*rect.centre,)
        # Under a skylight the ceiling is open: the first thing above is its glass lantern.
        glass = _first_hit((centre[0], 1.6, centre[1]), up, parts["glass"])
        assert glass == pytest.approx(ROOF_Y + LANTERN_RISE - 1.6)
        ceiling = _first_hit((centre[0], 1.6, centre[1]), up, parts["structure"])
        assert ceiling is None or ceiling > ROOF_Y + LANTERN_RISE - 1.6
    # Everywhere else a ceiling closes the hall: no white void overhead.
    rng = np.random.default_rng(4)
    (x0, _, z0), (x1, _, z1) = hall.bounds_min, hall.bounds_max
    covered = 0
    for x, z in zip(rng.uniform(x0 + 1, x1 - 1, 80), rng.uniform(z0 + 1, z1 - 1, 80), strict=True):
        if any(r.contains_point((float(x), float(z))) for r in lights):
            continue
        hit = _first_hit((float(x), ROOF_Y - 0.5, float(z)), up, parts["structure"])
        assert hit == pytest.approx(0.5), (x, z)
        covered += 1
    assert covered > 40


def test_the_entrance_carries_the_expos_title_facing_into_the_hall(
    glb: Glb, catalog: Catalog
) -> None:
    index = glb.by_name["signs"]
    (entrance,) = [s for s in glb.extras(index)["signs"] if s["kind"] == "entrance"]
    assert entrance["id"] == "main"
    (primitive,) = glb.primitives(index)
    positions = glb.accessor(primitive.attributes.POSITION)
    uvs = glb.accessor(primitive.attributes.TEXCOORD_0)
    u0, v0, u1, v1 = entrance["rect"]
    mine = (uvs[:, 0] >= u0 - 1e-6) & (uvs[:, 0] <= u1 + 1e-6)
    mine &= (uvs[:, 1] >= v0 - 1e-6) & (uvs[:, 1] <= v1 + 1e-6)
    corners = positions[mine]
    assert len(corners) == 4
    hall = catalog.hall("main")
    # Over the doorway in the south wall, high enough to read across the plaza.
    assert corners[:, 2].min() > hall.bounds_max[2] - 3.0
    assert abs(float(corners[:, 0].mean())) < 1.0
    assert corners[:, 1].min() > 4.0
    normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
    assert normal[2] != 0


def test_zones_open_onto_the_avenues_through_gateways_in_their_colour(
    glb: Glb, catalog: Catalog
) -> None:
    gates = [s for s in glb.extras(glb.by_name["signs"])["signs"] if s["kind"] == "gate"]
    assert {g["id"] for g in gates} == {z.id for z in catalog.zones}
    colours = glb.accessor(
        glb.primitives(glb.by_name["architecture"])[0].attributes.COLOR_0
    )  # structure first
    drawn = {tuple(int(v) for v in c[:3]) for c in colours}
    for zone in catalog.zones:
        assert rgba8(zone.colour)[:3] in drawn, (
            zone.id
        )  # the pylons, above the shade near the floor


def test_every_sign_is_tall_enough_to_read_from_15_m(glb: Glb) -> None:
    heights = []
    for i in range(len(glb.nodes)):
        extras = glb.extras(i)
        for sign in ([extras["sign"]] if "sign" in extras else []) + extras.get("signs", []):
            heights.append((sign["kind"], sign["id"], sign["height_m"]))
    assert len(heights) > 50
    for kind, sign_id, height in heights:
        assert height >= READABLE_FROM_15_M, (kind, sign_id, height)


def test_floors_are_textured_pbr_per_kind_of_area(glb: Glb) -> None:
    materials = {m.name: m for m in glb.gltf.materials}
    for name in ("floor_stone", "floor_carpet", "floor_wood"):
        pbr = materials[name].pbrMetallicRoughness
        assert pbr.baseColorTexture is not None
        sampler = glb.gltf.samplers[glb.gltf.textures[pbr.baseColorTexture.index].sampler]
        assert sampler.wrapS == sampler.wrapT == 10497  # REPEAT: the pattern tiles
    assert materials["metal"].pbrMetallicRoughness.metallicFactor > 0.5
    assert materials["glass"].alphaMode == "BLEND"
    assert "KHR_materials_unlit" in (materials["glass"].extensions or {})
    assert materials["glow"].emissiveFactor is not None
    # Floors get texture coordinates that repeat the pattern across the hall.
    for name in ("floor", "floor:zones"):
        (primitive,) = glb.primitives(glb.by_name[name])
        uvs = glb.accessor(primitive.attributes.TEXCOORD_0)
        assert float(np.ptp(uvs[:, 0])) > 4.0


def test_shade_is_baked_darker_at_the_foot_of_walls_than_above_it(glb: Glb) -> None:
    (structure,) = [
        p
        for p in glb.primitives(glb.by_name["architecture"])
        if glb.material_name(p) == "structure"
    ]
    positions = glb.accessor(structure.attributes.POSITION)
    colours = glb.accessor(structure.attributes.COLOR_0)[:, :3].astype(np.int64)
    normals = glb.accessor(structure.attributes.NORMAL)
    side = np.abs(normals[:, 1]) < 0.1
    feet = side & (positions[:, 1] < 0.01)
    high = side & (positions[:, 1] >= REACH - 1e-3)
    for name in ("WALL", "COLUMN"):
        full = np.array(rgba8(getattr(palette, name))[:3])
        dark = np.round(full * FLOOR_SHADE)
        is_full = (colours == full).all(axis=1)
        assert (is_full & high).sum() > 10, name
        assert not (is_full & feet).any(), name
        assert ((np.abs(colours - dark) <= 1).all(axis=1) & feet).sum() > 10, name


def test_occlusion_darkens_towards_the_floor_only() -> None:
    part = Part(
        positions=np.array([[0.0, 0.0, 0.0], [0.0, REACH / 4, 0.0], [0.0, 3.0, 0.0]]),
        normals=np.tile([1.0, 0.0, 0.0], (3, 1)),
        indices=np.array([[0, 1, 2]]),
    ).painted((200, 100, 50, 255))
    shaded = occlude(part).colours
    assert shaded is not None
    assert shaded[0].tolist() == [round(200 * FLOOR_SHADE), round(100 * FLOOR_SHADE), 29, 255]
    assert shaded[0][0] < shaded[1][0] < shaded[2][0] == 200
    assert shaded[2].tolist() == [200, 100, 50, 255]


def test_forum_hall_is_a_room_with_a_framed_screen_and_varied_seats(
    glb: Glb, catalog: Catalog
) -> None:
    forum = catalog.forum_halls[0]
    (seats,) = glb.primitives(glb.by_name[f"forum:{forum.id}:seats"])
    colours = glb.accessor(seats.attributes.COLOR_0)
    tones, counts = np.unique(colours[:, :3], axis=0, return_counts=True)
    # Fabric, wooden shells and steel frames: no one colour dominates the audience.
    assert len(tones) >= 3
    assert counts.max() / counts.sum() < 0.6
    screen = glb.extras(glb.by_name[f"forum:{forum.id}:screen"])
    assert screen["screen"]["aspect"] == pytest.approx(16 / 9, rel=1e-3)
    # Partition walls stand along the forum area's edges, away from the plaza side's opening.
    room = _by_material(glb, "architecture")["structure"]
    (x0, x1), (z0, z1) = forum.area.x, forum.area.z
    cx = (x0 + x1) / 2
    assert _first_hit((cx, 1.6, (z0 + z1) / 2), (0.0, 0.0, 1.0), room) == pytest.approx(
        z1 - (z0 + z1) / 2 - 0.15, abs=0.1
    )


def test_booth_bodies_label_every_vertex_with_its_colour_role(glb: Glb, catalog: Catalog) -> None:
    """The client repaints an exhibitor's colours and finds the screens by these labels."""
    seen: set[str] = set()
    for booth in catalog.booths:
        (primitive,) = glb.primitives(glb.by_name[f"booth:{booth.id}"])
        roles = glb.accessor(getattr(primitive.attributes, ROLE_ATTRIBUTE))[:, 0]
        colours = glb.accessor(primitive.attributes.COLOR_0)[:, :3]
        positions = glb.accessor(primitive.attributes.POSITION)
        assert len(roles) == len(colours) and set(roles.tolist()) <= set(range(len(ROLES)))
        shades = zone_palette(next(z for z in catalog.zones if z.id == booth.zone).colour)
        high = positions[:, 1] >= REACH  # above the baked shade, colours are the palette's
        for code, role in enumerate(ROLES):
            mine = high & (roles == code)
            if mine.any():
                expected = np.array(getattr(shades, role)[:3])
                assert (colours[mine] == expected).all(), (booth.id, role)
                seen.add(role)
        assert (roles == ROLES.index("screen")).any(), booth.id
    assert {"accent", "panel", "screen"} <= seen
