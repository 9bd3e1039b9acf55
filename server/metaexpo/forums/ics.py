"""Calendar files (RFC 5545) of the agenda: one session or all of them, for "add to calendar".

Times are written in UTC (``DTSTART:20251120T013000Z``), which every
calendar understands without a time-zone definition, and shown by it in the
visitor's own zone. A session's UID never changes (session id + a tag of
this expo), and its SEQUENCE is the session's revision, so a calendar that
imported it once updates the event when the agenda changes. Text values are
escaped (backslash, semicolon, comma, newline) and lines are folded at 75
octets without splitting a UTF-8 character.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from metaexpo.forums.agenda import SessionView
from metaexpo.forums.states import ForumState

PRODUCT_ID = "-//metaexpo//Metaverse Zhejiang Expo forums//EN"
#: Most octets of one content line before it is folded (RFC 5545 §3.1).
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into CRLF + space continuations of at most 75 octets each."""
    out: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = "", 0
            limit = LINE_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form (``20251120T013000Z``)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _pick(text: Mapping[str, str], lang: str) -> str:
    return text.get(lang) or text.get("en") or text.get("zh") or ""


def event_lines(
    view: SessionView,
    *,
    lang: str,
    uid_domain: str,
    base_url: str,
    hall_names: Mapping[str, Mapping[str, str]],
    stamp: datetime,
) -> list[str]:
    """The VEVENT of one session, unfolded lines."""
    title = _pick(view.title, lang)
    speakers = "; ".join(
        f"{_pick(s['name'], lang)} ({_pick(s['title'], lang)})" for s in view.speakers
    )
    description = _pick(view.abstract, lang)
    if speakers:
        description += "\n\n" + ("演讲嘉宾：" if lang == "zh" else "Speakers: ") + speakers
    url = f"{base_url.rstrip('/')}/?forum={view.id}"
    description += f"\n\n{url}"
    hall = hall_names.get(view.forum_hall)
    location = _pick(hall, lang) if hall else view.forum_hall
    lines = [
        "BEGIN:VEVENT",
        f"UID:{view.id}@{uid_domain}",
        f"SEQUENCE:{view.revision}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(view.starts_at)}",
        f"DTEND:{utc_stamp(view.ends_at)}",
        f"SUMMARY:{escape_text(title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(location)}",
        f"URL:{url}",
        "STATUS:CONFIRMED",
    ]
    if view.state in (ForumState.ENDED, ForumState.REPLAY):
        lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return lines


def calendar(
    views: Iterable[SessionView],
    *,
    lang: str,
    uid_domain: str,
    base_url: str,
    hall_names: Mapping[str, Mapping[str, str]],
    name: str,
    stamp: datetime | None = None,
) -> str:
    """A whole VCALENDAR (CRLF line ends, folded) with one VEVENT per session."""
    moment = stamp or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for view in views:
        lines += event_lines(
            view,
            lang=lang,
            uid_domain=uid_domain,
            base_url=base_url,
            hall_names=hall_names,
            stamp=moment,
        )
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
