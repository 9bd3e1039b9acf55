"""The revision and upload lifecycles allow exactly their documented moves."""

from __future__ import annotations

import itertools

import pytest

from metaexpo.booths.states import (
    REVISION_TRANSITIONS,
    UPLOAD_TRANSITIONS,
    RevisionState,
    UploadState,
    advance,
)
from metaexpo.errors import Conflict

R = RevisionState
U = UploadState

ALLOWED_REVISION_MOVES = {
    (R.DRAFT, R.SUBMITTED),
    (R.SUBMITTED, R.DRAFT),
    (R.SUBMITTED, R.APPROVED),
    (R.SUBMITTED, R.REFUSED),
    (R.APPROVED, R.LIVE),
    (R.LIVE, R.RETIRED),
}


@pytest.mark.parametrize("current", list(R))
@pytest.mark.parametrize("target", list(R))
def test_a_revision_moves_only_along_the_lifecycle(current: R, target: R) -> None:
    if (current, target) in ALLOWED_REVISION_MOVES:
        assert advance("r", current, target) is target
    else:
        with pytest.raises(Conflict):
            advance("r", current, target)


def test_refusing_an_unsubmitted_draft_says_why() -> None:
    with pytest.raises(Conflict, match="has not been submitted yet"):
        advance("revision 2 of booth 'x'", R.DRAFT, R.APPROVED)


def test_refused_and_retired_revisions_are_final() -> None:
    assert REVISION_TRANSITIONS[R.REFUSED] == frozenset()
    assert REVISION_TRANSITIONS[R.RETIRED] == frozenset()


def test_an_upload_reaches_live_only_through_check_fit_and_approval() -> None:
    path = [U.RECEIVED, U.VALIDATED, U.NORMALISED, U.APPROVED, U.LIVE, U.RETIRED]
    for current, target in itertools.pairwise(path):
        assert advance("u", current, target) is target
    with pytest.raises(Conflict):
        advance("u", U.RECEIVED, U.NORMALISED)
    with pytest.raises(Conflict):
        advance("u", U.REFUSED, U.VALIDATED)
    assert all(UPLOAD_TRANSITIONS[s] == frozenset() for s in (U.REFUSED, U.DECLINED, U.SUPERSEDED))
