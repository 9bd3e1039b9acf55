"""From JSON bytes to a validated :class:`~metaexpo.models.schema.Gltf`, or problems saying why not.

Order matters for cost: size and depth are checked before parsing
(:mod:`.jsonscan`), array lengths before schema validation, so the most a
hostile document costs is one parse of at most ``max_json_bytes`` of
structure and one validation of at most ``max_objects`` entries per array.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from metaexpo.models.jsonscan import parse_json
from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings, Stop
from metaexpo.models.schema import Gltf

_FIX = "The file is not valid glTF 2.0: export it again from your 3D tool."


def load_document(data: bytes, where: str, limits: Limits, findings: Findings) -> Gltf:
    """Parse and validate ``data``; raises :class:`~metaexpo.models.problems.Stop` if it fails."""
    raw = parse_json(
        data,
        findings,
        max_structure=limits.max_json_bytes,
        max_depth=limits.max_json_depth,
        where=where,
    )
    if raw is None:
        raise Stop("unreadable JSON")
    for key, value in raw.items():
        if isinstance(value, list) and len(value) > limits.max_objects:
            findings.error(
                Code.TOO_MANY_OBJECTS,
                f"The file lists {len(value):,} {key}; at most {limits.max_objects:,} are "
                "accepted. Simplify the scene.",
                f"/{key}",
                f"{limits.max_objects} {key}",
            )
    if findings.failed:
        raise Stop("too many objects")
    try:
        g = Gltf.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            pointer = "/" + "/".join(
                str(part).replace("~", "~0").replace("/", "~1") for part in error["loc"]
            )
            findings.error(
                Code.INVALID_PROPERTY,
                f"{_explain(error['type'], error['msg'], error.get('input'))} {_FIX}",
                pointer,
            )
        raise Stop("schema") from None
    version = g.asset.version
    if version.split(".")[0] != "2" or (g.asset.min_version or "2.0") != "2.0":
        findings.error(
            Code.UNSUPPORTED_VERSION,
            f"The file is glTF version {version[:20]}; only glTF 2.0 is accepted. "
            "Export it as glTF 2.0.",
            "/asset/version",
        )
        raise Stop("version")
    return g


def _explain(kind: str, message: str, value: Any) -> str:
    if kind == "missing":
        return "A required property is missing."
    text = message[:1].upper() + message[1:].rstrip(".")
    if isinstance(value, bool | int | float):
        return f"{text} (found {value!r})."
    if isinstance(value, str):
        return f"{text} (found '{value[:40]}')."
    return f"{text}."
