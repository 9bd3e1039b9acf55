"""The catalog's forum agenda: the built-in sessions make sense; broken ones are refused clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metaexpo.scenes import load_catalog
from tests.scenes.test_catalog import SCENES, _minimal, _problems, _t, _write


def _session(session_id: str, day: int, start: Any, end: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": session_id,
        "forum_hall": "forum",
        "day": day,
        "start": start,
        "end": end,
        "title": _t("标题", "Title"),
        "abstract": _t("简介。", "Abstract."),
        "speakers": [{"name": _t("张三", "Zhang San"), "title": _t("主持", "Host")}],
        **extra,
    }


def _with_sessions(*sessions: dict[str, Any]) -> dict[str, Any]:
    files: dict[str, Any] = _minimal()
    files["forums.yaml"] = {"forum_sessions": list(sessions)}
    return files


def test_builtin_agenda_spans_days_in_the_forum_hall_without_overlaps() -> None:
    catalog = load_catalog(SCENES)
    sessions = catalog.forum_sessions
    assert len(sessions) >= 6
    assert {s.forum_hall for s in sessions} <= {f.id for f in catalog.forum_halls}
    assert len({s.day for s in sessions}) >= 2
    assert catalog.time_zone == "Asia/Shanghai"
    for s in sessions:
        assert s.title.zh != s.title.en and s.speakers, s.id


def test_sessions_load_with_their_times_and_speakers(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, _with_sessions(_session("one", 1, "09:30", "10:00"))))
    (session,) = catalog.forum_sessions
    assert (session.start.hour, session.start.minute, session.end.hour) == (9, 30, 10)
    assert session.speakers[0].name.en == "Zhang San"


def test_unquoted_time_is_refused_with_a_hint(tmp_path: Path) -> None:
    # YAML reads an unquoted 9:30 as the number 570.
    text = _problems(tmp_path, _with_sessions(_session("one", 1, 570, "10:00")))
    assert 'forum_sessions[0] (id "one"): start: 570 is not a time of day' in text
    assert '"09:30"' in text


def test_session_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    text = _problems(tmp_path, _with_sessions(_session("one", 1, "11:00", "10:00")))
    assert "ends (10:00) before it starts (11:00)" in text


def test_unknown_forum_hall_and_overlaps_are_refused(tmp_path: Path) -> None:
    files = _with_sessions(
        _session("one", 1, "09:00", "10:00"),
        _session("two", 1, "09:30", "10:30"),
        _session("three", 2, "09:30", "10:30", forum_hall="nowhere"),
    )
    text = _problems(tmp_path, files)
    assert 'forum_sessions[1] (id "two"): start: day 1 09:30-10:30 overlaps session "one"' in text
    assert 'forum_sessions[2] (id "three"): forum_hall: unknown forum hall "nowhere"' in text


def test_duplicate_session_ids_and_bad_time_zone_are_refused(tmp_path: Path) -> None:
    files = _with_sessions(
        _session("one", 1, "09:00", "10:00"), _session("one", 2, "09:00", "10:00")
    )
    files["expo.yaml"]["expo"]["time_zone"] = "Mars/Olympus"
    text = _problems(tmp_path, files)
    assert '"one" is already the id of forum session' in text
    assert '"Mars/Olympus" is not a time zone' in text


@pytest.mark.parametrize("day", [0, 61])
def test_day_out_of_range_is_refused(tmp_path: Path, day: int) -> None:
    text = _problems(tmp_path, _with_sessions(_session("one", day, "09:00", "10:00")))
    assert 'forum_sessions[0] (id "one"): day:' in text
