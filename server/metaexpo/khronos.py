"""The Khronos glTF-Validator: the one gate every GLB the service serves must pass.

DESIGN.md: built scenes, avatars and accepted uploads all pass the
validator with zero errors. The validator only ships for JavaScript (the
npm package ``gltf-validator``), so :class:`GltfValidator` runs
``web/tools/validate-gltf.mjs`` in a ``node`` subprocess and turns its
report into a :class:`ValidationReport`. The scene builder, the avatar
builder and the upload pipeline (:func:`~metaexpo.models.ingest_model`) all
use this one wrapper. A call blocks for as long as the validator runs
(about 0.7 CPU seconds for a 20 MB GLB, ``bench/model_pipeline.py``): call
it from a worker thread or process, never on the event loop.

Errors, when no verdict can be had::

    MetaExpoError
     └── ValidatorError             the validator gave no verdict
          ├── ValidatorUnavailable  node, the script or the npm package is missing
          └── ValidatorFailed       it ran but gave no report (crash, timeout, bad output)
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from metaexpo.config import PROJECT_ROOT
from metaexpo.errors import MetaExpoError

#: The web client's folder in a source checkout: the validator script and its node_modules.
WEB_DIR = PROJECT_ROOT / "web"
SCRIPT = Path("tools") / "validate-gltf.mjs"
PACKAGE = Path("node_modules") / "gltf-validator"
#: The ``source`` of upload problems and warnings that come from the validator.
SOURCE = "khronos"
_SETUP = "run scripts/bootstrap (it installs Node.js and web/node_modules)"


class ValidatorError(MetaExpoError):
    """The validator gave no verdict; the message says why and what to do."""


class ValidatorUnavailable(ValidatorError):
    """Node.js, the validator script or the ``gltf-validator`` npm package is missing."""


class ValidatorFailed(ValidatorError):
    """The validator ran but produced no report: it crashed, timed out or printed garbage."""


class Severity(IntEnum):
    """The validator's severities (its own numbers); hints are never reported."""

    ERROR = 0
    WARNING = 1
    INFO = 2


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: the validator's stable ``code``, a JSON ``pointer``, and a sentence."""

    code: str
    severity: Severity
    pointer: str
    message: str

    def to_json(self) -> dict[str, str]:
        """``{"code", "severity": "error"|"warning"|"info", "pointer", "message"}``."""
        return {
            "code": self.code,
            "severity": self.severity.name.lower(),
            "pointer": self.pointer,
            "message": self.message,
        }

    def as_problem(self) -> dict[str, str | None]:
        """The shape of an upload problem (``code, message, where, limit``), marked
        ``source: "khronos"`` so that clients can say who found it."""
        return {
            "code": self.code,
            "message": self.message,
            "where": self.pointer or "/",
            "limit": None,
            "source": SOURCE,
        }

    def __str__(self) -> str:
        return f"{self.severity.name.lower()} {self.code} at {self.pointer or '/'}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The validator's verdict on one file; ``valid`` exactly when it found no error.

    ``error_count``, ``warning_count`` and ``info_count`` are the validator's
    totals; ``errors``, ``warnings`` and ``infos`` list the issues it
    reported, at most ``max_issues`` in all (``truncated`` when it stopped
    there).
    """

    name: str
    error_count: int
    warning_count: int
    info_count: int
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    infos: tuple[Issue, ...] = ()
    truncated: bool = False
    version: str = ""

    @property
    def valid(self) -> bool:
        """No errors (warnings and infos are allowed)."""
        return self.error_count == 0

    @property
    def issues(self) -> tuple[Issue, ...]:
        """Every reported issue, errors first."""
        return self.errors + self.warnings + self.infos

    def summary(self) -> dict[str, object]:
        """The counts and the validator's version (what an upload's report keeps)."""
        return {
            "errors": self.error_count,
            "warnings": self.warning_count,
            "infos": self.info_count,
            "truncated": self.truncated,
            "validator": self.version,
        }

    def to_json(self) -> dict[str, object]:
        """The summary plus ``name`` and every reported issue."""
        return {
            "name": self.name,
            **self.summary(),
            "issues": [issue.to_json() for issue in self.issues],
        }

    def __str__(self) -> str:
        head = (
            f"{self.name}: {self.error_count} error(s), {self.warning_count} warning(s), "
            f"{self.info_count} info(s)"
        )
        return "\n  ".join([head, *(str(issue) for issue in self.errors + self.warnings)])


@dataclass(frozen=True, slots=True)
class GltfValidator:
    """Where the validator is installed and how a run is bounded.

    Plain data, so a worker process can be handed one. ``web_dir`` is the
    folder holding ``tools/validate-gltf.mjs`` and ``node_modules``
    (``--web-dir``); ``node`` is found on ``PATH``.
    """

    web_dir: Path = WEB_DIR
    timeout_s: float = 120.0
    max_issues: int = 100

    def locate(self) -> tuple[str, Path]:
        """``(node, script)``; :class:`ValidatorUnavailable` saying what is missing and what
        to run."""
        node = shutil.which("node")
        if node is None:
            raise ValidatorUnavailable(
                "the Khronos glTF-Validator needs Node.js, and `node` is not on PATH: "
                f"install Node.js 18.19 or newer, or {_SETUP}"
            )
        script = self.web_dir / SCRIPT
        if not script.is_file():
            raise ValidatorUnavailable(
                f"the validator script {script} is missing: the web folder ({self.web_dir}) "
                "must be the repository's web/ (check --web-dir)"
            )
        if not (self.web_dir / PACKAGE).is_dir():
            raise ValidatorUnavailable(
                "the npm package gltf-validator is not installed in "
                f"{self.web_dir / 'node_modules'}: {_SETUP}"
            )
        return node, script

    def validate_glb(self, data: bytes, name: str = "model.glb") -> ValidationReport:
        """Validate a GLB held in memory (sent on stdin: no temporary file).

        Raises :class:`ValidatorUnavailable` or :class:`ValidatorFailed`;
        anything wrong with ``data`` itself is in the report.
        """
        (report,) = self._run(["-"], data, [name])
        return report

    def validate_files(self, paths: Sequence[Path]) -> list[ValidationReport]:
        """Validate ``.glb``/``.gltf`` files in one node process; one report each, in order.

        Raises :class:`ValidatorUnavailable` or :class:`ValidatorFailed`.
        """
        if not paths:
            return []
        return self._run([str(p) for p in paths], None, [str(p) for p in paths])

    def _run(
        self, args: list[str], stdin: bytes | None, names: list[str]
    ) -> list[ValidationReport]:
        node, script = self.locate()
        command = [node, str(script), "--max-issues", str(self.max_issues), *args]
        try:
            done = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ValidatorFailed(
                f"the glTF-Validator did not finish within {self.timeout_s:g} s"
            ) from None
        except OSError as exc:
            raise ValidatorUnavailable(f"could not start {node}: {exc}; {_SETUP}") from exc
        reports = []
        try:
            for line, name in zip(done.stdout.decode().splitlines(), names, strict=False):
                reports.append(_report(name, json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidatorFailed(
                f"the glTF-Validator printed an unreadable report: {exc}"
            ) from exc
        if len(reports) != len(names):
            stderr = done.stderr.decode(errors="replace").strip()[-800:]
            raise ValidatorFailed(
                f"the glTF-Validator (exit status {done.returncode}) reported on "
                f"{len(reports)} of {len(names)} file(s): {stderr or 'no message'}"
            )
        return reports


def _report(name: str, data: dict[str, Any]) -> ValidationReport:
    by_severity: dict[Severity, list[Issue]] = {severity: [] for severity in Severity}
    for message in data["messages"]:
        severity = Severity(int(message["severity"]))
        by_severity[severity].append(
            Issue(
                code=str(message["code"]),
                severity=severity,
                pointer=str(message.get("pointer") or ""),
                message=str(message["message"]),
            )
        )
    return ValidationReport(
        name=name,
        error_count=int(data["errors"]),
        warning_count=int(data["warnings"]),
        info_count=int(data["infos"]),
        errors=tuple(by_severity[Severity.ERROR]),
        warnings=tuple(by_severity[Severity.WARNING]),
        infos=tuple(by_severity[Severity.INFO]),
        truncated=bool(data.get("truncated", False)),
        version=str(data.get("validator") or ""),
    )
