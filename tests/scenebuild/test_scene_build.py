"""The scene builder: node layout the client relies on, budgets, validity, caching, determinism."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from metaexpo.cli import main as cli_main
from metaexpo.errors import ConfigError
from metaexpo.khronos import GltfValidator, ValidatorError
from metaexpo.scenebuild import BUILDER_VERSION, SceneManifest, build_scenes, ensure_scenes
from metaexpo.scenebuild.atlas import ATLAS_SIZE, layout_atlas
from metaexpo.scenebuild.manifest import MANIFEST_NAME
from metaexpo.scenebuild.signs import Sign, SignFace
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenes import TEMPLATES, Catalog, load_catalog
from tests.scenebuild.glbread import Glb

ROOT = Path(__file__).resolve().parents[2]
SCENES = ROOT / "scenes"
MAX_BYTES = 8 * 1024 * 1024
MAX_DRAW_CALLS = 150
MAX_TRIANGLES = 300_000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SCENES)


@pytest.fixture(scope="module")
def built(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[SceneManifest, Path]:
    out = tmp_path_factory.mktemp("scenes")
    return build_scenes(catalog, out), out


@pytest.fixture(scope="module")
def glb(built: tuple[SceneManifest, Path]) -> Glb:
    manifest, out = built
    return Glb(out / manifest.halls["main"].file)


def _copy_scenes(tmp_path: Path) -> Path:
    target = tmp_path / "scenes"
    shutil.copytree(SCENES, target)
    return target


# --- validity and budgets -------------------------------------------------------------------


def test_every_built_scene_passes_the_khronos_validator_with_zero_errors(
    built: tuple[SceneManifest, Path],
) -> None:
    manifest, out = built
    try:
        reports = GltfValidator().validate_files(
            [out / scene.file for scene in manifest.halls.values()]
        )
    except ValidatorError as exc:
        pytest.fail(str(exc))
    assert len(reports) == len(manifest.halls)
    for report in reports:
        assert report.error_count == 0, str(report)
        assert report.warning_count == 0, str(report)


def test_hall_glb_is_within_size_and_draw_call_budget(
    built: tuple[SceneManifest, Path], glb: Glb
) -> None:
    manifest, out = built
    scene = manifest.halls["main"]
    assert scene.bytes == (out / scene.file).stat().st_size <= MAX_BYTES
    assert scene.draw_calls <= MAX_DRAW_CALLS
    assert 0 < scene.triangles <= MAX_TRIANGLES
    # The manifest's figures are what the file really asks three.js to draw.
    drawn = [glb.primitives(i) for i in range(len(glb.nodes))]
    assert sum(len(p) for p in drawn) == scene.draw_calls
    triangles = sum(glb.gltf.accessors[p.indices].count // 3 for ps in drawn for p in ps)
    assert triangles == scene.triangles


def test_root_node_names_the_hall_catalog_and_builder(glb: Glb, catalog: Catalog) -> None:
    assert glb.gltf.scenes[glb.gltf.scene].nodes == [0]
    root = glb.nodes[0]
    assert root.name == "hall"
    assert root.extras["hall_id"] == "main"
    assert root.extras["catalog_fingerprint"] == catalog.fingerprint
    assert root.extras["builder_version"] == BUILDER_VERSION
    assert root.extras["sign_atlas_px"] == list(ATLAS_SIZE)


# --- booths and zones -----------------------------------------------------------------------


def test_every_booth_has_a_node_with_its_id_in_extras(glb: Glb, catalog: Catalog) -> None:
    booth_nodes = {
        glb.extras(i)["booth_id"]: i for i in range(len(glb.nodes)) if "booth_id" in glb.extras(i)
    }
    assert set(booth_nodes) == {booth.id for booth in catalog.booths}
    for booth in catalog.booths:
        index = booth_nodes[booth.id]
        node = glb.nodes[index]
        assert node.name == f"booth:{booth.id}"
        assert node.extras == {
            "booth_id": booth.id,
            "zone_id": booth.zone,
            "template": booth.template,
        }
        assert node.mesh is not None
        assert glb.nodes[glb.parent[index]].name == f"zone:{booth.zone}"
        assert node.translation == pytest.approx([booth.position[0], 0.0, booth.position[1]])
        # Every triangle drawn for the booth hangs under its node and stays on its footprint.
        for name, other in glb.by_name.items():
            if name.startswith(f"sign:booth:{booth.id}"):
                assert index in glb.ancestors(other)
        corners = glb.world_triangles(index).reshape(-1, 3)
        assert corners[:, 0].min() >= booth.rect.x[0] - 1e-3
        assert corners[:, 0].max() <= booth.rect.x[1] + 1e-3
        assert corners[:, 2].min() >= booth.rect.z[0] - 1e-3
        assert corners[:, 2].max() <= booth.rect.z[1] + 1e-3
        assert corners[:, 1].max() <= booth.height + 1e-3


def test_booth_front_and_sign_face_the_catalog_front(glb: Glb, catalog: Catalog) -> None:
    for booth in catalog.booths:
        turned = glb.world_matrix(glb.by_name[f"booth:{booth.id}"])[:3, :3] @ [0.0, 0.0, 1.0]
        assert turned == pytest.approx([booth.facing[0], 0.0, booth.facing[1]], abs=1e-6)
        sign = glb.by_name[f"sign:booth:{booth.id}"]
        triangles = glb.world_triangles(sign)
        normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        facing = np.array([booth.facing[0], 0.0, booth.facing[1]])
        # Kiosks and pavilions show their name to the front; islands to every side, front included.
        assert any(n @ facing > 0.999 for n in normals)


def test_templates_are_distinct_and_stay_inside_their_footprint() -> None:
    counts = set()
    for name, template in TEMPLATES.items():
        model = booth_model(name)
        positions = np.vstack([part.positions for part, _ in model.pieces])
        assert positions[:, 0].min() >= -template.width / 2 - 1e-6
        assert positions[:, 0].max() <= template.width / 2 + 1e-6
        assert positions[:, 2].min() >= -template.depth / 2 - 1e-6
        assert positions[:, 2].max() <= template.depth / 2 + 1e-6
        assert positions[:, 1].min() >= 0.0
        assert positions[:, 1].max() == pytest.approx(template.height)
        counts.add(sum(part.triangle_count for part, _ in model.pieces))
    assert len(counts) == len(TEMPLATES)


def test_every_zone_has_a_node_a_carpet_in_its_colour_and_its_signs(
    glb: Glb, catalog: Catalog
) -> None:
    carpet = glb.by_name["floor:zones"]
    assert glb.extras(carpet) == {"walkable": True, "zones": [z.id for z in catalog.zones]}
    (primitive,) = glb.primitives(carpet)
    assert glb.material_name(primitive) == "floor_carpet"
    positions = glb.accessor(primitive.attributes.POSITION)
    colours = glb.accessor(primitive.attributes.COLOR_0)
    corners = glb.accessor(primitive.indices).reshape(-1, 3)
    centres = positions[corners].mean(axis=1)
    merged = glb.extras(glb.by_name["signs"])["signs"]
    for zone in catalog.zones:
        index = glb.by_name[f"zone:{zone.id}"]
        assert glb.extras(index) == {"zone_id": zone.id}
        assert ("zone", zone.id) in {(s["kind"], s["id"]) for s in merged}
        # The carpet in the zone's middle keeps the zone colour's dominant channel.
        (x0, x1), (z0, z1) = zone.area.x, zone.area.z
        inside = (
            (centres[:, 0] > x0 + 2) & (centres[:, 0] < x1 - 2)
            & (centres[:, 2] > z0 + 2) & (centres[:, 2] < z1 - 2)
        )  # fmt: skip
        assert inside.any()
        tints = {tuple(c[:3]) for c in colours[corners[inside].ravel()]}
        assert len(tints) == 1
        channels = np.array([int(zone.colour[i : i + 2], 16) for i in (1, 3, 5)])
        tint = np.array(next(iter(tints)))
        assert int(np.argmax(tint)) in set(np.flatnonzero(channels == channels.max()))


# --- signs ----------------------------------------------------------------------------------


def _sign_entries(glb: Glb) -> list[tuple[int, dict[str, object]]]:
    """Every sign of the GLB with the node that draws it (one node may draw many, merged)."""
    found = []
    for i in range(len(glb.nodes)):
        extras = glb.extras(i)
        if "sign" in extras:
            found.append((i, extras["sign"]))
        found += [(i, sign) for sign in extras.get("signs", [])]
    return found


def test_signs_share_one_material_and_have_disjoint_atlas_rects(glb: Glb, catalog: Catalog) -> None:
    entries = _sign_entries(glb)
    signs = {i for i, _ in entries}
    kinds = [(sign["kind"], sign["id"]) for _, sign in entries]
    assert len(kinds) == len(set(kinds))
    expected = {("booth", b.id) for b in catalog.booths} | {("zone", z.id) for z in catalog.zones}
    expected |= {("forum", f.id) for f in catalog.forum_halls}
    expected |= {("info_wall", "plaza"), ("hall", "main"), ("entrance", "main")}
    gates = {key for key in kinds if key[0] == "gate"}
    assert gates and {z for _, z in gates} <= {z.id for z in catalog.zones}
    assert set(kinds) == expected | gates
    materials = [m.name for m in glb.gltf.materials]
    assert materials.count("signs") == 1
    sign_material = glb.gltf.materials[materials.index("signs")]
    texture = glb.gltf.textures[sign_material.pbrMetallicRoughness.baseColorTexture.index]
    image = glb.gltf.images[texture.source]
    view = glb.gltf.bufferViews[image.bufferView]
    png = Image.open(io.BytesIO(glb.blob[view.byteOffset : view.byteOffset + view.byteLength]))
    assert image.mimeType == "image/png"
    assert png.size[0] * ATLAS_SIZE[1] == png.size[1] * ATLAS_SIZE[0]  # same shape as the atlas
    for i in range(len(glb.nodes)):
        for primitive in glb.primitives(i):
            assert (glb.material_name(primitive) == "signs") == (i in signs)
    rects = []
    for index, sign in entries:
        u0, v0, u1, v1 = sign["rect"]  # type: ignore[misc]
        assert 0.0 <= u0 < u1 <= 1.0 and 0.0 <= v0 < v1 <= 1.0
        uvs = np.vstack([glb.accessor(p.attributes.TEXCOORD_0) for p in glb.primitives(index)])
        if "sign" in glb.extras(index):
            assert uvs.min(axis=0) == pytest.approx([u0, v0])
            assert uvs.max(axis=0) == pytest.approx([u1, v1])
        else:  # merged: some quad of the mesh spans exactly this rectangle
            assert ((np.abs(uvs - [u0, v0]) < 1e-6).all(axis=1)).any()
            assert ((np.abs(uvs - [u1, v1]) < 1e-6).all(axis=1)).any()
        pixel_aspect = (u1 - u0) * ATLAS_SIZE[0] / ((v1 - v0) * ATLAS_SIZE[1])
        assert pixel_aspect == pytest.approx(sign["aspect"], rel=0.03)
        rects.append(sign["rect"])
    for a, b in itertools.combinations(rects, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def _ray_hits(origin: np.ndarray, direction: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Distances along the ray to every triangle it crosses (Möller–Trumbore, both sides)."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    edge1, edge2 = b - a, c - a
    p = np.cross(direction, edge2)
    det = np.einsum("ij,ij->i", edge1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    t_vec = origin - a
    u = np.einsum("ij,ij->i", t_vec, p) * inv
    q = np.cross(t_vec, edge1)
    v = (q @ direction) * inv
    t = np.einsum("ij,ij->i", edge2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return t[hit]


def test_signs_stand_just_in_front_of_their_backing(glb: Glb) -> None:
    signs = sorted({i for i, _ in _sign_entries(glb)})
    solid = np.concatenate(
        [glb.world_triangles(i) for i in range(len(glb.nodes)) if i not in signs]
    )
    for index in signs:
        triangles = glb.world_triangles(index)
        for quad in range(0, len(triangles), 2):
            corners = np.concatenate(triangles[quad : quad + 2])
            centre = corners.mean(axis=0)
            normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
            normal /= np.linalg.norm(normal)
            behind = _ray_hits(centre, -normal, solid)
            # A backing a few centimetres behind: close enough to look attached, far enough
            # that depth precision never lets it show through the text.
            assert behind.size, glb.nodes[index].name
            assert 0.02 <= behind.min() <= 0.1, (glb.nodes[index].name, behind.min())
            # Nothing of the hall's own geometry covers the sign's face.
            in_front = _ray_hits(centre, normal, solid)
            assert not in_front.size or in_front.min() > 0.5, glb.nodes[index].name


def test_sign_uvs_put_the_atlas_top_left_at_the_readers_top_left(glb: Glb) -> None:
    index = glb.by_name["signs"]
    primitive = glb.primitives(index)[0]
    positions = glb.accessor(primitive.attributes.POSITION)
    uvs = glb.accessor(primitive.attributes.TEXCOORD_0)
    (sign,) = [s for s in glb.extras(index)["signs"] if s["kind"] == "info_wall"]
    u0, v0, u1, v1 = sign["rect"]
    mine = np.flatnonzero(
        (uvs[:, 0] >= u0 - 1e-6) & (uvs[:, 0] <= u1 + 1e-6)
        & (uvs[:, 1] >= v0 - 1e-6) & (uvs[:, 1] <= v1 + 1e-6)
    )  # fmt: skip
    assert len(mine) == 4
    # The info wall faces +z: the reader's left is -x and up is +y.
    top_left = mine[np.lexsort((positions[mine, 0], -positions[mine, 1]))[0]]
    assert uvs[top_left] == pytest.approx([u0, v0])


def test_atlas_shrinks_evenly_when_signs_do_not_fit() -> None:
    face = SignFace.upright((0.0, 0.0, 0.0), 0.0, 4.0, 1.0)
    many = [Sign("booth", f"b-{i:03d}", (face,), atlas_width=512) for i in range(600)]
    layout = layout_atlas(many)
    assert layout.scale < 1.0
    sizes = {(x1 - x0, y1 - y0) for x0, y0, x1, y1 in layout.rects.values()}
    assert len(sizes) == 1
    with pytest.raises(ConfigError, match="do not fit"):
        layout_atlas([Sign("booth", f"b-{i:04d}", (face,), atlas_width=512) for i in range(8000)])


# --- floors, forum --------------------------------------------------------------------------


def test_walkable_floor_is_marked(glb: Glb, catalog: Catalog) -> None:
    walkable = [i for i in range(len(glb.nodes)) if glb.extras(i).get("walkable") is True]
    names = {glb.nodes[i].name for i in walkable}
    expected = {"floor", "floor:zones"}
    for forum in catalog.forum_halls:
        expected |= {f"forum:{forum.id}:floor", f"forum:{forum.id}:stage"}
    assert names == expected
    # The floors at y = 0 tile the whole hall once: no gaps to fall through, no overlaps to flicker.
    hall = catalog.hall("main")
    area = 0.0
    for index in walkable:
        if glb.nodes[index].name.endswith(":stage"):
            continue
        triangles = glb.world_triangles(index)
        assert np.abs(triangles[:, :, 1]).max() < 1e-6
        cross = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
        assert (cross[:, 1] > 0).all()  # facing up
        area += float(cross[:, 1].sum()) / 2
    assert area == pytest.approx(hall.size[0] * hall.size[1])
    # Nothing else lies on the floor plane facing up, where it would fight with the floors.
    stage = glb.world_triangles(glb.by_name[f"forum:{catalog.forum_halls[0].id}:stage"])
    assert stage[:, :, 1].max() == pytest.approx(catalog.forum_halls[0].stage_height)


def test_forum_seats_are_one_merged_mesh_not_a_node_per_seat(glb: Glb, catalog: Catalog) -> None:
    forum = catalog.forum_halls[0]
    index = glb.by_name[f"forum:{forum.id}:seats"]
    assert len(glb.primitives(index)) == 1
    assert glb.extras(index) == {"forum_id": forum.id, "seat_count": len(forum.seats)}
    assert len(glb.nodes) < 400  # far fewer nodes than seats
    corners = glb.world_triangles(index).reshape(-1, 3)
    for x, z, _ in forum.seats[:: len(forum.seats) // 8]:
        near = np.hypot(corners[:, 0] - x, corners[:, 2] - z) < 0.5
        assert near.any()


# --- output files ---------------------------------------------------------------------------


def test_output_is_content_addressed_and_rebuild_is_skipped_when_catalog_unchanged(
    catalog: Catalog, tmp_path: Path
) -> None:
    first = ensure_scenes(catalog, tmp_path)
    scene = first.halls["main"]
    path = tmp_path / "scenes" / scene.file
    data = path.read_bytes()
    assert scene.file == hashlib.sha256(data).hexdigest()[:20] + ".glb"
    assert scene.sha256 == hashlib.sha256(data).hexdigest()
    assert scene.url == f"/scenes/{scene.file}"
    before = path.stat().st_mtime_ns, (tmp_path / "scenes" / MANIFEST_NAME).stat().st_mtime_ns
    os.utime(path, ns=(1, 1))
    os.utime(tmp_path / "scenes" / MANIFEST_NAME, ns=(1, 1))
    assert ensure_scenes(catalog, tmp_path) == first
    assert path.stat().st_mtime_ns == 1  # not rewritten
    assert (tmp_path / "scenes" / MANIFEST_NAME).stat().st_mtime_ns == 1
    assert before[0] != 1
    # A damaged file is noticed and rebuilt.
    path.write_bytes(data[:-100])
    assert ensure_scenes(catalog, tmp_path) == first
    assert path.read_bytes() == data
    # So is a manifest from another builder version.
    manifest = json.loads((tmp_path / "scenes" / MANIFEST_NAME).read_text())
    manifest["builder_version"] = BUILDER_VERSION - 1
    (tmp_path / "scenes" / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert ensure_scenes(catalog, tmp_path).builder_version == BUILDER_VERSION
    assert not [p for p in (tmp_path / "scenes").iterdir() if p.name.endswith(".tmp")]


def test_changed_catalog_gets_a_new_url_and_old_file_stays(tmp_path: Path) -> None:
    scenes = _copy_scenes(tmp_path)
    old = ensure_scenes(load_catalog(scenes), tmp_path / "data")
    retail = scenes / "zones" / "01-retail.yaml"
    retail.write_text(retail.read_text().replace('"#fb8c00"', '"#ff7043"'))
    changed = load_catalog(scenes)
    new = ensure_scenes(changed, tmp_path / "data")
    assert new.catalog_fingerprint == changed.fingerprint != old.catalog_fingerprint
    assert new.halls["main"].url != old.halls["main"].url
    assert (tmp_path / "data" / "scenes" / old.halls["main"].file).is_file()
    assert (tmp_path / "data" / "scenes" / new.halls["main"].file).is_file()


def test_build_is_deterministic(
    catalog: Catalog, built: tuple[SceneManifest, Path], tmp_path: Path
) -> None:
    manifest, out = built
    again = build_scenes(catalog, tmp_path)
    assert again == manifest
    name = manifest.halls["main"].file
    assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


# --- the command ----------------------------------------------------------------------------


def test_build_scenes_command_builds_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["build-scenes", "--data-dir", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    scene = report["halls"]["main"]
    assert (tmp_path / "scenes" / scene["url"].rsplit("/", 1)[1]).is_file()
    assert report["validation"]["main"]["errors"] == 0
    assert cli_main(["build-scenes", "--data-dir", str(tmp_path)]) == 0
    assert "draw calls" in capsys.readouterr().out


def test_build_scenes_command_lists_catalog_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenes = _copy_scenes(tmp_path)
    retail = scenes / "zones" / "01-retail.yaml"
    retail.write_text(retail.read_text().replace("colour:", "color:", 1))
    args = ["build-scenes", "--scenes-dir", str(scenes), "--data-dir", str(tmp_path / "d")]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert 'did you mean "colour"' in err
    assert not (tmp_path / "d" / "scenes").exists()


def test_quarter_turn_rotations_are_unit_quaternions(glb: Glb) -> None:
    for node in glb.nodes:
        if node.rotation:
            assert math.isclose(sum(c * c for c in node.rotation), 1.0, rel_tol=1e-9)
