"""Parse untrusted glTF JSON with its size and nesting bounded before the parser runs.

Python's ``json`` parser recurses per nesting level and builds a Python
object per value, so a hostile document can exhaust the stack (100,000
nested ``[``) or memory (megabytes of ``0,``). Before parsing, a linear scan
that never recurses collapses string contents (``re`` in C), then measures
what remains: the structural bytes (capped) and the nesting depth (a
chunked cumulative sum, so memory stays small). Strings are not capped here
because a ``.gltf`` may legitimately carry megabytes of base64 in ``data:``
URIs; the file size cap bounds them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from metaexpo.models.problems import Code, Findings

#: A JSON string once escapes are gone: quote, anything but a quote, closing quote (or the end
#: of the input, so an unterminated string cannot make the search fail and be retried from
#: every later quote, which would be quadratic).
_STRING = re.compile(rb'"[^"]*(?:"|\Z)')
_CHUNK = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"


def strip_strings(data: bytes) -> bytes:
    """``data`` with the contents of every string literal removed, in linear time.

    Escaped backslashes, then escaped quotes, are dropped first (left to
    right, as JSON reads them), so every remaining quote opens or closes a
    string and a one-class regular expression can find them all in C.
    """
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return _STRING.sub(b'""', unescaped)


def nesting_depth(structure: bytes) -> int:
    """Deepest nesting of ``[``/``{`` in ``structure`` (JSON with string contents removed)."""
    deepest = 0
    level = 0
    view = np.frombuffer(structure, dtype=np.uint8)
    for start in range(0, len(view), _CHUNK):
        chunk = view[start : start + _CHUNK]
        step = (chunk == ord("[")).astype(np.int32)
        step += chunk == ord("{")
        step -= chunk == ord("]")
        step -= chunk == ord("}")
        running = np.cumsum(step, dtype=np.int64) + level
        if len(running):
            deepest = max(deepest, int(running.max()))
            level = int(running[-1])
    return deepest


def parse_json(
    data: bytes, findings: Findings, *, max_structure: int, max_depth: int, where: str
) -> dict[str, Any] | None:
    """Parse ``data`` as a JSON object, or record why not and return None.

    Records ``json_too_large`` when the JSON outside strings exceeds
    ``max_structure`` bytes, ``json_too_deep`` beyond ``max_depth`` levels,
    and ``invalid_json`` for anything the parser rejects (syntax, bad UTF-8,
    a top level that is not an object, numbers too long to convert).
    """
    if data.startswith(_UTF8_BOM):
        # Some Windows tools write a BOM; the output is re-serialised anyway.
        data = data[len(_UTF8_BOM) :]
    structure = strip_strings(data)
    if len(structure) > max_structure:
        findings.error(
            Code.JSON_TOO_LARGE,
            f"The glTF JSON is {len(structure):,} bytes (not counting text inside strings); "
            f"at most {max_structure:,} are accepted. Simplify the scene or export a .glb.",
            where,
            f"{max_structure} bytes",
        )
        return None
    depth = nesting_depth(structure)
    if depth > max_depth:
        findings.error(
            Code.JSON_TOO_DEEP,
            f"The glTF JSON nests {depth:,} levels deep; real models need about 10 and at most "
            f"{max_depth} are accepted. The file is damaged or not a glTF model.",
            where,
            f"{max_depth} levels",
        )
        return None
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        findings.error(
            Code.INVALID_JSON,
            f"The glTF JSON is not valid UTF-8 text (byte {exc.start}). "
            "Export the model again from your 3D tool.",
            where,
        )
        return None
    except (ValueError, RecursionError) as exc:
        findings.error(
            Code.INVALID_JSON,
            f"The glTF JSON cannot be read ({_describe(exc)}). "
            "The file is damaged: export it again from your 3D tool.",
            where,
        )
        return None
    if not isinstance(document, dict):
        findings.error(
            Code.INVALID_JSON,
            "The glTF JSON must be an object ({…}) at the top level.",
            where,
        )
        return None
    return document


def _describe(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return str(exc)[:200] or type(exc).__name__
