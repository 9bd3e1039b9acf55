"""Classify the ``uri`` of a glTF buffer or image: embedded data, a file beside it, or refused.

Accepted: ``data:`` URIs with base64 payloads (size-capped before decoding)
and relative paths that stay inside the uploaded zip. Refused: every other
scheme (``http:``, ``https:``, ``file:``, ``ftp:``, ``javascript:`` …) and
``//host/…`` network paths, because the hall must never fetch or read
anything the exhibitor did not upload; and absolute paths, drive letters,
backslashes and ``..``, because they name files outside the upload.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from metaexpo.models.names import check_name
from metaexpo.models.problems import Code

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")


@dataclass(frozen=True, slots=True)
class DataUri:
    """A ``data:`` URI: its media type and its still-encoded base64 payload."""

    mime_type: str
    payload: str

    @property
    def decoded_size(self) -> int:
        """The decoded size, computed without decoding."""
        return len(self.payload) * 3 // 4


@dataclass(frozen=True, slots=True)
class RelativePath:
    """A relative reference, percent-decoded and joined to the .gltf's folder."""

    path: str


@dataclass(frozen=True, slots=True)
class RefusedUri:
    """Why a URI cannot be used: a problem code and a sentence for the exhibitor."""

    code: Code
    reason: str


Uri = DataUri | RelativePath | RefusedUri


def classify(uri: str, base_dir: str, *, max_part_bytes: int) -> Uri:
    """Classify ``uri`` found in a .gltf whose folder (inside the zip) is ``base_dir``."""
    if uri[:5].lower() == "data:":
        return _parse_data(uri)
    if _DRIVE.match(uri):
        return RefusedUri(Code.PATH_TRAVERSAL, "it is an absolute path on a disk drive")
    if _SCHEME.match(uri):
        scheme = uri.split(":", 1)[0].lower()
        return RefusedUri(
            Code.EXTERNAL_URI,
            f"it points outside the upload ({scheme}: links are not followed); "
            "put the file in the .glb or in the zip",
        )
    if uri.startswith(("//", "\\\\")):
        return RefusedUri(Code.EXTERNAL_URI, "it points to another computer")
    try:
        decoded = unquote(uri, errors="strict")
    except UnicodeDecodeError:
        return RefusedUri(Code.BAD_FILE_NAME, "its %-escapes are not valid UTF-8")
    problem = check_name(decoded, max_part_bytes=max_part_bytes, allow_folders=True)
    if problem is not None:
        return RefusedUri(problem.code, problem.reason)
    joined = posixpath.normpath(posixpath.join(base_dir, decoded)) if base_dir else decoded
    return RelativePath(posixpath.normpath(joined))


def _parse_data(uri: str) -> DataUri | RefusedUri:
    header, comma, payload = uri.partition(",")
    if not comma:
        return RefusedUri(Code.BAD_DATA_URI, "the data: URI has no ',' before its data")
    params = header[5:].split(";")
    if params[-1].lower() != "base64":
        return RefusedUri(Code.BAD_DATA_URI, "only base64 data: URIs are accepted")
    return DataUri(params[0].lower() or "application/octet-stream", payload)


def decode_data(uri: DataUri) -> bytes | None:
    """The payload's bytes, or None when it is not valid base64."""
    try:
        return base64.b64decode(uri.payload, validate=True)
    except (binascii.Error, ValueError):
        return None
