"""Validated field types shared by the catalog's files: bilingual text, ids, colours, links, angles.

Each type normalises what a person typed (trims text, lowercases colours,
wraps angles) and refuses what cannot be right, with a message that says how
to write it instead. The catalog's models are built only from these.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zoneinfo
from datetime import time
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, FiniteFloat

#: Ids of halls, zones, booths, forum halls and tags: URL- and filename-safe.
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,47}")
#: Longest text a field takes; a booth description is a few sentences, not an essay.
MAX_TEXT_CHARS = 2000
#: Longest contact link.
MAX_URL_CHARS = 2000

_COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
_TIME_PATTERN = re.compile(r"[0-9]{1,2}:[0-9]{2}")


class SpecModel(BaseModel):
    """Base of the models read from catalog files: immutable, finite, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(
            f'"{value}" is not a valid id: use 2-48 characters of a-z, 0-9 and "-", '
            "starting with a letter or digit"
        )
    return value


def _clean_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    for char in value:
        if unicodedata.category(char) == "Cc":
            raise ValueError(
                f"contains the control character U+{ord(char):04X}; "
                "write the text on one line without tabs"
            )
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"is {len(value)} characters long; at most {MAX_TEXT_CHARS} fit")
    return value


def _refuse_yaml_comment(value: Any) -> Any:
    # An unquoted `#1e88e5` is a YAML comment, so the key silently reads as null.
    if value is None:
        raise ValueError(
            'is empty; write the colour in quotes, e.g. "#1e88e5" (an unquoted # starts a comment)'
        )
    return value


def _check_colour(value: str) -> str:
    if not _COLOUR_PATTERN.fullmatch(value):
        raise ValueError(f'"{value}" is not a hex colour; write "#rrggbb", e.g. "#1e88e5"')
    return value.lower()


def _check_link(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"is longer than {MAX_URL_CHARS} characters")
    if any(char.isspace() for char in value):
        raise ValueError(f'"{value}" contains spaces; a link has none')
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError(f'"{value}" is not a valid URL ({exc})') from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f'"{value}" is not an http(s) link; write e.g. "https://example.org/booth"'
        )
    return value


def _right_angle(value: int) -> int:
    if value % 90:
        raise ValueError(f"{value} is not a multiple of 90 degrees; booths turn in quarter turns")
    return value % 360


def _wrap_degrees(value: float) -> float:
    wrapped = math.fmod(value, 360.0)
    return wrapped + 360.0 if wrapped < 0.0 else wrapped


def _time_of_day(value: Any) -> Any:
    # YAML reads an unquoted 09:30 as the sexagesimal integer 570: refuse it with a hint.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'{value} is not a time of day; write it in quotes as "HH:MM", e.g. "09:30"'
        )
    if not isinstance(value, str) or not _TIME_PATTERN.fullmatch(value.strip()):
        raise ValueError(f'{value!r} is not a time of day; write "HH:MM", e.g. "09:30"')
    hours, minutes = (int(part) for part in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f'"{value}" is not a time of day; hours go to 23, minutes to 59')
    return time(hours, minutes)


def _check_time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'"{value}" is not a time zone; write an IANA name such as "Asia/Shanghai"'
        ) from None
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
CleanStr = Annotated[str, AfterValidator(_clean_text)]
Colour = Annotated[str, BeforeValidator(_refuse_yaml_comment), AfterValidator(_check_colour)]
HttpLink = Annotated[str, AfterValidator(_check_link)]
RightAngle = Annotated[int, AfterValidator(_right_angle)]
Degrees = Annotated[FiniteFloat, AfterValidator(_wrap_degrees)]
#: A local time of day written "HH:MM".
TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
#: An IANA time zone name ("Asia/Shanghai").
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
#: A floor coordinate in metres; far beyond any hall, but small enough that rectangles built
#: around it keep their size in floating point.
Coordinate = Annotated[FiniteFloat, Field(ge=-100_000.0, le=100_000.0)]
Point2 = tuple[Coordinate, Coordinate]


class Text(SpecModel):
    """A bilingual string: both Chinese and English are required, trimmed, one line each."""

    zh: CleanStr
    en: CleanStr

    def pick(self, lang: str) -> str:
        """The text in ``lang`` ("zh" or anything else for English)."""
        return self.zh if lang == "zh" else self.en
