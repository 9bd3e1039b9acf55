"""The moderation messages' parser: every type, defaults, and refusals with a sentence."""

from __future__ import annotations

import orjson
import pytest

from metaexpo.errors import ControlError
from metaexpo.protocol import control
from metaexpo.protocol import moderation as m


def parse(**fields: object) -> object:
    return control.parse_client_message(orjson.dumps(fields))


def test_every_type_parses_into_its_class() -> None:
    assert parse(type="mod.mute", target=7) == m.Mute(type="mod.mute", target=7, minutes=10)
    assert isinstance(parse(type="mod.unmute", target=7), m.Unmute)
    assert isinstance(parse(type="mod.kick", target=7, reason="spam"), m.Kick)
    assert parse(type="mod.ban", target=7).hours == 24  # type: ignore[attr-defined]
    assert parse(type="mod.delete", ids=["a.1", "b.2"]).ids == ["a.1", "b.2"]  # type: ignore[attr-defined]
    assert parse(type="mod.slow", seconds=0).seconds == 0  # type: ignore[attr-defined]
    report = parse(type="report", target=7, line="a.1", reason="rude")
    assert isinstance(report, m.Report) and report.line == "a.1"


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"type": "mod.ban", "target": 7, "hours": 0}, "hours"),
        ({"type": "mod.ban", "target": 7, "hours": 10_000}, "hours"),
        ({"type": "mod.mute", "target": -1}, "target"),
        ({"type": "mod.delete", "ids": []}, "ids"),
        ({"type": "mod.slow", "seconds": 9999}, "seconds"),
        ({"type": "report", "target": 7, "reason": ""}, "reason"),
        ({"type": "report", "target": 7, "reason": "x" * 301}, "reason"),
        ({"type": "mod.kick", "target": 7, "extra": 1}, "extra"),
    ],
)
def test_bad_messages_are_refused_with_what_is_wrong(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ControlError) as caught:
        parse(**fields)
    assert caught.value.code == "bad_message"
    assert says in caught.value.message


def test_an_unknown_moderation_type_lists_the_known_ones() -> None:
    with pytest.raises(ControlError) as caught:
        parse(type="mod.smite", target=1)
    assert caught.value.code == "unknown_type" and "mod.kick" in caught.value.message


def test_roster_entries_carry_only_known_badges() -> None:
    assert control.roster_entry(1, "n", "a", "desktop", "staff")["badge"] == "staff"
    assert "badge" not in control.roster_entry(1, "n", "a", "desktop", "emperor")
    assert "badge" not in control.roster_entry(1, "n", "a", "desktop")
