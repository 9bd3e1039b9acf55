"""What the pipeline returns: the verdict, every problem, and numbers about the model.

Plain frozen dataclasses (picklable, so a worker process can return them)
with ``to_json`` giving the shape the command line prints and the upload
API will serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.khronos import ValidationReport
from metaexpo.models.bounds import Box
from metaexpo.models.limits import Slot
from metaexpo.models.problems import Problem

JsonDict = dict[str, object]


@dataclass(frozen=True, slots=True)
class ModelStats:
    """Numbers about the model as the default scene draws it (zeros where not reached)."""

    bytes: int = 0
    format: str | None = None
    triangles: int = 0
    vertices: int = 0
    draw_calls: int = 0
    meshes: int = 0
    materials: int = 0
    textures: int = 0
    texture_bytes: int = 0
    nodes: int = 0
    skins: int = 0
    morph_targets: int = 0
    animations: int = 0
    bounds: Box | None = None

    def to_json(self) -> JsonDict:
        """All fields; ``bounds`` as ``{"min", "max"}`` or null."""
        return {
            "bytes": self.bytes,
            "format": self.format,
            "triangles": self.triangles,
            "vertices": self.vertices,
            "draw_calls": self.draw_calls,
            "meshes": self.meshes,
            "materials": self.materials,
            "textures": self.textures,
            "texture_bytes": self.texture_bytes,
            "nodes": self.nodes,
            "skins": self.skins,
            "morph_targets": self.morph_targets,
            "animations": self.animations,
            "bounds": None if self.bounds is None else self.bounds.to_json(),
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict: ``accepted`` exactly when ``problems`` is empty.

    ``warnings`` list what normalisation changes or leaves out in an
    accepted model (removed extensions, dropped animations, repairs).
    """

    accepted: bool
    problems: list[Problem]
    warnings: list[Problem]
    stats: ModelStats

    def to_json(self) -> JsonDict:
        """``{"accepted", "problems", "warnings", "stats"}``."""
        return {
            "accepted": self.accepted,
            "problems": [p.to_json() for p in self.problems],
            "warnings": [w.to_json() for w in self.warnings],
            "stats": self.stats.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Fit:
    """How a model was placed in its slot: uniform scale, then translation (metres)."""

    slot: Slot
    scale: float
    translation: tuple[float, float, float]
    before: Box
    after: Box

    def to_json(self) -> JsonDict:
        """Scale, translation, the bounds before and after, and the slot."""
        return {
            "scale": self.scale,
            "translation": list(self.translation),
            "bounds_before": self.before.to_json(),
            "bounds_after": self.after.to_json(),
            "slot": self.slot.model_dump(),
        }


@dataclass(frozen=True, slots=True)
class NormaliseResult:
    """The check's verdict and, when accepted, the fitted GLB and how it was fitted."""

    check: CheckResult
    glb: bytes | None
    fit: Fit | None

    def to_json(self) -> JsonDict:
        """The check result plus ``fit`` and ``output_bytes`` (null when refused)."""
        data = self.check.to_json()
        data["fit"] = None if self.fit is None else self.fit.to_json()
        data["output_bytes"] = None if self.glb is None else len(self.glb)
        return data


@dataclass(frozen=True, slots=True)
class IngestResult:
    """An upload checked, fitted, validated and stored: the digests of the original and the
    fitted GLB, and the Khronos glTF-Validator's report on the fitted GLB.

    Both digests are None when the model was refused, by our checks or by
    the validator (nothing is stored). ``khronos`` is None when our checks
    refused it first (the validator did not run).
    """

    result: NormaliseResult
    original: str | None
    normalised: str | None
    khronos: ValidationReport | None = None

    @property
    def accepted(self) -> bool:
        """Accepted by our checks and by the validator, and stored."""
        return self.normalised is not None

    def to_json(self) -> JsonDict:
        """The normalise result with the validator's errors added to ``problems`` and its
        warnings to ``warnings`` (each marked ``"source": "khronos"``), its counts as
        ``khronos`` (null when it did not run), and the ``original`` and ``normalised`` digests.
        """
        data = self.result.to_json()
        khronos = self.khronos
        if khronos is not None:
            data["accepted"] = self.accepted
            data["problems"] = [
                *self._list(data, "problems"),
                *(issue.as_problem() for issue in khronos.errors),
            ]
            data["warnings"] = [
                *self._list(data, "warnings"),
                *(issue.as_problem() for issue in khronos.warnings),
            ]
        data["khronos"] = None if khronos is None else khronos.summary()
        data["original"] = self.original
        data["normalised"] = self.normalised
        return data

    @staticmethod
    def _list(data: JsonDict, key: str) -> list[object]:
        value = data[key]
        assert isinstance(value, list)
        return value
