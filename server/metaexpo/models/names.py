"""Checks on file names and relative paths that come from an uploader.

Used for the uploaded file's own name, zip member names and the decoded
paths of relative URIs. A name is refused when it could escape a folder
(``..``, absolute paths, backslashes, drive letters), when it could hide
what it is (NUL, control characters, right-to-left overrides that make
``gpj.exe`` read as ``exe.jpg``) or when it is longer than file systems
allow. Non-ASCII names (``Unicode❤♻Test.glb``, ``展台.glb``) are fine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from metaexpo.models.problems import Code

#: Bidirectional controls: embeddings, overrides, isolates and marks.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Whole paths (not parts) longer than this are refused; Linux PATH_MAX is 4096.
_MAX_PATH_BYTES = 1024


@dataclass(frozen=True, slots=True)
class NameProblem:
    """Why a name was refused: a problem code and the reason, for the exhibitor."""

    code: Code
    reason: str


def check_name(name: str, *, max_part_bytes: int, allow_folders: bool) -> NameProblem | None:
    """Return why ``name`` is unsafe, or None when it is fine.

    ``allow_folders`` permits ``/``-separated relative paths (zip members,
    URIs); without it the name must be a single file name.
    """
    if not name:
        return NameProblem(Code.BAD_FILE_NAME, "the name is empty")
    if "\x00" in name:
        return NameProblem(Code.BAD_FILE_NAME, "the name contains a NUL character")
    if any(ch in _BIDI_CONTROLS for ch in name):
        return NameProblem(
            Code.BAD_FILE_NAME,
            "the name contains a right-to-left or other direction control character, "
            "which can disguise what the file is",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return NameProblem(Code.BAD_FILE_NAME, "the name contains a control character")
    if "\\" in name:
        return NameProblem(Code.PATH_TRAVERSAL, "the name contains a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        return NameProblem(Code.PATH_TRAVERSAL, "the name is an absolute path")
    parts = name.split("/")
    if ".." in parts:
        return NameProblem(Code.PATH_TRAVERSAL, "the name contains '..'")
    if not allow_folders and len(parts) > 1:
        return NameProblem(Code.PATH_TRAVERSAL, "the name contains a folder separator '/'")
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) > _MAX_PATH_BYTES:
        return NameProblem(Code.BAD_FILE_NAME, f"the path is longer than {_MAX_PATH_BYTES} bytes")
    for part in parts:
        if len(part.encode("utf-8", "surrogatepass")) > max_part_bytes:
            return NameProblem(
                Code.BAD_FILE_NAME, f"a file name is longer than {max_part_bytes} bytes"
            )
    return None


def same_name_key(name: str) -> str:
    """The key two names are matched by: NFC form, so macOS (NFD) zips match glTF URIs."""
    return unicodedata.normalize("NFC", name)


def printable(name: str, max_chars: int = 120) -> str:
    """``name`` safe to show: invisible and direction characters escaped, length capped."""
    shown = "".join(
        f"\\u{ord(ch):04x}"
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Cs")
        else ch
        for ch in name[: max_chars + 1]
    )
    return shown if len(name) <= max_chars else shown[:max_chars] + "…"
