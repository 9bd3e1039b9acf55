"""Run the Khronos glTF-Validator (Node.js, from ``web/node_modules``) on built files.

The validator is the reference for "is this a valid glTF", and it only ships
for JavaScript, so this calls ``web/tools/validate-gltf.mjs`` in a
subprocess. The server never needs it; the build command and the tests do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metaexpo.config import PROJECT_ROOT

#: The web client's folder, which holds the validator script and its node_modules.
WEB_DIR = PROJECT_ROOT / "web"
INSTALL_HINT = "install Node.js (20 or newer) and run `npm ci` in web/ to get the glTF validator"


class ValidatorUnavailable(RuntimeError):
    """Node.js or the validator package is missing; the message says how to install them."""


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The validator's verdict on one file; ``messages`` holds the errors and warnings."""

    file: str
    errors: int
    warnings: int
    infos: int
    messages: list[dict[str, object]] = field(default_factory=list)


def validate_files(paths: Sequence[Path], web_dir: Path = WEB_DIR) -> list[ValidationReport]:
    """Validate ``paths``, one report each; ValidatorUnavailable if it cannot run here."""
    node = shutil.which("node")
    script = web_dir / "tools" / "validate-gltf.mjs"
    if node is None:
        raise ValidatorUnavailable(f"node is not on PATH: {INSTALL_HINT}")
    if not script.is_file() or not (web_dir / "node_modules" / "gltf-validator").is_dir():
        raise ValidatorUnavailable(
            f"the glTF validator is not installed in {web_dir}: {INSTALL_HINT}"
        )
    if not paths:
        return []
    result = subprocess.run(
        [node, str(script), *(str(path) for path in paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    reports = []
    for line in result.stdout.splitlines():
        if line.strip():
            data = json.loads(line)
            reports.append(
                ValidationReport(
                    file=data["file"],
                    errors=int(data["errors"]),
                    warnings=int(data["warnings"]),
                    infos=int(data["infos"]),
                    messages=list(data["messages"]),
                )
            )
    if len(reports) != len(paths):
        raise ValidatorUnavailable(
            f"the glTF validator failed (exit {result.returncode}): {result.stderr.strip()[:500]}"
        )
    return reports
