"""The live rules: slides, hands, the stage and mics change only in ways that make sense."""

from __future__ import annotations

import pytest

from metaexpo.errors import Conflict, Invalid
from metaexpo.forums import live as rules
from metaexpo.forums.live import LiveState, Person, Slide
from metaexpo.forums.states import ForumState

PAGES = {"deck": [f"/p{n}.jpg" for n in range(1, 4)]}
VISITOR = Person(7, "Ana", "guest-ana", 1)
OTHER = Person(8, "Bo", "guest-bo", 2)
SPEAKER = Person(9, "Lin", "speaker-lin", 3)


def live() -> LiveState:
    return rules.went_live(LiveState(), Slide("deck", 1, 3, "/p1.jpg"))


def test_slides_turn_next_previous_and_to_a_page_within_the_deck() -> None:
    state = live()
    state = rules.with_slide(state, rules.turn_to(state, "next", None, PAGES))
    assert (state.slide.page, state.slide.url) == (2, "/p2.jpg")  # type: ignore[union-attr]
    state = rules.with_slide(state, rules.turn_to(state, 3, None, PAGES))
    with pytest.raises(Conflict, match="already at the last slide"):
        rules.turn_to(state, "next", None, PAGES)
    state = rules.with_slide(state, rules.turn_to(state, "previous", None, PAGES))
    assert state.slide is not None and state.slide.page == 2
    with pytest.raises(Invalid, match="no slide deck"):
        rules.turn_to(state, 1, "nope", PAGES)


def test_slides_do_not_turn_before_the_session_is_live_or_without_slides() -> None:
    with pytest.raises(Conflict, match="only while the session is live"):
        rules.turn_to(LiveState(), "next", None, PAGES)
    with pytest.raises(Conflict, match="no slides yet"):
        rules.turn_to(rules.went_live(LiveState(), None), "next", None, {})


def test_hands_queue_in_order_once_each_and_lower() -> None:
    state = rules.hand(rules.hand(live(), VISITOR, True), OTHER, True)
    state = rules.hand(state, VISITOR, True)
    assert [p.name for p in state.hands] == ["Ana", "Bo"]
    state = rules.hand(state, VISITOR, False)
    assert [p.name for p in state.hands] == ["Bo"]
    assert state.public()["hands"] == 1


def test_only_a_raised_hand_is_invited_and_only_the_invited_visitor_accepts() -> None:
    state = rules.hand(live(), VISITOR, True)
    with pytest.raises(Conflict, match="no hand raised"):
        rules.invite(state, OTHER.id)
    state, invited = rules.invite(state, VISITOR.id)
    assert invited.name == "Ana" and not state.hands
    with pytest.raises(Conflict, match="not invited"):
        rules.accept(state, OTHER, True)
    state = rules.accept(state, VISITOR, True)
    assert state.on_stage(VISITOR.id) is not None and state.talking() == {VISITOR.id}
    state = rules.end_turn(state, VISITOR.id)
    assert state.talking() == frozenset() and not state.stage


def test_a_declined_invitation_leaves_the_stage_empty() -> None:
    state, _ = rules.invite(rules.hand(live(), VISITOR, True), VISITOR.id)
    state = rules.accept(state, VISITOR, False)
    assert not state.stage and not state.invited


def test_speakers_step_on_stage_with_their_mic_and_moderators_cut_it() -> None:
    state = rules.own_mic(live(), SPEAKER, True, is_speaker=True)
    assert state.talking() == {SPEAKER.id}
    state = rules.cut_mic(state, SPEAKER.id)
    assert state.talking() == frozenset() and state.stage[0].role == "speaker"
    state = rules.own_mic(state, SPEAKER, True, is_speaker=True)
    assert state.talking() == {SPEAKER.id}


def test_an_audience_member_cannot_use_the_stage_mic() -> None:
    with pytest.raises(Conflict, match="only people on stage"):
        rules.own_mic(live(), VISITOR, True, is_speaker=False)


def test_nobody_talks_once_the_session_ended_and_the_slide_stays() -> None:
    state = rules.own_mic(live(), SPEAKER, True, is_speaker=True)
    over = rules.ended(state)
    assert over.state == ForumState.ENDED and over.talking() == frozenset()
    assert over.slide == state.slide and not over.stage


def test_state_survives_its_json_form_and_public_form_hides_identities() -> None:
    state = rules.slow_mode(
        rules.hand(rules.own_mic(live(), SPEAKER, True, True), VISITOR, True), 5
    )
    assert LiveState.from_json(state.to_json()) == state
    public = state.public()
    assert public["stage"] == [{"id": 9, "name": "Lin", "role": "speaker", "mic": True}]
    assert "speaker-lin" not in str(public) and "guest-ana" not in str(public)
    assert public["slow_mode_s"] == 5
