"""Open an upload: a .glb, a .zip holding one .gltf and its files, or a self-contained .gltf.

The format is decided by the first bytes, not the file name. Caps are
checked before the bytes they guard are read: the file size from ``stat``,
the GLB's JSON chunk size from its 20-byte header, the zip's entry count
from its end record. A GLB or .gltf is then read whole (at most
``max_file_bytes``); a zip is never read whole (see :mod:`.zipped`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from metaexpo.models import glb
from metaexpo.models.limits import Limits
from metaexpo.models.names import check_name, printable
from metaexpo.models.problems import Code, Findings
from metaexpo.models.zipped import CorruptMember, ZipUpload, open_zip

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_JSON_START = b"\xef\xbb\xbf \t\r\n"


class SourceKind(StrEnum):
    """What was uploaded."""

    GLB = "glb"
    GLTF = "gltf"
    ZIP = "zip"


@dataclass(slots=True)
class Source:
    """An opened upload: the glTF JSON bytes and where its binary data can come from.

    ``bin_chunk`` is the GLB binary chunk; ``zip`` reads files beside the
    .gltf. A bare .gltf has neither, so only ``data:`` URIs resolve.
    """

    kind: SourceKind
    size: int
    json_bytes: bytes
    json_where: str
    bin_chunk: memoryview | None = None
    zip: ZipUpload | None = None

    @property
    def base_dir(self) -> str:
        """The folder, inside the zip, that relative URIs resolve against."""
        return self.zip.gltf_dir if self.zip is not None else ""


def check_file_name(name: str, limits: Limits, findings: Findings) -> None:
    """Record a problem if the uploaded file's own name is unsafe or has the wrong extension."""
    problem = check_name(name, max_part_bytes=limits.max_name_bytes, allow_folders=False)
    if problem is not None:
        findings.error(
            problem.code,
            f"The file name is not accepted: {problem.reason}. Rename the file, e.g. booth.glb.",
            f"name:{printable(name)}",
        )
        return
    if not name.lower().endswith((".glb", ".gltf", ".zip")):
        findings.error(
            Code.BAD_FILE_NAME,
            "The file name must end in .glb, .gltf or .zip.",
            f"name:{printable(name)}",
        )


@contextlib.contextmanager
def open_source(path: Path, limits: Limits, findings: Findings) -> Iterator[Source]:
    """Open ``path`` as an upload; the zip (if any) stays open until the block ends.

    Raises :class:`~metaexpo.models.problems.Stop` after recording why the
    file cannot be read at all.
    """
    size = path.stat().st_size
    if size == 0:
        raise findings.stop(Code.EMPTY_FILE, "The file is empty.", "file")
    if size > limits.max_file_bytes:
        raise findings.stop(
            Code.FILE_TOO_LARGE,
            f"The file is {size:,} bytes; at most {limits.max_file_bytes:,} are accepted. "
            "Reduce texture sizes or the number of triangles.",
            "file",
            f"{limits.max_file_bytes} bytes",
        )
    with path.open("rb") as handle:
        head = handle.read(glb.HEADER_BYTES + glb.CHUNK_HEADER_BYTES)
        if head.startswith(glb.MAGIC) or (len(head) < 4 and glb.MAGIC.startswith(head)):
            header = glb.read_header(head, size, findings, "file")
            if header.json_length > limits.max_json_bytes:
                raise findings.stop(
                    Code.JSON_TOO_LARGE,
                    f"The GLB's JSON chunk is {header.json_length:,} bytes; at most "
                    f"{limits.max_json_bytes:,} are accepted. Simplify the scene.",
                    "file (chunk 0)",
                    f"{limits.max_json_bytes} bytes",
                )
            data = head + _read_rest(handle, size - len(head))
            parts = glb.split_glb(data, findings, "file")
            yield Source(SourceKind.GLB, size, parts.json, "file (JSON chunk)", parts.bin)
        elif head.startswith(_ZIP_MAGICS):
            upload = open_zip(handle, size, limits, findings, "file")
            where = f"zip:{printable(upload.gltf_name)}"
            try:
                try:
                    text = upload.read(upload.gltf_name)
                except CorruptMember as exc:
                    raise findings.stop(Code.BAD_ZIP, str(exc), where) from None
                assert text is not None  # open_zip found it among the members
                yield Source(SourceKind.ZIP, size, text, where, zip=upload)
            finally:
                upload.archive.close()
        elif head.lstrip(_JSON_START).startswith(b"{"):
            data = head + _read_rest(handle, size - len(head))
            yield Source(SourceKind.GLTF, size, data, "file")
        else:
            raise findings.stop(
                Code.UNKNOWN_FORMAT,
                "This is not a glTF model. Upload a .glb, a .gltf with embedded data, "
                "or a .zip holding a .gltf and its files.",
                "file",
            )


def _read_rest(handle: BinaryIO, expected: int) -> bytes:
    # The size was checked against the cap; read no more than it, even if the file grows.
    return handle.read(expected)
