"""Calendar files: RFC 5545 that a real parser (icalendar) reads back exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from metaexpo.forums.agenda import SessionView
from metaexpo.forums.ics import calendar, escape_text, fold

HALLS = {"qiantang-forum": {"zh": "钱塘论坛厅", "en": "Qiantang Forum Hall"}}


def view(session_id: str = "talk", revision: int = 0, **texts: dict[str, str]) -> SessionView:
    start = datetime(2025, 11, 20, 1, 30, tzinfo=UTC)
    return SessionView(
        id=session_id,
        forum_hall="qiantang-forum",
        title=texts.get("title", {"zh": "开幕演讲", "en": "Opening keynote"}),
        abstract=texts.get("abstract", {"zh": "简介", "en": "About it"}),
        speakers=[
            {"name": {"zh": "林晓岚", "en": "Lin Xiaolan"}, "title": {"zh": "主任", "en": "Chair"}}
        ],
        starts_at=start,
        ends_at=start.replace(hour=2, minute=15),
        time_zone="Asia/Shanghai",
        state="scheduled",
        revision=revision,
        went_live_at=None,
        ended_at=None,
        updated_at=start,
    )


def render(*views: SessionView, lang: str = "en") -> str:
    return calendar(
        views,
        lang=lang,
        uid_domain="x.forums.metaexpo",
        base_url="https://expo.test/",
        hall_names=HALLS,
        name="Expo",
    )


def test_a_parser_reads_back_times_texts_and_uid() -> None:
    text = render(view())
    cal = icalendar.Calendar.from_ical(text)
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2025, 11, 20, 1, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2025, 11, 20, 2, 15, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Opening keynote"
    assert str(event["UID"]) == "talk@x.forums.metaexpo"
    assert str(event["LOCATION"]) == "Qiantang Forum Hall"
    assert "Lin Xiaolan (Chair)" in str(event["DESCRIPTION"])
    assert "https://expo.test/?forum=talk" in str(event["DESCRIPTION"])
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")


def test_special_characters_survive_escaping_exactly() -> None:
    nasty = "a;b,c\\d\nnew line: 冒号，逗号；"
    text = render(view(title={"zh": nasty, "en": nasty}, abstract={"zh": nasty, "en": nasty}))
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == nasty
    assert str(event["DESCRIPTION"]).startswith(nasty)
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_long_chinese_lines_fold_at_75_octets_without_breaking_characters() -> None:
    long = "元宇宙浙江论坛" * 30
    text = render(view(title={"zh": long, "en": long}), lang="zh")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == long
    assert fold("x" * 80).split("\r\n ")[0] == "x" * 75


def test_uid_is_stable_and_sequence_follows_edits() -> None:
    first = icalendar.Calendar.from_ical(render(view(revision=0))).walk("VEVENT")[0]
    later = icalendar.Calendar.from_ical(render(view(revision=3))).walk("VEVENT")[0]
    assert first["UID"] == later["UID"]
    assert (int(first["SEQUENCE"]), int(later["SEQUENCE"])) == (0, 3)


def test_the_whole_agenda_is_one_calendar_with_an_event_per_session() -> None:
    cal = icalendar.Calendar.from_ical(render(view("a"), view("b"), lang="zh"))
    events = cal.walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in events] == ["a", "b"]
    assert str(events[0]["SUMMARY"]) == "开幕演讲"
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
