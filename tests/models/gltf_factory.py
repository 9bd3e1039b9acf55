"""Build glTF test inputs in memory: valid small models to start from, and the means to break them.

Deliberately independent of ``metaexpo.models`` (its own GLB writer, its
own zip writer), so tests do not trust the code they test to make inputs.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
from PIL import Image

from tests.fixtures import shared_fixture

Doc = dict[str, Any]


def require_fixtures() -> Path:
    """The glTF sample models folder (tests/fixtures.py), or a failure saying where it goes."""
    return shared_fixture("gltf-samples/manifest.json").parent


def glb(doc: Doc, binary: bytes | None = None) -> bytes:
    """A GLB from a JSON document and an optional binary chunk."""
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary is not None:
        binary = binary + b"\x00" * (-len(binary) % 4)
        body += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def cube(
    *, positions: np.ndarray | None = None, indices: np.ndarray | None = None
) -> tuple[Doc, bytes]:
    """A unit cube (8 vertices, 12 triangles) centred on the origin, one material, no textures."""
    if positions is None:
        positions = np.array(
            [[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)],
            dtype="<f4",
        )
    if indices is None:
        indices = np.array(
            [
                0,
                1,
                3,
                0,
                3,
                2,
                4,
                6,
                7,
                4,
                7,
                5,
                0,
                4,
                5,
                0,
                5,
                1,
                2,
                3,
                7,
                2,
                7,
                6,
                0,
                2,
                6,
                0,
                6,
                4,
                1,
                5,
                7,
                1,
                7,
                3,
            ],
            dtype="<u2",
        )
    pos = np.ascontiguousarray(positions, dtype="<f4").tobytes()
    idx = np.ascontiguousarray(indices, dtype="<u2").tobytes()
    idx += b"\x00" * (-len(idx) % 4)
    finite = np.where(np.isfinite(positions), positions, 0)
    doc: Doc = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "cube"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [0.8, 0.2, 0.2, 1.0]}}],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": len(positions),
                "type": "VEC3",
                "min": finite.min(axis=0).tolist(),
                "max": finite.max(axis=0).tolist(),
            },
            {"bufferView": 1, "componentType": 5123, "count": len(indices), "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos), "byteLength": len(indices) * 2, "target": 34963},
        ],
        "buffers": [{"byteLength": len(pos) + len(idx)}],
    }
    return doc, pos + idx


def cube_glb(**kwargs: Any) -> bytes:
    """The cube as GLB bytes."""
    doc, binary = cube(**kwargs)
    return glb(doc, binary)


def embedded(doc: Doc, binary: bytes) -> Doc:
    """``doc`` with buffer 0 as a base64 data: URI (a self-contained .gltf)."""
    out = copy.deepcopy(doc)
    out["buffers"][0]["uri"] = data_uri(binary)
    return out


def data_uri(data: bytes, mime: str = "application/octet-stream") -> str:
    """A base64 data: URI."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def png(width: int = 4, height: int = 4, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A real PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 4, height: int = 4, *, progressive: bool = False) -> bytes:
    """A real JPEG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 200, 40)).save(
        out, format="JPEG", progressive=progressive
    )
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR declaring any size, then IEND: no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + iend


def textured_cube(image: bytes, mime: str | None = "image/png") -> tuple[Doc, bytes]:
    """The cube with TEXCOORD_0 and a base-colour texture whose image is in the binary chunk."""
    doc, binary = cube()
    uv = np.array([[p % 2, (p // 2) % 2] for p in range(8)], dtype="<f4").tobytes()
    uv_offset = len(binary)
    binary += uv
    image_offset = len(binary)
    binary += image + b"\x00" * (-len(image) % 4)
    doc["accessors"].append({"bufferView": 2, "componentType": 5126, "count": 8, "type": "VEC2"})
    doc["bufferViews"] += [
        {"buffer": 0, "byteOffset": uv_offset, "byteLength": len(uv), "target": 34962},
        {"buffer": 0, "byteOffset": image_offset, "byteLength": len(image)},
    ]
    doc["buffers"][0]["byteLength"] = len(binary)
    doc["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"] = 2
    doc["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = {"index": 0}
    doc["textures"] = [{"source": 0, "sampler": 0}]
    doc["samplers"] = [{"magFilter": 9729, "minFilter": 9987}]
    image_entry: Doc = {"bufferView": 3}
    if mime is not None:
        image_entry["mimeType"] = mime
    doc["images"] = [image_entry]
    return doc, binary


@dataclass
class Entry:
    """One zip member to write, with the fields attacks need to control."""

    name: str
    data: bytes = b""
    compress: int = zipfile.ZIP_DEFLATED
    mode: int | None = None  # unix mode in the high bits of external_attr (e.g. symlink)
    flags: int = 0


def zip_bytes(entries: list[Entry]) -> bytes:
    """A zip of ``entries``, names written as given ('..', '/', backslashes, even NUL)."""
    out = io.BytesIO()
    nul_names: list[str] = []
    with zipfile.ZipFile(out, "w") as archive:
        for entry in entries:
            name = entry.name
            if "\x00" in name:  # zipfile cuts names at NUL: write a stand-in, patch it below
                nul_names.append(name)
                name = name.replace("\x00", "\x01")
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = entry.compress
            if entry.mode is not None:
                info.external_attr = entry.mode << 16
                info.create_system = 3
            archive.writestr(info, entry.data)
    data = out.getvalue()
    for entry in entries:
        if entry.flags:  # zipfile resets flag bits when writing: set them in both headers
            data = _patch_flags(data, entry.name.encode(), entry.flags)
    for name in nul_names:
        data = data.replace(name.replace("\x00", "\x01").encode(), name.encode())
    return data


def gltf_zip(doc: Doc, files: dict[str, bytes], gltf_name: str = "model.gltf") -> bytes:
    """A zip holding ``doc`` as ``gltf_name`` and ``files`` (path → bytes)."""
    entries = [Entry(gltf_name, json.dumps(doc).encode())]
    entries += [Entry(name, data) for name, data in files.items()]
    return zip_bytes(entries)


def _patch_flags(data: bytes, name: bytes, flags: int) -> bytes:
    out = bytearray(data)
    for signature, flag_at, name_len_at, header in (
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ):
        at = out.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", out, at + name_len_at)
            if bytes(out[at + header : at + header + length]) == name:
                (old,) = struct.unpack_from("<H", out, at + flag_at)
                struct.pack_into("<H", out, at + flag_at, old | flags)
            at = out.find(signature, at + 4)
    return bytes(out)


def patch_central_sizes(
    data: bytes, *, file_size: int | None = None, compress_size: int | None = None
) -> bytes:
    """Rewrite the sizes every central-directory record declares (zip headers can lie)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        if compress_size is not None:
            struct.pack_into("<I", out, at + 20, compress_size)
        if file_size is not None:
            struct.pack_into("<I", out, at + 24, file_size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def fixture_input(entry: dict[str, Any], folder: Path) -> Path:
    """The upload for a manifest entry: the file itself, or a zip of a .gltf and its files."""
    source = require_fixtures() / entry["file"]
    if entry["format"] != "gltf":
        return source
    files = {
        unquote(item["uri"]): (source.parent / unquote(item["uri"])).read_bytes()
        for item in entry["external_files"]
    }
    target = folder / (source.stem + ".zip")
    return write(target, gltf_zip(json.loads(source.read_text()), files, source.name))
