"""Reading uploads: GLB chunks, .gltf text, zips (layout, names, members), JSON scanning."""

from __future__ import annotations

import json
import struct
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaexpo.models import Code, check_model
from metaexpo.models.glb import write_glb
from metaexpo.models.jsonscan import nesting_depth, strip_strings
from tests.models.gltf_factory import (
    Entry,
    cube,
    cube_glb,
    embedded,
    glb,
    gltf_zip,
    png,
    textured_cube,
    write,
    zip_bytes,
)


def _codes(path: Path) -> set[Code]:
    return {p.code for p in check_model(path).problems}


# --- GLB ---------------------------------------------------------------------------------------


def test_cube_glb_is_accepted_with_its_stats(tmp_path: Path) -> None:
    result = check_model(write(tmp_path / "cube.glb", cube_glb()))
    assert result.accepted and result.problems == [] and result.warnings == []
    stats = result.stats
    assert (stats.triangles, stats.vertices, stats.materials, stats.textures) == (12, 8, 1, 0)
    assert stats.format == "glb" and stats.nodes == 1 and stats.draw_calls == 1
    assert stats.bounds is not None and stats.bounds.size == (1.0, 1.0, 1.0)


def test_glb_without_binary_chunk_but_needing_one_is_refused(tmp_path: Path) -> None:
    doc, _ = cube()
    assert Code.BUFFER_TOO_SHORT in _codes(write(tmp_path / "c.glb", glb(doc)))


def test_unknown_glb_chunk_is_ignored_with_a_warning(tmp_path: Path) -> None:
    data = cube_glb()
    extra = struct.pack("<II", 4, 0x12345678) + b"abcd"
    data = data[:8] + struct.pack("<I", len(data) + len(extra)) + data[12:] + extra
    result = check_model(write(tmp_path / "c.glb", data))
    assert result.accepted
    assert [w.code for w in result.warnings] == [Code.UNKNOWN_CHUNK_IGNORED]


def test_second_json_chunk_is_refused(tmp_path: Path) -> None:
    data = cube_glb()
    extra = struct.pack("<II", 4, 0x4E4F534A) + b"{}  "
    data = data[:8] + struct.pack("<I", len(data) + len(extra)) + data[12:] + extra
    assert _codes(write(tmp_path / "c.glb", data)) == {Code.BAD_GLB_CHUNK}


def test_glb_writer_round_trips_through_the_reader(tmp_path: Path) -> None:
    doc, binary = cube()
    data = write_glb(json.dumps(doc).encode(), binary)
    assert len(data) % 4 == 0
    assert check_model(write(tmp_path / "c.glb", data)).accepted


# --- .gltf text -------------------------------------------------------------------------------


def test_embedded_gltf_is_accepted(tmp_path: Path) -> None:
    doc, binary = cube()
    result = check_model(write(tmp_path / "c.gltf", json.dumps(embedded(doc, binary))))
    assert result.accepted and result.stats.format == "gltf"


def test_gltf_with_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    doc, binary = cube()
    text = b"\xef\xbb\xbf" + json.dumps(embedded(doc, binary)).encode()
    assert check_model(write(tmp_path / "c.gltf", text)).accepted


def test_format_is_decided_by_content_not_extension(tmp_path: Path) -> None:
    doc, binary = cube()
    path = write(tmp_path / "upload.bin", json.dumps(embedded(doc, binary)))
    result = check_model(path, filename="booth.glb")
    assert result.accepted and result.stats.format == "gltf"


def test_gltf_version_1_is_refused(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["asset"]["version"] = "1.0"
    assert _codes(write(tmp_path / "c.glb", glb(doc, binary))) == {Code.UNSUPPORTED_VERSION}


def test_schema_problems_point_at_the_property(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["accessors"][1]["componentType"] = 1234
    doc["nodes"][0]["scale"] = [1, "big", 1]
    result = check_model(write(tmp_path / "c.glb", glb(doc, binary)))
    where = {p.where: p for p in result.problems}
    assert set(where) == {"/accessors/1/componentType", "/nodes/0/scale/1"}
    assert all(p.code is Code.INVALID_PROPERTY for p in result.problems)


def test_integers_written_as_floats_are_accepted(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["accessors"][1]["count"] = 36.0
    doc["nodes"][0]["mesh"] = 0.0
    assert check_model(write(tmp_path / "c.glb", glb(doc, binary))).accepted


def test_problem_list_is_capped(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["nodes"] = [{"mesh": 99} for _ in range(300)]
    doc["scenes"] = [{"nodes": list(range(300))}]
    result = check_model(write(tmp_path / "c.glb", glb(doc, binary)))
    assert len(result.problems) == 101
    assert result.problems[-1].code is Code.TOO_MANY_PROBLEMS


# --- zips ---------------------------------------------------------------------------------------


def test_zip_with_gltf_in_a_subfolder_resolves_relative_uris(tmp_path: Path) -> None:
    doc, binary = textured_cube(png())
    doc["buffers"][0]["uri"] = "data/cube%20mesh.bin"
    doc["images"] = [{"uri": "../textures/logo.png"}]
    files = {"model/data/cube mesh.bin": binary, "textures/logo.png": png()}
    path = write(tmp_path / "m.zip", gltf_zip(doc, files, "model/scene.gltf"))
    # '..' is refused even when it would stay inside the zip: URIs must point downwards.
    assert Code.PATH_TRAVERSAL in _codes(path)
    doc["images"] = [{"uri": "tex/logo.png"}]
    files = {"model/data/cube mesh.bin": binary, "model/tex/logo.png": png()}
    assert check_model(
        write(tmp_path / "ok.zip", gltf_zip(doc, files, "model/scene.gltf"))
    ).accepted


def test_zip_member_names_match_uris_in_either_unicode_form(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = unicodedata.normalize("NFC", "café.bin")
    files = {unicodedata.normalize("NFD", "café.bin"): binary}  # as macOS writes it
    assert check_model(write(tmp_path / "m.zip", gltf_zip(doc, files))).accepted


def test_zip_missing_a_referenced_file_is_refused(tmp_path: Path) -> None:
    doc, _ = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    result = check_model(write(tmp_path / "m.zip", gltf_zip(doc, {})))
    assert [(p.code, p.where) for p in result.problems] == [(Code.MISSING_FILE, "/buffers/0/uri")]


def test_zip_with_no_gltf_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "m.zip", zip_bytes([Entry("model.glb", cube_glb())]))
    assert _codes(path) == {Code.ZIP_NO_GLTF}


def test_zip_with_two_gltf_files_is_refused(tmp_path: Path) -> None:
    doc, binary = cube()
    text = json.dumps(embedded(doc, binary)).encode()
    path = write(tmp_path / "m.zip", zip_bytes([Entry("a.gltf", text), Entry("b/b.gltf", text)]))
    assert _codes(path) == {Code.ZIP_MULTIPLE_GLTF}


def test_macos_resource_forks_in_a_zip_are_ignored(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [
        Entry("model.gltf", json.dumps(doc).encode()),
        Entry("cube.bin", binary),
        Entry("__MACOSX/._model.gltf", b"\x00\x05\x16\x07"),
        Entry("__MACOSX/", b""),
    ]
    assert check_model(write(tmp_path / "m.zip", zip_bytes(entries))).accepted


def test_zip_with_duplicate_names_is_refused(tmp_path: Path) -> None:
    doc, binary = cube()
    doc["buffers"][0]["uri"] = "cube.bin"
    entries = [
        Entry("model.gltf", json.dumps(doc).encode()),
        Entry("cube.bin", binary),
        Entry("cube.bin", b"something else"),
    ]
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = zip_bytes(entries)
    assert Code.ZIP_DUPLICATE_NAME in _codes(write(tmp_path / "m.zip", data))


def test_damaged_zip_is_refused(tmp_path: Path) -> None:
    doc, binary = cube()
    data = gltf_zip(doc, {"cube.bin": binary})
    assert _codes(write(tmp_path / "m.zip", data[: len(data) // 2])) == {Code.BAD_ZIP}


# --- JSON scanning -------------------------------------------------------------------------------

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}\n\u00e9', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=20,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(_VALUES, st.booleans())
@settings(max_examples=300, deadline=None)
def test_scanner_measures_nesting_like_the_parser(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nesting_depth(strip_strings(text)) == _depth(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'"[[["', b'""'),
        (b'["\\"[", "\\\\", "]"]', b'["", "", ""]'),
        (b'{"a\\\\\\"b": [1]}', b'{"": [1]}'),
        (b'"unterminated [[[', b'""'),
    ],
)
def test_strip_strings_removes_string_contents_only(text: bytes, expected: bytes) -> None:
    assert strip_strings(text) == expected
