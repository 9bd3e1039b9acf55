"""The booth revision and model upload lifecycles: explicit states, guarded transitions.

A booth revision::

    DRAFT ──submit──► SUBMITTED ──approve──► APPROVED ──publish──► LIVE ──► RETIRED
      ▲                  │  │                                  (a newer revision went live)
      └────withdraw──────┘  └──refuse──► REFUSED

An exhibitor edits only a DRAFT; staff decide only on a SUBMITTED one.
APPROVED is the short step between staff's decision and the hall showing
it: both are committed separately, and a server that stopped in between
publishes every APPROVED revision when it starts again.

A model upload follows its revision::

    RECEIVED ──check──► VALIDATED ──fit + store──► NORMALISED ──► APPROVED ──► LIVE ──► RETIRED
        └───────────────┴──► REFUSED (problems)        │  └──► DECLINED (staff refused)
                                                       └──► SUPERSEDED (replaced in the draft)

RECEIVED and VALIDATED exist only while a request is being handled; rows
are written with the first durable state (REFUSED or NORMALISED), after the
files they name are on disk.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from metaexpo.errors import Conflict


class RevisionState(StrEnum):
    """Where a booth revision is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    LIVE = "live"
    RETIRED = "retired"


class UploadState(StrEnum):
    """Where a model upload is in its life."""

    RECEIVED = "received"
    VALIDATED = "validated"
    NORMALISED = "normalised"
    REFUSED = "refused"
    SUPERSEDED = "superseded"
    APPROVED = "approved"
    DECLINED = "declined"
    LIVE = "live"
    RETIRED = "retired"


REVISION_TRANSITIONS: dict[RevisionState, frozenset[RevisionState]] = {
    RevisionState.DRAFT: frozenset({RevisionState.SUBMITTED}),
    RevisionState.SUBMITTED: frozenset(
        {RevisionState.DRAFT, RevisionState.APPROVED, RevisionState.REFUSED}
    ),
    RevisionState.APPROVED: frozenset({RevisionState.LIVE}),
    RevisionState.LIVE: frozenset({RevisionState.RETIRED}),
    RevisionState.REFUSED: frozenset(),
    RevisionState.RETIRED: frozenset(),
}

UPLOAD_TRANSITIONS: dict[UploadState, frozenset[UploadState]] = {
    UploadState.RECEIVED: frozenset({UploadState.VALIDATED, UploadState.REFUSED}),
    UploadState.VALIDATED: frozenset({UploadState.NORMALISED, UploadState.REFUSED}),
    UploadState.NORMALISED: frozenset(
        {UploadState.SUPERSEDED, UploadState.APPROVED, UploadState.DECLINED}
    ),
    UploadState.APPROVED: frozenset({UploadState.LIVE}),
    UploadState.LIVE: frozenset({UploadState.RETIRED}),
    UploadState.REFUSED: frozenset(),
    UploadState.SUPERSEDED: frozenset(),
    UploadState.DECLINED: frozenset(),
    UploadState.RETIRED: frozenset(),
}

#: What happens to a revision's upload when the revision moves.
UPLOAD_FOLLOWS: dict[RevisionState, UploadState] = {
    RevisionState.APPROVED: UploadState.APPROVED,
    RevisionState.LIVE: UploadState.LIVE,
    RevisionState.REFUSED: UploadState.DECLINED,
    RevisionState.RETIRED: UploadState.RETIRED,
}

#: Revisions that are still being worked on (at most one per booth).
OPEN_STATES = frozenset({RevisionState.DRAFT, RevisionState.SUBMITTED})

_S = TypeVar("_S", RevisionState, UploadState)

_WHY: dict[tuple[str, str], str] = {
    ("submitted", "submitted"): "it is already waiting for staff",
    ("draft", "approved"): "it has not been submitted yet",
    ("draft", "refused"): "it has not been submitted yet",
    ("draft", "draft"): "it is not submitted",
    ("approved", "approved"): "it is already approved",
    ("live", "approved"): "it is already live",
    ("refused", "approved"): "it was refused; the exhibitor can submit a new version",
    ("refused", "refused"): "it is already refused",
    ("live", "refused"): "it is already live",
    ("approved", "refused"): "it is already approved",
}


def advance(what: str, current: _S, target: _S) -> _S:
    """``target`` if the move from ``current`` is allowed; :class:`Conflict` saying why not."""
    table: dict[_S, frozenset[_S]] = (
        REVISION_TRANSITIONS if isinstance(current, RevisionState) else UPLOAD_TRANSITIONS
    )
    if target in table[current]:
        return target
    why = _WHY.get((str(current), str(target)), f"it is {current}")
    raise Conflict(f"{what} cannot become {target}: {why}")
