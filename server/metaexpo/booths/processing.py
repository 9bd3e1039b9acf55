"""The heavy part of a model upload, run in a worker process: check, fit, validate, store,
picture.

:func:`process_model` is a plain function of picklable arguments returning a
picklable :class:`ModelOutcome`, so the server can run it in a process pool
(away from the sync tick's GIL) or, with ``--model-workers 0``, in a thread.
The fitted GLB goes through the Khronos glTF-Validator before anything is
stored: any validator error refuses the upload with the validator's own
messages, its warnings stay in the report. It writes only content-addressed
files (atomically); the database rows that name them are written afterwards
by the caller.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metaexpo.booths.preview import render_preview
from metaexpo.models import GltfValidator, Limits, Slot, ingest_model, store_blob

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A file stored by hash, with its size."""

    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ModelOutcome:
    """The verdict on one upload and, if accepted, the files stored for it.

    ``report`` is the library's JSON report (``accepted``, ``problems``,
    ``warnings``, ``stats``, ``fit``, ``khronos``…); problems and warnings
    found by the Khronos glTF-Validator carry ``"source": "khronos"``.
    """

    accepted: bool
    report: dict[str, Any]
    original: StoredBlob | None = None
    model: StoredBlob | None = None
    preview: StoredBlob | None = None
    notes: list[str] = field(default_factory=list)


def process_model(
    path: Path,
    store_root: Path,
    slot: Slot,
    limits: Limits,
    filename: str,
    validator: GltfValidator,
) -> ModelOutcome:
    """Check the upload at ``path``, fit it and validate the fitted GLB; if all accept it,
    store the original, the fitted GLB and a preview.

    Raises :class:`~metaexpo.models.ValidatorError` (nothing stored) when the
    validator cannot give a verdict: that is the server's problem, not the model's.
    """
    ingested = ingest_model(path, store_root, slot, limits, filename=filename, validator=validator)
    report = ingested.to_json()
    result = ingested.result
    if ingested.original is None or ingested.normalised is None or result.glb is None:
        return ModelOutcome(False, report)
    original = StoredBlob(ingested.original, path.stat().st_size)
    model = StoredBlob(ingested.normalised, len(result.glb))
    notes = []
    preview = None
    try:
        png = render_preview(result.glb)
        preview = StoredBlob(store_blob(store_root, png), len(png))
    except (ValueError, IndexError, KeyError, TypeError, MemoryError) as exc:
        # A missing thumbnail must not refuse a valid model; staff still get the 3D view.
        log.warning("no preview picture for %s: %s", filename, exc)
        notes.append(f"no preview picture: {exc}")
    return ModelOutcome(True, report, original, model, preview, notes)


def _watch_parent(parent_pid: int, period_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(period_s)
    # The server is gone (killed, crashed): nobody will read our results.
    os._exit(0)


def worker_started(parent_pid: int, period_s: float = 1.0) -> None:
    """Process-pool initializer: end this worker when the server process dies.

    A pool's workers do not notice a SIGKILLed parent by themselves; without
    this they would live on as orphans after a crash.
    """
    threading.Thread(
        target=_watch_parent, args=(parent_pid, period_s), name="parent-watch", daemon=True
    ).start()
