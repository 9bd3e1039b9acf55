"""The session state machine and the role table: who may do what, and in which order."""

from __future__ import annotations

import pytest

from metaexpo.errors import Conflict, Forbidden
from metaexpo.forums.roles import PERMISSIONS, Actor, ForumAction, ForumRole, may, require
from metaexpo.forums.states import TRANSITIONS, ForumState, advance


def test_a_session_moves_forward_only_scheduled_live_ended_replay() -> None:
    state = ForumState.SCHEDULED
    for target in (ForumState.LIVE, ForumState.ENDED, ForumState.REPLAY):
        state = advance("s", state, target)
    assert state is ForumState.REPLAY
    assert TRANSITIONS[ForumState.REPLAY] == frozenset()


@pytest.mark.parametrize(
    ("current", "target", "why"),
    [
        (ForumState.SCHEDULED, ForumState.ENDED, "has not gone live"),
        (ForumState.LIVE, ForumState.LIVE, "already live"),
        (ForumState.ENDED, ForumState.LIVE, "has ended"),
        (ForumState.REPLAY, ForumState.LIVE, "replay is online"),
        (ForumState.LIVE, ForumState.SCHEDULED, "already live"),
    ],
)
def test_moves_out_of_order_are_refused_with_the_reason(
    current: ForumState, target: ForumState, why: str
) -> None:
    with pytest.raises(Conflict, match=why):
        advance("talk", current, target)


def test_staff_may_do_everything_and_audience_only_ask_vote_raise_hands() -> None:
    for action in ForumAction:
        assert may(action, {ForumRole.STAFF}), action
    audience = {a for a in ForumAction if may(a, {ForumRole.AUDIENCE})}
    assert audience == {ForumAction.ASK, ForumAction.VOTE, ForumAction.RAISE_HAND}


def test_speakers_turn_slides_and_upload_but_do_not_moderate_or_run_the_session() -> None:
    speaker = {ForumRole.SPEAKER, ForumRole.AUDIENCE}
    assert may(ForumAction.TURN_SLIDES, speaker) and may(ForumAction.UPLOAD_SLIDES, speaker)
    for action in (
        ForumAction.MODERATE,
        ForumAction.GO_LIVE,
        ForumAction.END,
        ForumAction.RUN_STAGE,
    ):
        assert not may(action, speaker), action


def test_moderators_run_the_session_but_do_not_edit_the_agenda() -> None:
    moderator = {ForumRole.MODERATOR, ForumRole.AUDIENCE}
    assert may(ForumAction.GO_LIVE, moderator) and may(ForumAction.CUT_MIC, moderator)
    assert not may(ForumAction.EDIT_AGENDA, moderator)
    assert not may(ForumAction.INVITE_SPEAKER, moderator)
    assert not may(ForumAction.UPLOAD_SLIDES, moderator)


def test_refusal_names_who_may_and_the_session() -> None:
    with pytest.raises(Forbidden, match="only staff or a moderator of this session may moderate"):
        require(ForumAction.MODERATE, {ForumRole.AUDIENCE}, "talk")
    assert set(PERMISSIONS) == set(ForumAction)


def test_only_staff_accounts_are_staff() -> None:
    assert Actor("account", "a", "s@x", "staff").is_staff
    assert not Actor("account", "a", "e@x", "exhibitor").is_staff
    assert not Actor("speaker", "a", "Lin", None, "talk").is_staff
