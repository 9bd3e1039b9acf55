"""Exhibitor 3D models: check an upload, fit it into a booth slot, store it by hash.

The public API (see ``docs/models.md``)::

    from metaexpo.models import Limits, Slot, check_model, normalise_model, ingest_model

    result = check_model(Path("upload.glb"))            # CheckResult
    if result.accepted: ...
    for problem in result.problems:                      # code, message, where, limit
        ...
    fitted = normalise_model(Path("upload.glb"), Slot(width=4, depth=4, height=4))
    fitted.glb                                           # bytes of the fitted GLB, or None
    stored = ingest_model(Path("upload.glb"), root)      # + Khronos glTF-Validator, then stored

Everything is library code: no server, database or network, no global
state, no temporary files; safe in worker threads and processes. Only
``ingest_model`` (and :mod:`metaexpo.khronos`) start a process: Node.js, for the
Khronos glTF-Validator.
"""

from metaexpo.khronos import (
    GltfValidator,
    ValidationReport,
    ValidatorError,
    ValidatorFailed,
    ValidatorUnavailable,
)
from metaexpo.models.limits import DEFAULT_LIMITS, DEFAULT_SLOT, Limits, Slot
from metaexpo.models.pipeline import check_model, ingest_model, normalise_model
from metaexpo.models.problems import Code, Problem
from metaexpo.models.results import CheckResult, Fit, IngestResult, ModelStats, NormaliseResult
from metaexpo.models.store import StoreError, file_sha256, has_blob, object_path, store_blob

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_SLOT",
    "CheckResult",
    "Code",
    "Fit",
    "GltfValidator",
    "IngestResult",
    "Limits",
    "ModelStats",
    "NormaliseResult",
    "Problem",
    "Slot",
    "StoreError",
    "ValidationReport",
    "ValidatorError",
    "ValidatorFailed",
    "ValidatorUnavailable",
    "check_model",
    "file_sha256",
    "has_blob",
    "ingest_model",
    "normalise_model",
    "object_path",
    "store_blob",
]
