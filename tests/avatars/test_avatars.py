"""The generated avatars: node layout contract, budgets, validity, determinism, manifest."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pygltflib
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from metaexpo.avatars import load_avatar_manifest
from metaexpo.avatars.__main__ import validate_avatars
from metaexpo.avatars.build import build_avatars
from metaexpo.avatars.colours import hex_to_linear, linear_to_srgb8
from metaexpo.avatars.layout import MAX_TRIANGLES, PARTS, ROOT_NODE
from metaexpo.avatars.manifest import MANIFEST_NAME, AvatarManifest
from metaexpo.avatars.shapes import box, ellipsoid, place, rotation, scaling, translation
from metaexpo.errors import ConfigError
from metaexpo.khronos import GltfValidator

ROOT = Path(__file__).resolve().parents[2]
AVATARS_DIR = ROOT / "avatars"

_COMPONENT_DTYPES = {5126: "<f4", 5123: "<u2", 5125: "<u4", 5121: "u1"}
_TYPE_WIDTH = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}


@pytest.fixture(scope="module")
def manifest() -> AvatarManifest:
    return load_avatar_manifest(AVATARS_DIR)


@pytest.fixture(scope="module")
def glbs(manifest: AvatarManifest) -> dict[str, pygltflib.GLTF2]:
    return {
        entry.id: pygltflib.GLTF2.load_from_bytes((AVATARS_DIR / entry.glb).read_bytes())
        for entry in manifest.avatars
    }


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fresh-avatars")
    build_avatars(out)
    return out


def _accessor(gltf: pygltflib.GLTF2, index: int) -> np.ndarray:
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
    dtype = np.dtype(_COMPONENT_DTYPES[accessor.componentType])
    width = _TYPE_WIDTH[accessor.type]
    data = gltf.binary_blob()[start : start + accessor.count * width * dtype.itemsize]
    return np.frombuffer(data, dtype=dtype).reshape(accessor.count, width)


def _copy_avatars(tmp_path: Path) -> Path:
    target = tmp_path / "avatars"
    shutil.copytree(AVATARS_DIR, target)
    return target


def _edit_manifest(avatars_dir: Path, edit: dict[str, object], index: int = 0) -> None:
    path = avatars_dir / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["avatars"][index].update(edit)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# --- the manifest ------------------------------------------------------------------------------


def test_at_least_eight_avatars_in_manifest(manifest: AvatarManifest) -> None:
    assert len(manifest.avatars) >= 8
    for entry in manifest.avatars:
        assert entry.name.zh and entry.name.en
        assert entry.glb == f"{entry.id}.glb"
        assert entry.thumbnail == f"{entry.id}.png"


def test_avatars_differ_in_colour_and_style(manifest: AvatarManifest) -> None:
    palettes = {tuple(sorted(entry.colors.items())) for entry in manifest.avatars}
    assert len(palettes) == len(manifest.avatars)
    hashes = {entry.sha256 for entry in manifest.avatars}
    assert len(hashes) == len(manifest.avatars)
    triangle_counts = {entry.triangles for entry in manifest.avatars}
    assert len(triangle_counts) >= 5, "shapes should differ, not only colours"


def test_manifest_sha256_mismatch_is_reported_with_file_name(tmp_path: Path) -> None:
    avatars_dir = _copy_avatars(tmp_path)
    manifest = load_avatar_manifest(avatars_dir)
    victim = manifest.avatars[1]
    with (avatars_dir / victim.glb).open("ab") as glb:
        glb.write(b"\x00")
    with pytest.raises(ConfigError) as caught:
        load_avatar_manifest(avatars_dir)
    message = str(caught.value)
    assert victim.glb in message
    assert repr(victim.id) in message
    assert "sha256" in message
    assert "python -m metaexpo.avatars" in message


def test_missing_glb_is_reported_with_file_name(tmp_path: Path) -> None:
    avatars_dir = _copy_avatars(tmp_path)
    victim = load_avatar_manifest(avatars_dir).avatars[0]
    (avatars_dir / victim.glb).unlink()
    with pytest.raises(ConfigError, match=victim.glb):
        load_avatar_manifest(avatars_dir)


def test_missing_thumbnail_is_reported_with_file_name(tmp_path: Path) -> None:
    avatars_dir = _copy_avatars(tmp_path)
    victim = load_avatar_manifest(avatars_dir).avatars[0]
    (avatars_dir / victim.thumbnail).unlink()
    with pytest.raises(ConfigError, match=victim.thumbnail):
        load_avatar_manifest(avatars_dir)


def test_missing_manifest_says_how_to_regenerate(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"manifest\.json.*python -m metaexpo\.avatars"):
        load_avatar_manifest(tmp_path)


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        ({"glb": "../../etc/passwd.glb"}, "glb"),
        ({"id": "Not A Slug"}, "id"),
        ({"triangles": MAX_TRIANGLES + 1}, "triangles"),
        ({"sha256": "abc"}, "sha256"),
        ({"colors": {"primary": "red"}}, "colors"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_manifest_entries_are_refused(
    tmp_path: Path, edit: dict[str, object], complaint: str
) -> None:
    avatars_dir = _copy_avatars(tmp_path)
    _edit_manifest(avatars_dir, edit)
    with pytest.raises(ConfigError, match=complaint) as caught:
        load_avatar_manifest(avatars_dir)
    assert MANIFEST_NAME in str(caught.value)


def test_duplicate_avatar_ids_are_refused(tmp_path: Path) -> None:
    avatars_dir = _copy_avatars(tmp_path)
    first = load_avatar_manifest(avatars_dir).avatars[0]
    _edit_manifest(avatars_dir, {"id": first.id}, index=1)
    with pytest.raises(ConfigError, match=f"duplicate avatar id: {first.id}"):
        load_avatar_manifest(avatars_dir)


def test_manifest_finds_entries_by_id(manifest: AvatarManifest) -> None:
    first = manifest.avatars[0]
    assert manifest.find(first.id) == first
    assert manifest.find("no-such-avatar") is None


# --- the GLB node layout contract -----------------------------------------------------------


def test_every_avatar_has_head_body_and_two_hand_nodes(
    manifest: AvatarManifest, glbs: dict[str, pygltflib.GLTF2]
) -> None:
    for entry in manifest.avatars:
        gltf = glbs[entry.id]
        assert len(gltf.scenes) == 1
        (root_index,) = gltf.scenes[gltf.scene].nodes
        root = gltf.nodes[root_index]
        assert root.name == ROOT_NODE
        assert root.mesh is None
        assert root.extras == {"avatar_id": entry.id, "version": 1}
        assert root.translation in (None, [0.0, 0.0, 0.0]) and root.rotation is None
        children = [gltf.nodes[i] for i in root.children]
        assert [c.name for c in children] == list(PARTS)
        assert len(gltf.nodes) == 1 + len(PARTS), "no other nodes"
        for child in children:
            assert child.mesh is not None
            assert child.extras == {"part": child.name}
            assert not child.children
            assert child.rotation is None and child.scale is None and child.matrix is None


def test_head_is_at_eye_height_and_hands_beside_the_hips(
    glbs: dict[str, pygltflib.GLTF2],
) -> None:
    for gltf in glbs.values():
        nodes = {node.name: node for node in gltf.nodes}
        head_x, head_y, head_z = nodes["head"].translation
        assert (head_x, head_z) == (0.0, 0.0)
        assert 1.5 <= head_y <= 1.7
        left, right = nodes["hand_left"].translation, nodes["hand_right"].translation
        # The avatar faces -Z, so its right hand is on +X (like a three.js camera's right).
        assert left[0] < -0.2 and right[0] > 0.2
        assert left[1:] == right[1:] and 0.8 <= left[1] <= 1.05


def test_head_and_hand_meshes_are_centred_on_their_nodes(
    glbs: dict[str, pygltflib.GLTF2],
) -> None:
    for avatar_id, gltf in glbs.items():
        for node in gltf.nodes[1:]:
            if node.name == "body":
                continue
            position = gltf.accessors[gltf.meshes[node.mesh].primitives[0].attributes.POSITION]
            low, high = np.array(position.min), np.array(position.max)
            where = f"{avatar_id}/{node.name}"
            if node.name == "head":
                # The head shape surrounds the node in every direction; hats and buns
                # make the box lopsided in y and z, but never sideways.
                assert np.all(low < -0.1) and np.all(high > 0.1), where
                assert abs(low[0] + high[0]) < 0.01, where
            else:
                # The palm sits on the node; fingers and thumb reach a little beyond it.
                assert np.all(low < 0) and np.all(high > 0), where
                assert np.all(np.abs(low + high) / 2 < 0.03), where


def test_avatar_stands_on_the_origin_about_1_7_m_tall(glbs: dict[str, pygltflib.GLTF2]) -> None:
    for avatar_id, gltf in glbs.items():
        lows, highs = [], []
        for node in gltf.nodes[1:]:
            position = gltf.accessors[gltf.meshes[node.mesh].primitives[0].attributes.POSITION]
            lows.append(np.array(position.min) + node.translation)
            highs.append(np.array(position.max) + node.translation)
        low, high = np.min(lows, axis=0), np.max(highs, axis=0)
        assert abs(low[1]) < 0.005, f"{avatar_id} feet not on y = 0"
        assert 1.65 <= high[1] <= 1.95, f"{avatar_id} is {high[1]:.2f} m tall"
        assert np.all(np.abs(low[[0, 2]]) < 0.5) and np.all(np.abs(high[[0, 2]]) < 0.5)


def test_each_avatar_uses_one_material_with_vertex_colours(
    glbs: dict[str, pygltflib.GLTF2],
) -> None:
    for avatar_id, gltf in glbs.items():
        (material,) = gltf.materials
        pbr = material.pbrMetallicRoughness
        assert pbr.baseColorFactor == [1.0, 1.0, 1.0, 1.0]
        assert pbr.baseColorTexture is None and pbr.metallicRoughnessTexture is None
        assert pbr.metallicFactor == 0.0
        assert not gltf.textures and not gltf.images
        colours = []
        for mesh in gltf.meshes:
            (primitive,) = mesh.primitives
            assert primitive.material == 0
            accessor = gltf.accessors[primitive.attributes.COLOR_0]
            assert (accessor.componentType, accessor.type) == (5126, "VEC3")
            colours.append(_accessor(gltf, primitive.attributes.COLOR_0))
        distinct = np.unique(np.vstack(colours), axis=0)
        assert len(distinct) >= 4, f"{avatar_id} has only {len(distinct)} colours"
        assert np.all((distinct >= 0.0) & (distinct <= 1.0))


def test_every_avatar_shares_one_attribute_layout_for_batching(
    glbs: dict[str, pygltflib.GLTF2],
) -> None:
    # three.js BatchedMesh needs every geometry to have the same attributes and index type.
    layouts = set()
    for gltf in glbs.values():
        for mesh in gltf.meshes:
            (primitive,) = mesh.primitives
            attributes = {
                name: (gltf.accessors[index].componentType, gltf.accessors[index].type)
                for name, index in primitive.attributes.__dict__.items()
                if index is not None
            }
            index_type = gltf.accessors[primitive.indices].componentType
            layouts.add((tuple(sorted(attributes.items())), index_type, primitive.mode))
    assert layouts == {
        (
            (("COLOR_0", (5126, "VEC3")), ("NORMAL", (5126, "VEC3")), ("POSITION", (5126, "VEC3"))),
            5123,
            4,
        )
    }


def test_triangle_budget_per_avatar(
    manifest: AvatarManifest, glbs: dict[str, pygltflib.GLTF2]
) -> None:
    for entry in manifest.avatars:
        gltf = glbs[entry.id]
        triangles = 0
        for mesh in gltf.meshes:
            (primitive,) = mesh.primitives
            indices = gltf.accessors[primitive.indices]
            assert indices.componentType == 5123, "u16 indices"
            assert indices.count % 3 == 0
            triangles += indices.count // 3
        assert triangles == entry.triangles
        assert triangles <= MAX_TRIANGLES


def test_position_bounds_normals_and_indices_match_the_data(
    glbs: dict[str, pygltflib.GLTF2],
) -> None:
    for avatar_id, gltf in glbs.items():
        for mesh in gltf.meshes:
            (primitive,) = mesh.primitives
            positions = _accessor(gltf, primitive.attributes.POSITION)
            accessor = gltf.accessors[primitive.attributes.POSITION]
            assert accessor.min == [float(v) for v in positions.min(axis=0)], avatar_id
            assert accessor.max == [float(v) for v in positions.max(axis=0)], avatar_id
            normals = _accessor(gltf, primitive.attributes.NORMAL)
            assert np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
            indices = _accessor(gltf, primitive.indices)
            assert indices.max() < len(positions)


def test_generated_glbs_pass_khronos_validator_without_any_issue(
    manifest: AvatarManifest,
) -> None:
    reports = GltfValidator().validate_files([AVATARS_DIR / e.glb for e in manifest.avatars])
    assert len(reports) == len(manifest.avatars)
    for report in reports:
        assert (report.error_count, report.warning_count, report.info_count) == (0, 0, 0), str(
            report
        )


def test_the_builder_passes_clean_avatars_through_the_validator(
    manifest: AvatarManifest, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate_avatars(AVATARS_DIR, manifest) == 0
    assert f"{len(manifest.avatars)} GLBs without any issue" in capsys.readouterr().out


def test_the_builder_fails_naming_each_issue_the_validator_finds(
    manifest: AvatarManifest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy_avatars(tmp_path)
    broken = folder / manifest.avatars[0].glb
    gltf = pygltflib.GLTF2.load_from_bytes(broken.read_bytes())
    gltf.accessors[gltf.meshes[0].primitives[0].attributes.POSITION].min = [-9.0, -9.0, -9.0]
    broken.write_bytes(b"".join(gltf.save_to_bytes()))
    assert validate_avatars(folder, manifest) == 1
    err = capsys.readouterr().err
    assert str(broken) in err and "ACCESSOR_MIN_MISMATCH" in err


def test_the_builder_says_what_to_run_when_the_validator_is_missing(
    manifest: AvatarManifest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert validate_avatars(AVATARS_DIR, manifest) == 2
    assert "scripts/bootstrap" in capsys.readouterr().err


# --- thumbnails -----------------------------------------------------------------------------


def test_thumbnails_are_128px_and_not_blank(manifest: AvatarManifest) -> None:
    for entry in manifest.avatars:
        image = Image.open(AVATARS_DIR / entry.thumbnail)
        assert image.format == "PNG"
        assert image.size == (128, 128)
        assert image.mode == "RGBA"
        pixels = np.asarray(image).reshape(-1, 4)
        opaque = pixels[pixels[:, 3] == 255]
        assert 0.1 < len(opaque) / len(pixels) < 0.8, f"{entry.id}: figure missing or fills all"
        distinct = len(np.unique(opaque[:, :3], axis=0))
        assert distinct > 60, f"{entry.id}: only {distinct} colours, not a shaded render"
        assert pixels.reshape(128, 128, 4)[0, 0, 3] == 0, "background is transparent"


def test_thumbnail_shows_the_avatars_own_palette(manifest: AvatarManifest) -> None:
    # The most common opaque colour should be near (a shade of) the body's primary colour.
    for entry in manifest.avatars:
        pixels = np.asarray(Image.open(AVATARS_DIR / entry.thumbnail)).reshape(-1, 4)
        opaque = pixels[pixels[:, 3] == 255][:, :3].astype(float)
        primary = np.array([int(entry.colors["primary"][i : i + 2], 16) for i in (1, 3, 5)])
        hue_distance = np.linalg.norm(
            opaque / np.maximum(opaque.sum(axis=1, keepdims=True), 1) - primary / primary.sum(),
            axis=1,
        )
        assert np.mean(hue_distance < 0.05) > 0.2, entry.id


# --- determinism ------------------------------------------------------------------------------


def test_committed_avatars_are_up_to_date(fresh_build: Path) -> None:
    fresh = load_avatar_manifest(fresh_build)
    names = [MANIFEST_NAME] + [name for e in fresh.avatars for name in (e.glb, e.thumbnail)]
    stale = []
    for name in names:
        committed = AVATARS_DIR / name
        if not committed.is_file() or committed.read_bytes() != (fresh_build / name).read_bytes():
            stale.append(name)
    hint = "run `PYTHONPATH=server python -m metaexpo.avatars avatars` and commit the result"
    if stale and all(name.endswith(".png") for name in stale):
        same_pixels = all(
            np.array_equal(
                np.asarray(Image.open(AVATARS_DIR / n)), np.asarray(Image.open(fresh_build / n))
            )
            for n in stale
        )
        if same_pixels:
            hint = "pixels match but PNG bytes differ: a different Pillow/zlib wrote them; " + hint
    assert not stale, f"stale avatar files {stale}: {hint}"
    generated = {p.name for p in AVATARS_DIR.iterdir()} - {"README.md"}
    assert generated == set(names), f"files not made by the generator: {generated - set(names)}"


def test_building_twice_gives_identical_bytes(fresh_build: Path, tmp_path: Path) -> None:
    build_avatars(tmp_path)
    first = {p.name: p.read_bytes() for p in fresh_build.iterdir()}
    second = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert first == second


def test_glb_header_and_chunks_are_well_formed(manifest: AvatarManifest) -> None:
    for entry in manifest.avatars:
        data = (AVATARS_DIR / entry.glb).read_bytes()
        magic, version, length = struct.unpack_from("<4sII", data)
        assert (magic, version, length) == (b"glTF", 2, len(data))
        json_length, json_type = struct.unpack_from("<I4s", data, 12)
        assert json_type == b"JSON" and json_length % 4 == 0
        bin_length, bin_type = struct.unpack_from("<I4s", data, 20 + json_length)
        assert bin_type == b"BIN\x00" and bin_length % 4 == 0


# --- building blocks --------------------------------------------------------------------------


@given(st.integers(0, 0xFFFFFF))
def test_palette_colours_survive_the_trip_to_linear_and_back(value: int) -> None:
    colour = f"#{value:06x}"
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    assert linear_to_srgb8(hex_to_linear(colour)) == rgb


@given(
    st.tuples(*(st.floats(0.02, 0.5) for _ in range(3))),
    st.floats(-180, 180),
    st.sampled_from(["x", "y", "z"]),
    st.booleans(),
)
def test_shapes_stay_outward_facing_when_moved_scaled_or_mirrored(
    size: tuple[float, float, float], degrees: float, axis: str, mirror: bool
) -> None:
    colour = (0.5, 0.5, 0.5)
    for solid in (box(size, colour), ellipsoid(size, colour, rings=4, sections=8)):
        moved = place(solid, scaling(1.0, 1.5, 0.5), rotation(axis, degrees), translation(1, 2, 3))
        if mirror:
            moved = moved.mirrored_x()
        tris = moved.positions[moved.faces]
        # The signed volume of a closed mesh is positive when its faces point outwards.
        signed = np.einsum("ij,ij->i", tris[:, 0], np.cross(tris[:, 1], tris[:, 2])).sum() / 6
        assert signed > 0
