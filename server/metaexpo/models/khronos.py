"""Run the Khronos glTF-Validator (Node.js) on GLB files: the final gate before serving.

DESIGN.md: every GLB the service serves passes the validator with
zero errors. :func:`~metaexpo.models.normalise_model` is built to produce
such files, but the validator checks more than this package does, so the
upload path should run it on the fitted GLB and refuse on any error. It
needs ``node`` on ``PATH`` and ``web/tools/validate-gltf.mjs`` with its
``node_modules`` (``cd web && npm ci``); set ``METAEXPO_GLTF_VALIDATOR`` to
use a script elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from metaexpo.errors import MetaExpoError

#: The repository's validator script, found relative to this package in a source checkout.
DEFAULT_SCRIPT = Path(__file__).resolve().parents[3] / "web" / "tools" / "validate-gltf.mjs"


class ValidatorUnavailable(MetaExpoError):
    """Node.js or the validator script is missing; the message says what to install."""


@dataclass(frozen=True, slots=True)
class ValidatorReport:
    """The validator's verdict on one file: counts and the error/warning messages."""

    file: str
    errors: int
    warnings: int
    messages: list[dict[str, object]]

    @property
    def codes(self) -> list[str]:
        """The codes of the reported messages (errors and warnings)."""
        return [str(m.get("code")) for m in self.messages]


def find_validator() -> tuple[str, Path]:
    """``(node, script)``; raises :class:`ValidatorUnavailable` saying what is missing."""
    node = shutil.which("node")
    if node is None:
        raise ValidatorUnavailable(
            "the Khronos glTF-Validator needs Node.js: install node (v18 or later) on PATH"
        )
    script = Path(os.environ.get("METAEXPO_GLTF_VALIDATOR", DEFAULT_SCRIPT))
    if not script.is_file():
        raise ValidatorUnavailable(
            f"the validator script {script} is missing: check out web/tools/validate-gltf.mjs "
            "or set METAEXPO_GLTF_VALIDATOR"
        )
    if not (script.parent.parent / "node_modules" / "gltf-validator").is_dir():
        raise ValidatorUnavailable(
            f"the gltf-validator package is not installed: run `npm ci` in {script.parent.parent}"
        )
    return node, script


def validate_files(paths: list[Path], *, timeout: float = 120.0) -> list[ValidatorReport]:
    """Validate each file (one Node.js process for all); reports in the order given."""
    if not paths:
        return []
    node, script = find_validator()
    done = subprocess.run(
        [node, str(script), *(str(p) for p in paths)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    reports = []
    for line in done.stdout.splitlines():
        if line.strip():
            data = json.loads(line)
            reports.append(
                ValidatorReport(
                    file=str(data["file"]),
                    errors=int(data["errors"]),
                    warnings=int(data["warnings"]),
                    messages=list(data.get("messages", [])),
                )
            )
    if len(reports) != len(paths):
        raise ValidatorUnavailable(
            f"the validator did not report on every file: {done.stderr.strip()[:500]}"
        )
    return reports
