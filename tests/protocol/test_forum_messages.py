"""Forum control messages: well-formed ones parse into typed objects; anything else is a
ControlError with a sentence, before any forum logic runs."""

from __future__ import annotations

import json

import pytest

from metaexpo.errors import ControlError
from metaexpo.protocol import forum_messages as fm
from metaexpo.protocol.control import parse_client_message


def parse(message: dict[str, object]) -> object:
    return parse_client_message(json.dumps(message))


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ({"type": "forum.sync"}, fm.ForumSync),
        ({"type": "forum.session", "session": "talk", "action": "live"}, fm.ForumSessionControl),
        ({"type": "forum.slide", "session": "talk", "to": "next"}, fm.ForumSlide),
        ({"type": "forum.slide", "session": "talk", "to": 3, "deck": "d1"}, fm.ForumSlide),
        (
            {"type": "forum.question", "session": "talk", "text": "Why?", "anonymous": True},
            fm.ForumQuestion,
        ),
        ({"type": "forum.vote", "session": "talk", "question": 4}, fm.ForumVote),
        (
            {"type": "forum.moderate", "session": "talk", "question": 4, "action": "pin"},
            fm.ForumModerate,
        ),
        ({"type": "forum.hand", "session": "talk", "up": True}, fm.ForumHand),
        (
            {"type": "forum.stage", "session": "talk", "action": "invite", "id": 65537},
            fm.ForumStage,
        ),
        ({"type": "forum.stage_accept", "session": "talk", "accept": False}, fm.ForumStageAccept),
        ({"type": "forum.mic", "session": "talk", "on": True}, fm.ForumMic),
        ({"type": "forum.mic", "session": "talk", "on": False, "id": 65537}, fm.ForumMic),
        ({"type": "forum.slow", "session": "talk", "seconds": 30}, fm.ForumSlowMode),
    ],
)
def test_every_forum_message_parses_into_its_type(message: dict[str, object], kind: type) -> None:
    parsed = parse(message)
    assert isinstance(parsed, kind) and isinstance(parsed, fm.FORUM_MESSAGE_TYPES)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"type": "forum.dance", "session": "talk"}, "unknown forum message type 'forum.dance'"),
        (
            {"type": "forum.hand", "session": "talk", "up": True, "x": 1},
            "Extra inputs are not permitted",
        ),
        ({"type": "forum.slide", "session": "talk", "to": 0}, "forum.slide message: to"),
        ({"type": "forum.slide", "session": "talk", "to": "last"}, "forum.slide message: to"),
        ({"type": "forum.mic", "session": "talk", "on": True, "id": 5}, "only turn someone else's"),
        ({"type": "forum.slow", "session": "talk", "seconds": 601}, "forum.slow message: seconds"),
        (
            {"type": "forum.vote", "session": "Not A Slug!", "question": 1},
            "forum.vote message: session",
        ),
        (
            {"type": "forum.question", "session": "talk", "text": "x" * 2001},
            "forum.question message: text",
        ),
        ({"type": "forum.hand", "up": True}, "forum.hand message: session: Field required"),
    ],
)
def test_malformed_forum_messages_are_refused_with_a_sentence(
    message: dict[str, object], words: str
) -> None:
    with pytest.raises(ControlError) as caught:
        parse(message)
    assert words in caught.value.message
    assert caught.value.code in ("unknown_type", "bad_message")


def test_known_types_match_the_message_classes() -> None:
    kinds = {cls.model_fields["type"].annotation.__args__[0] for cls in fm.FORUM_MESSAGE_TYPES}  # type: ignore[union-attr]
    assert kinds == set(fm.KNOWN_TYPES)


def test_server_messages_carry_their_type_and_session() -> None:
    assert fm.state_message("talk", {"state": "live"}) == {
        "type": "forum.state",
        "session": "talk",
        "state": "live",
    }
    assert fm.hands_message("talk", [], [])["type"] == "forum.hands"
    assert fm.invite_message("talk") == {"type": "forum.invite", "session": "talk"}
