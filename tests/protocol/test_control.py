"""Control message parsing: every malformed message is a ControlError with a code."""

from __future__ import annotations

import json
import re

import pytest

from metaexpo.errors import ControlError
from metaexpo.protocol import control
from tests.conftest import ROOT


def test_join_parses_into_a_typed_message() -> None:
    msg = control.parse_client_message(
        b'{"type":"join","v":1,"room":"main","name":"Ada","avatar":"celadon","kind":"vr"}'
    )
    assert isinstance(msg, control.Join)
    assert (msg.room, msg.kind, msg.resume) == ("main", "vr", None)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_message"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"no": "type"}', "unknown_type"),
        ('{"type":"join","v":1,"room":"main","name":"A","avatar":"x"}', "bad_message"),
        ('{"type":"join","v":1,"room":"main","name":"A","avatar":"x","kind":"tv"}', "bad_message"),
        ('{"type":"chat","text":"hi","extra":1}', "bad_message"),
        ('{"type":"teleport","to":[1,2]}', "bad_message"),
        ('{"type":"teleport","to":[1,2,NaN]}', "bad_json"),
        ('{"type":"who","ids":[-1]}', "bad_message"),
    ],
)
def test_malformed_control_messages_are_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(ControlError) as err:
        control.parse_client_message(text)
    assert err.value.code == code
    assert err.value.message


def test_teleport_to_infinity_is_refused() -> None:
    with pytest.raises(ControlError) as err:
        control.parse_client_message('{"type":"teleport","to":[1e999,0,0]}')
    assert err.value.code == "bad_json"
    assert "infinity" in err.value.message


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 33, "33 characters"),
        ("evil\u202egnp.exe", "U+202E"),
        ("bell\x07", "U+0007"),
        ("new\nline", "U+000A"),
    ],
)
def test_display_names_refuse_empty_long_and_control_characters(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        control.check_display_text(name, what="name", max_chars=32)


def test_display_names_keep_chinese_and_emoji_sequences() -> None:
    assert (
        control.check_display_text(" 小明👩\u200d💻 ", what="name", max_chars=32)
        == "小明👩\u200d💻"
    )


def _emote_vectors(direction: str) -> list[dict[str, object]]:
    data = json.loads((ROOT / "docs" / "protocol-vectors" / "control_messages.json").read_text())
    return [v for v in data["vectors"] if v["direction"] == direction]


@pytest.mark.parametrize("vec", _emote_vectors("client"), ids=lambda v: str(v["name"]))
def test_emote_messages_are_read_as_the_shared_vectors_say(vec: dict[str, object]) -> None:
    text = str(vec["text"])
    if vec["error"] is None:
        msg = control.parse_client_message(text)
        assert isinstance(msg, control.Emote)
        assert msg.emote == vec["emote"]
    else:
        with pytest.raises(ControlError) as err:
            control.parse_client_message(text)
        assert err.value.code == vec["error"]


def test_the_server_emote_message_is_the_vector_clients_read() -> None:
    vec = next(v for v in _emote_vectors("server") if v["name"] == "wave_of_slot_7")
    assert control.dumps(control.emote_message(65543, "wave")) == str(vec["text"]).encode()
