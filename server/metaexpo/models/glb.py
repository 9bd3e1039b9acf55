"""The GLB binary container: read its header and chunks without trusting them, and write one.

Layout (glTF 2.0, "GLB File Format Specification"), all little-endian:

    header   magic "glTF" (u32 0x46546C67) · version u32 = 2 · total length u32
    chunk*   length u32 · type u32 · data (length bytes, 4-byte aligned)
             JSON (0x4E4F534A) first, padded with spaces;
             then at most one BIN (0x004E4942), padded with zeros;
             chunks of other types are ignored.

:func:`read_header` needs only the first 20 bytes, so the JSON chunk size is
refused before the rest of the file is read. :func:`split_glb` then checks
that the chunks exactly tile the declared length.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from metaexpo.models.problems import Code, Findings

MAGIC = b"glTF"
HEADER_BYTES = 12
CHUNK_HEADER_BYTES = 8
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942

_FIX = "Export the model again as glTF 2.0 binary (.glb)."


@dataclass(frozen=True, slots=True)
class GlbHeader:
    """The declared total length and JSON chunk length of a GLB."""

    length: int
    json_length: int


@dataclass(frozen=True, slots=True)
class GlbParts:
    """The JSON text and the binary chunk (None when absent) of a GLB."""

    json: bytes
    bin: memoryview | None


def read_header(head: bytes, file_size: int, findings: Findings, where: str) -> GlbHeader:
    """Check the 12-byte header and the first chunk header in ``head`` (the first 20 bytes).

    Raises :class:`~metaexpo.models.problems.Stop` after recording
    ``truncated`` or ``bad_glb_header``/``bad_glb_chunk``: nothing after a
    lying header can be trusted.
    """
    if len(head) < HEADER_BYTES:
        raise findings.stop(
            Code.TRUNCATED,
            f"The file ends after {file_size} bytes, inside the 12-byte GLB header. {_FIX}",
            where,
        )
    magic, version, length = struct.unpack_from("<4sII", head)
    if magic != MAGIC:
        raise findings.stop(Code.BAD_GLB_HEADER, f"This is not a GLB file. {_FIX}", where)
    if version != 2:
        raise findings.stop(
            Code.BAD_GLB_HEADER,
            f"The GLB header says version {version}; only glTF 2.0 (version 2) is accepted. {_FIX}",
            where,
        )
    if length > file_size:
        raise findings.stop(
            Code.TRUNCATED,
            f"The GLB header declares {length:,} bytes but the file has only {file_size:,}: "
            f"it was cut off (an interrupted download or upload?). {_FIX}",
            where,
        )
    if length < file_size:
        raise findings.stop(
            Code.BAD_GLB_HEADER,
            f"The GLB header declares {length:,} bytes but the file has {file_size:,}. {_FIX}",
            where,
        )
    if len(head) < HEADER_BYTES + CHUNK_HEADER_BYTES:
        raise findings.stop(
            Code.TRUNCATED, f"The file ends before its first chunk begins. {_FIX}", where
        )
    json_length, json_type = struct.unpack_from("<II", head, HEADER_BYTES)
    if json_type != CHUNK_JSON:
        raise findings.stop(
            Code.BAD_GLB_CHUNK, f"The first GLB chunk must hold the JSON. {_FIX}", where
        )
    return GlbHeader(length, json_length)


def split_glb(data: bytes, findings: Findings, where: str) -> GlbParts:
    """Split a whole GLB (header already checked by :func:`read_header`) into JSON and BIN.

    Raises :class:`~metaexpo.models.problems.Stop` after recording
    ``bad_glb_chunk`` when a chunk is empty, unaligned, repeated, out of
    order or runs past the end.
    """
    offset = HEADER_BYTES
    json_chunk: bytes | None = None
    bin_chunk: memoryview | None = None
    index = 0
    view = memoryview(data)
    while offset < len(data):
        if len(data) - offset < CHUNK_HEADER_BYTES:
            raise findings.stop(
                Code.BAD_GLB_CHUNK,
                f"{len(data) - offset} stray bytes follow the last GLB chunk. {_FIX}",
                where,
            )
        length, kind = struct.unpack_from("<II", data, offset)
        start = offset + CHUNK_HEADER_BYTES
        end = start + length
        chunk_where = f"{where} (chunk {index})"
        if end > len(data):
            raise findings.stop(
                Code.BAD_GLB_CHUNK,
                f"GLB chunk {index} declares {length:,} bytes, past the end of the file. {_FIX}",
                chunk_where,
            )
        if length % 4:
            raise findings.stop(
                Code.BAD_GLB_CHUNK,
                f"GLB chunk {index} is {length} bytes long, not a multiple of 4. {_FIX}",
                chunk_where,
            )
        if kind == CHUNK_JSON:
            if index != 0:
                raise findings.stop(
                    Code.BAD_GLB_CHUNK, f"The GLB has a second JSON chunk. {_FIX}", chunk_where
                )
            if length == 0:
                raise findings.stop(
                    Code.BAD_GLB_CHUNK, f"The GLB JSON chunk is empty. {_FIX}", chunk_where
                )
            json_chunk = bytes(view[start:end])
        elif kind == CHUNK_BIN:
            if index != 1:
                raise findings.stop(
                    Code.BAD_GLB_CHUNK,
                    f"The GLB binary chunk must come right after the JSON chunk. {_FIX}",
                    chunk_where,
                )
            bin_chunk = view[start:end]
        else:
            findings.warn(
                Code.UNKNOWN_CHUNK_IGNORED,
                f"GLB chunk {index} has an unknown type (0x{kind:08x}) and was left out.",
                chunk_where,
            )
        offset = end
        index += 1
    if json_chunk is None:
        raise findings.stop(Code.BAD_GLB_CHUNK, f"The GLB has no JSON chunk. {_FIX}", where)
    return GlbParts(json_chunk, bin_chunk)


def write_glb(json_text: bytes, binary: bytes | bytearray | memoryview | None) -> bytes:
    """A GLB holding ``json_text`` (padded with spaces) and ``binary`` (padded with zeros).

    The binary chunk is copied once, into the result.
    """
    json_padded = json_text + b" " * (-len(json_text) % 4)
    parts: list[bytes | bytearray | memoryview] = [
        b"",
        struct.pack("<II", len(json_padded), CHUNK_JSON),
        json_padded,
    ]
    if binary is not None and len(binary):
        padding = b"\x00" * (-len(binary) % 4)
        parts += [struct.pack("<II", len(binary) + len(padding), CHUNK_BIN), binary, padding]
    body_length = sum(len(p) for p in parts)
    parts[0] = struct.pack("<4sII", MAGIC, 2, HEADER_BYTES + body_length)
    return b"".join(parts)
