"""Hostile uploads: each is refused with a specific code, cheaply, and without writing anything.

Every attack runs through :func:`refuse`, which asserts the problem code,
that memory stayed small (tracemalloc peak: the refusal happened before any
large allocation), that time stayed bounded (generous, scaled by
METAEXPO_TEST_TIME_FACTOR), and that nothing appeared in the working
directory, the temp directory or next to the upload.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import struct
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from metaexpo.models import CheckResult, Code, Limits, check_model
from tests.conftest import TIME_FACTOR
from tests.models.gltf_factory import (
    Doc,
    Entry,
    cube,
    cube_glb,
    data_uri,
    embedded,
    glb,
    gltf_zip,
    jpeg,
    patch_central_sizes,
    png,
    png_header_only,
    textured_cube,
    write,
    zip_bytes,
)

MB = 1024 * 1024


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An upload folder; cwd and the temp dir are empty folders checked after the test."""
    uploads = tmp_path / "uploads"
    cwd = tmp_path / "cwd"
    temp = tmp_path / "temp"
    for folder in (uploads, cwd, temp):
        folder.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    yield uploads
    assert list(cwd.iterdir()) == [], "the check wrote into the working directory"
    assert list(temp.iterdir()) == [], "the check wrote into the temp directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "temp", "uploads"]


def refuse(
    path: Path,
    code: Code,
    *,
    peak_mb: float = 16,
    seconds: float = 5,
    filename: str | None = None,
    limits: Limits | None = None,
) -> CheckResult:
    """Check ``path``; assert refusal with ``code``, bounded memory and time, no new files."""
    before = sorted(p.name for p in path.parent.iterdir())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = check_model(path, limits or Limits(), filename=filename)
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    codes = [p.code for p in result.problems]
    assert not result.accepted
    assert code in codes, [str(p) for p in result.problems]
    assert peak < peak_mb * MB, f"peak {peak / MB:.1f} MB"
    assert elapsed < seconds * TIME_FACTOR, f"{elapsed:.2f} s"
    assert sorted(p.name for p in path.parent.iterdir()) == before
    for problem in result.problems:
        assert problem.message and problem.where
    return result


def _cube_zip(sandbox: Path, edit: dict[str, object], name: str = "upload.zip") -> Path:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    for pointer, value in edit.items():
        _set(doc, pointer, value)
    return write(sandbox / name, gltf_zip(doc, {"cube.bin": binary}))


def _set(doc: Doc, pointer: str, value: object) -> None:
    *parents, last = pointer.strip("/").split("/")
    target: object = doc
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value  # type: ignore[index]


# --- URIs pointing outside the upload ------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        ("../../etc/passwd", Code.PATH_TRAVERSAL),
        ("textures/../../secret.bin", Code.PATH_TRAVERSAL),
        ("..%2F..%2Fetc%2Fpasswd", Code.PATH_TRAVERSAL),
        ("/etc/passwd", Code.PATH_TRAVERSAL),
        ("C:\\Windows\\win.ini", Code.PATH_TRAVERSAL),
        ("C:/Windows/win.ini", Code.PATH_TRAVERSAL),
        ("dir\\cube.bin", Code.PATH_TRAVERSAL),
        ("file:///etc/passwd", Code.EXTERNAL_URI),
        ("http://example.com/cube.bin", Code.EXTERNAL_URI),
        ("https://example.com/cube.bin", Code.EXTERNAL_URI),
        ("ftp://example.com/cube.bin", Code.EXTERNAL_URI),
        ("//example.com/cube.bin", Code.EXTERNAL_URI),
        ("javascript:alert(1)", Code.EXTERNAL_URI),
        ("cube%00.bin", Code.BAD_FILE_NAME),
    ],
)
def test_buffer_uri_outside_the_upload_is_refused(sandbox: Path, uri: str, code: Code) -> None:
    refuse(_cube_zip(sandbox, {"/buffers/0/uri": uri}), code)


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        ("../../textures/logo.png", Code.PATH_TRAVERSAL),
        ("/var/www/logo.png", Code.PATH_TRAVERSAL),
        ("file:///etc/shadow", Code.EXTERNAL_URI),
        ("http://example.com/logo.png", Code.EXTERNAL_URI),
    ],
)
def test_image_uri_outside_the_upload_is_refused(sandbox: Path, uri: str, code: Code) -> None:
    doc, binary = textured_cube(png())
    doc["images"] = [{"uri": uri}]
    doc["buffers"][0]["uri"] = "cube.bin"
    refuse(write(sandbox / "tex.zip", gltf_zip(doc, {"cube.bin": binary})), code)


def test_unused_buffer_with_external_uri_is_still_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"].append({"uri": "http://example.com/tracker.bin", "byteLength": 4})
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.EXTERNAL_URI)


def test_glb_that_names_a_file_beside_it_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    write(sandbox / "cube.bin", binary)
    refuse(write(sandbox / "cube.glb", glb(doc)), Code.EXTERNAL_URI)


def test_bare_gltf_naming_a_separate_file_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    write(sandbox / "cube.bin", binary)
    refuse(write(sandbox / "cube.gltf", json.dumps(doc)), Code.EXTERNAL_URI)


def test_data_uri_that_is_not_base64_is_refused(sandbox: Path) -> None:
    doc, _ = cube()
    doc["buffers"][0]["uri"] = "data:application/octet-stream;base64,@@@not base64@@@"
    refuse(write(sandbox / "cube.gltf", json.dumps(doc)), Code.BAD_DATA_URI)


def test_oversized_data_uri_is_refused_before_decoding(sandbox: Path) -> None:
    doc, binary = cube()
    doc = embedded(doc, binary + bytes(3 * MB))
    doc["buffers"][0]["byteLength"] += 3 * MB
    path = write(sandbox / "cube.gltf", json.dumps(doc))
    refuse(path, Code.DATA_URI_TOO_LARGE, limits=Limits(max_data_uri_bytes=MB), peak_mb=64)


# --- byte ranges and counts ------------------------------------------------------------------


def test_accessor_reading_past_its_buffer_view_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["accessors"][0]["byteOffset"] = 64
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.ACCESSOR_OUT_OF_BOUNDS)


def test_buffer_view_reading_past_its_buffer_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["bufferViews"][1]["byteLength"] = 4096
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.BUFFER_VIEW_OUT_OF_BOUNDS)


def test_buffer_longer_than_its_data_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["byteLength"] = 10_000
    doc["bufferViews"][1]["byteLength"] = 5_000
    doc["accessors"][1]["count"] = 36
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.BUFFER_TOO_SHORT)


@pytest.mark.parametrize("count", [2**31, 10**15])
def test_huge_count_with_tiny_data_is_refused_before_allocating(sandbox: Path, count: int) -> None:
    doc, binary = cube()
    doc["accessors"][1]["count"] = count
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.ACCESSOR_OUT_OF_BOUNDS, peak_mb=4)


def test_huge_count_without_any_data_is_refused_before_allocating(sandbox: Path) -> None:
    doc, binary = cube()
    del doc["accessors"][0]["bufferView"]
    doc["accessors"][0]["count"] = 10**9
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.ACCESSOR_TOO_LARGE, peak_mb=4)


def test_huge_sparse_count_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["accessors"][0]["sparse"] = {
        "count": 10**9,
        "indices": {"bufferView": 1, "componentType": 5123},
        "values": {"bufferView": 0},
    }
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.BAD_SPARSE_ACCESSOR, peak_mb=4)


def test_sparse_indices_past_the_accessor_are_refused(sandbox: Path) -> None:
    doc, binary = cube()
    extra = struct.pack("<HH", 3, 500) + np.zeros(6, "<f4").tobytes()
    offset = len(binary)
    doc["bufferViews"] += [
        {"buffer": 0, "byteOffset": offset, "byteLength": 4},
        {"buffer": 0, "byteOffset": offset + 4, "byteLength": 24},
    ]
    doc["buffers"][0]["byteLength"] = offset + len(extra)
    doc["accessors"][0]["sparse"] = {
        "count": 2,
        "indices": {"bufferView": 2, "componentType": 5123},
        "values": {"bufferView": 3},
    }
    refuse(write(sandbox / "cube.glb", glb(doc, binary + extra)), Code.BAD_SPARSE_ACCESSOR)


def test_index_out_of_range_is_refused(sandbox: Path) -> None:
    indices = np.array([0, 1, 2, 0, 2, 9], dtype="<u2")
    refuse(write(sandbox / "cube.glb", cube_glb(indices=indices)), Code.INDEX_OUT_OF_RANGE)


def test_primitive_restart_index_is_refused(sandbox: Path) -> None:
    indices = np.array([0, 1, 2, 0, 2, 0xFFFF], dtype="<u2")
    refuse(write(sandbox / "cube.glb", cube_glb(indices=indices)), Code.INDEX_OUT_OF_RANGE)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_vertex_positions_are_refused(sandbox: Path, bad: float) -> None:
    doc, binary = cube()
    positions = np.frombuffer(binary[:96], "<f4").copy()
    positions[4] = bad
    path = write(sandbox / "cube.glb", glb(doc, positions.tobytes() + binary[96:]))
    refuse(path, Code.NON_FINITE_POSITION)


def test_index_buffer_view_reused_as_vertex_data_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["accessors"].append({"bufferView": 1, "componentType": 5126, "count": 8, "type": "VEC2"})
    doc["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"] = 2
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.BUFFER_VIEW_USAGE_CONFLICT)


def test_reference_to_a_missing_object_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["nodes"][0]["mesh"] = 7
    doc["meshes"][0]["primitives"][0]["material"] = 3
    result = refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.BAD_REFERENCE)
    assert {p.where for p in result.problems} == {
        "/nodes/0/mesh",
        "/meshes/0/primitives/0/material",
    }


# --- the node graph --------------------------------------------------------------------------


def test_node_cycle_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["nodes"] = [{"mesh": 0}, {"children": [2]}, {"children": [1]}]
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.NODE_CYCLE)


def test_node_that_is_its_own_child_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["nodes"][0]["children"] = [0]
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.NODE_CYCLE)


def test_node_with_two_parents_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["nodes"] = [{"children": [2]}, {"children": [2]}, {"mesh": 0}]
    doc["scenes"] = [{"nodes": [0, 1]}]
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.NODE_MULTIPLE_PARENTS)


def test_scene_listing_a_child_node_as_root_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["nodes"] = [{"children": [1]}, {"mesh": 0}]
    doc["scenes"] = [{"nodes": [0, 1]}]
    refuse(write(sandbox / "cube.glb", glb(doc, binary)), Code.SCENE_NON_ROOT_NODE)


def test_ten_thousand_deep_hierarchy_is_refused_without_recursion(sandbox: Path) -> None:
    doc, binary = cube()
    depth = 10_000
    doc["nodes"] = [{"children": [i + 1]} for i in range(depth - 1)] + [{"mesh": 0}]
    limits = Limits(max_nodes=20_000, max_objects=20_000)
    result = refuse(
        write(sandbox / "deep.glb", glb(doc, binary)), Code.HIERARCHY_TOO_DEEP, limits=limits
    )
    assert Code.TOO_MANY_NODES not in {p.code for p in result.problems}
    # With the default limits the same file is also over the node budget.
    refuse(sandbox / "deep.glb", Code.TOO_MANY_NODES)


# --- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [b"{", b'{"asset": {"version": "2.0"},}', b"[1, 2, 3]", b"\xff\xfe{}", b'{"a": 1e5000'],
)
def test_invalid_json_is_refused(sandbox: Path, text: bytes) -> None:
    refuse(write(sandbox / "bad.glb", glb_raw_json(text)), Code.INVALID_JSON)


def test_integer_with_a_hundred_thousand_digits_is_refused(sandbox: Path) -> None:
    text = b'{"asset": {"version": "2.0"}, "scene": ' + b"9" * 100_000 + b"}"
    refuse(write(sandbox / "big.gltf", text), Code.INVALID_JSON)


def glb_raw_json(text: bytes) -> bytes:
    """A GLB whose JSON chunk holds ``text`` verbatim (padded)."""
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


@pytest.mark.parametrize("suffix", [".glb", ".gltf"])
def test_hundred_thousand_deep_json_arrays_are_refused(sandbox: Path, suffix: str) -> None:
    text = b'{"asset": {"version": "2.0"}, "extras": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    data = glb_raw_json(text) if suffix == ".glb" else text
    refuse(write(sandbox / f"deep{suffix}", data), Code.JSON_TOO_DEEP)


def test_nine_megabyte_json_chunk_is_refused_before_reading_it(sandbox: Path) -> None:
    filler = b" " * (9 * MB)
    data = glb_raw_json(b'{"asset": {"version": "2.0"}}' + filler)
    # The whole file would be 9 MB in memory; the refusal comes from the 20-byte header.
    refuse(write(sandbox / "big.glb", data), Code.JSON_TOO_LARGE, peak_mb=1)


def test_quadratic_string_scanning_is_avoided(sandbox: Path) -> None:
    # An unterminated string full of escaped quotes: a naive regex would retry at every quote.
    text = b'{"asset": {"version": "2.0"}, "x": "' + b'\\"' * (3 * MB)
    refuse(write(sandbox / "quotes.gltf", text), Code.INVALID_JSON, peak_mb=64)


def test_too_many_objects_are_refused_before_schema_validation(sandbox: Path) -> None:
    doc, binary = cube()
    doc["accessors"] += [copy.deepcopy(doc["accessors"][0]) for _ in range(10_001)]
    refuse(write(sandbox / "many.glb", glb(doc, binary)), Code.TOO_MANY_OBJECTS, peak_mb=64)


# --- the GLB container -----------------------------------------------------------------------


def _lie(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + struct.pack("<I", value) + data[offset + 4 :]


@pytest.mark.parametrize(
    ("offset", "value", "code"),
    [
        (4, 1, Code.BAD_GLB_HEADER),  # version 1
        (4, 3, Code.BAD_GLB_HEADER),
        (8, 10**6, Code.TRUNCATED),  # declares more than the file has
        (8, 100, Code.BAD_GLB_HEADER),  # declares less
        (12, 2**32 - 4, Code.JSON_TOO_LARGE),  # JSON chunk "4 GB"
        (12, 7, Code.BAD_GLB_CHUNK),  # not a multiple of 4 (and past the BIN header)
        (16, 0x004E4942, Code.BAD_GLB_CHUNK),  # BIN first
    ],
)
def test_glb_header_and_chunk_lengths_that_lie_are_refused(
    sandbox: Path, offset: int, value: int, code: Code
) -> None:
    refuse(write(sandbox / "lie.glb", _lie(cube_glb(), offset, value)), code, peak_mb=1)


def test_bin_chunk_running_past_the_end_is_refused(sandbox: Path) -> None:
    data = cube_glb()
    json_length = struct.unpack_from("<I", data, 12)[0]
    bin_header = 20 + json_length
    refuse(write(sandbox / "lie.glb", _lie(data, bin_header, 10**6)), Code.BAD_GLB_CHUNK)


def test_not_a_model_at_all_is_refused(sandbox: Path) -> None:
    refuse(write(sandbox / "photo.glb", jpeg()), Code.UNKNOWN_FORMAT)


def test_empty_file_is_refused(sandbox: Path) -> None:
    refuse(write(sandbox / "empty.glb", b""), Code.EMPTY_FILE)


def test_file_over_the_size_cap_is_refused_before_reading(sandbox: Path) -> None:
    path = write(sandbox / "big.glb", cube_glb() + bytes(2 * MB))
    refuse(path, Code.FILE_TOO_LARGE, limits=Limits(max_file_bytes=MB), peak_mb=1)


# --- zips ------------------------------------------------------------------------------------


def test_zip_bomb_with_a_high_ratio_is_refused_before_unpacking(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    data = gltf_zip(doc, {"cube.bin": binary, "padding.bin": bytes(40 * MB)})
    path = write(sandbox / "bomb.zip", data)
    assert path.stat().st_size < MB
    refuse(path, Code.ZIP_BOMB, peak_mb=4)


def test_zip_declaring_a_huge_total_is_refused_before_unpacking(sandbox: Path) -> None:
    data = zip_bytes([Entry(f"part{i}.bin", b"x" * 64, zipfile.ZIP_STORED) for i in range(3)])
    data = patch_central_sizes(data, file_size=100 * MB, compress_size=64)
    refuse(write(sandbox / "huge.zip", data), Code.ZIP_BOMB, peak_mb=4)


def test_zip_with_too_many_entries_is_refused_from_its_end_record(sandbox: Path) -> None:
    entries = [Entry(f"f{i}.txt", b"", zipfile.ZIP_STORED) for i in range(1_100)]
    refuse(write(sandbox / "many.zip", zip_bytes(entries)), Code.ZIP_TOO_MANY_ENTRIES, peak_mb=2)


def test_zip_whose_end_record_understates_its_entries_is_refused(sandbox: Path) -> None:
    entries = [Entry(f"f{i:05}.txt", b"", zipfile.ZIP_STORED) for i in range(12_000)]
    data = bytearray(zip_bytes(entries))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # "1 entry", but the directory holds 12,000
    refuse(write(sandbox / "liar.zip", bytes(data)), Code.ZIP_TOO_MANY_ENTRIES, peak_mb=2)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../evil.bin", Code.PATH_TRAVERSAL),
        ("model/../../evil.bin", Code.PATH_TRAVERSAL),
        ("/etc/cron.d/evil", Code.PATH_TRAVERSAL),
        ("C:/evil.bin", Code.PATH_TRAVERSAL),
        ("..\\evil.bin", Code.PATH_TRAVERSAL),
        ("evil\x00.bin", Code.BAD_FILE_NAME),
        ("logo\u202egnp.exe", Code.BAD_FILE_NAME),
        ("a" * 300 + ".bin", Code.BAD_FILE_NAME),
        ("ctrl\x07.bin", Code.BAD_FILE_NAME),
    ],
)
def test_zip_entry_with_an_unsafe_name_is_refused(sandbox: Path, name: str, code: Code) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [
        Entry("model.gltf", json.dumps(doc).encode()),
        Entry("cube.bin", binary),
        Entry(name, b"payload"),
    ]
    refuse(write(sandbox / "names.zip", zip_bytes(entries)), code)


def test_zip_symlink_entry_is_refused(sandbox: Path) -> None:
    doc, _ = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [
        Entry("model.gltf", json.dumps(doc).encode()),
        Entry("cube.bin", b"/etc/passwd", zipfile.ZIP_STORED, mode=stat.S_IFLNK | 0o777),
    ]
    refuse(write(sandbox / "link.zip", zip_bytes(entries)), Code.ZIP_SYMLINK)


def test_encrypted_zip_entry_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [Entry("model.gltf", json.dumps(doc).encode()), Entry("cube.bin", binary, flags=1)]
    refuse(write(sandbox / "secret.zip", zip_bytes(entries)), Code.ZIP_ENCRYPTED)


def test_zip_with_unsupported_compression_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [
        Entry("model.gltf", json.dumps(doc).encode()),
        Entry("cube.bin", binary, zipfile.ZIP_BZIP2),
    ]
    refuse(write(sandbox / "bz.zip", zip_bytes(entries)), Code.BAD_ZIP)


def test_zip_member_with_a_bad_crc_is_refused(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    data = bytearray(
        zip_bytes(
            [
                Entry("model.gltf", json.dumps(doc).encode(), zipfile.ZIP_STORED),
                Entry("cube.bin", binary, zipfile.ZIP_STORED),
            ]
        )
    )
    at = data.find(binary[:16])
    data[at + 3] ^= 0xFF
    refuse(write(sandbox / "crc.zip", bytes(data)), Code.BAD_ZIP)


# --- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "mime", "code"),
    [
        (jpeg(), "image/png", Code.IMAGE_NOT_PNG),
        (png(), "image/jpeg", Code.IMAGE_NOT_JPEG),
        (b"GIF89a" + bytes(40), "image/png", Code.IMAGE_NOT_PNG),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>" + bytes(8),
            "image/svg+xml",
            Code.UNSUPPORTED_IMAGE_FORMAT,
        ),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(32), "image/webp", Code.UNSUPPORTED_IMAGE_FORMAT),
        (png()[:20], "image/png", Code.BAD_IMAGE),
    ],
)
def test_image_whose_bytes_are_not_what_it_claims_is_refused(
    sandbox: Path, image: bytes, mime: str, code: Code
) -> None:
    refuse(write(sandbox / "tex.glb", glb(*textured_cube(image, mime))), code)


def test_image_data_uri_with_wrong_type_is_refused(sandbox: Path) -> None:
    doc, binary = textured_cube(png())
    doc["images"] = [{"uri": data_uri(jpeg(), "image/png")}]
    refuse(write(sandbox / "tex.glb", glb(doc, binary)), Code.IMAGE_NOT_PNG)


def test_png_header_declaring_100000_by_100000_is_refused_without_decoding(sandbox: Path) -> None:
    image = png_header_only(100_000, 100_000)
    refuse(write(sandbox / "huge.glb", glb(*textured_cube(image))), Code.IMAGE_TOO_LARGE, peak_mb=2)


# --- file names of the upload itself ---------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("../../booth.glb", Code.PATH_TRAVERSAL),
        ("/tmp/booth.glb", Code.PATH_TRAVERSAL),
        ("booth\x00.glb", Code.BAD_FILE_NAME),
        ("b" * 300 + ".glb", Code.BAD_FILE_NAME),
        ("booth\u202eblg.exe.glb", Code.BAD_FILE_NAME),
        ("booth.exe", Code.BAD_FILE_NAME),
    ],
)
def test_upload_with_an_unsafe_file_name_is_refused(
    sandbox: Path, filename: str, code: Code
) -> None:
    refuse(write(sandbox / "upload.bin", cube_glb()), code, filename=filename)


def test_upload_names_in_any_script_are_fine(sandbox: Path) -> None:
    path = write(sandbox / "upload.bin", cube_glb())
    for name in ("展台模型.glb", "Unicode❤♻Test.glb", "Box With Spaces.zip"):
        assert check_model(path, filename=name).accepted


def test_nothing_is_extracted_even_for_accepted_zips(sandbox: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    path = write(sandbox / "ok.zip", gltf_zip(doc, {"cube.bin": binary}))
    assert check_model(path).accepted
    assert os.listdir(sandbox) == ["ok.zip"]
