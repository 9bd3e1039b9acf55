"""From parsed files to validated entries: each file's top level, then each entry on its own.

Every file is a mapping whose keys say what it declares (``zone``,
``booths``, ``plaza``…), so editors may split the catalog across files as
they like. Entries are validated one by one so that one broken booth does
not hide the problems of the others, and each keeps its origin for the
cross-checks that follow.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from metaexpo.scenes.fields import SLUG_PATTERN, Text
from metaexpo.scenes.problems import Loc, Origin, Problem, entry_label, validation_problems
from metaexpo.scenes.schema import (
    BoothSpec,
    Expo,
    ForumHallSpec,
    ForumSessionSpec,
    HallSpec,
    Plaza,
    Zone,
)
from metaexpo.scenes.sources import Source

SpecT = TypeVar("SpecT", bound=BaseModel)

#: The keys a file may have at its top level; README.md says what each declares.
TOP_LEVEL_KEYS = (
    "expo",
    "tags",
    "halls",
    "plaza",
    "forum_halls",
    "forum_sessions",
    "zone",
    "zones",
    "booths",
)


@dataclass(frozen=True, slots=True)
class Located(Generic[SpecT]):
    """A validated entry and where it was written."""

    spec: SpecT
    origin: Origin


@dataclass(frozen=True, slots=True)
class TagEntry:
    """One word of the tag vocabulary."""

    id: str
    label: Text
    origin: Origin


@dataclass(slots=True)
class Entries:
    """Everything the files declare that passed validation, plus the problems found so far.

    ``broken`` holds, per kind, the ids of entries that failed validation, so
    that references to them are not reported a second time as unknown.
    """

    expo: list[Located[Expo]] = field(default_factory=list)
    tags: list[TagEntry] = field(default_factory=list)
    halls: list[Located[HallSpec]] = field(default_factory=list)
    plaza: list[Located[Plaza]] = field(default_factory=list)
    forum_halls: list[Located[ForumHallSpec]] = field(default_factory=list)
    forum_sessions: list[Located[ForumSessionSpec]] = field(default_factory=list)
    zones: list[Located[Zone]] = field(default_factory=list)
    booths: list[Located[BoothSpec]] = field(default_factory=list)
    broken: dict[str, set[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark_broken(self, kind: str, raw: object) -> None:
        """Remember the id of an entry of ``kind`` that failed validation."""
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            self.broken.setdefault(kind, set()).add(raw["id"])

    def tag_ids(self) -> set[str]:
        """The ids of the tag vocabulary that passed validation."""
        return {tag.id for tag in self.tags}

    def is_broken(self, kind: str, entry_id: str) -> bool:
        """Whether an entry of ``kind`` with ``entry_id`` exists but failed validation."""
        return entry_id in self.broken.get(kind, set())


def _validate(
    model: type[SpecT], raw: object, source: Source, *, label: str, loc: Loc, entries: Entries
) -> Located[SpecT] | None:
    try:
        spec = model.model_validate(raw)
    except ValidationError as exc:
        entries.problems.extend(
            validation_problems(
                exc, model, file=source.label, entry=label, entry_loc=loc, line_of=source.line_of
            )
        )
        return None
    return Located(spec, Origin(source.label, label, loc, source.line_of))


def _validate_at(
    model: type[SpecT],
    raw: object,
    source: Source,
    key: str,
    index: int | None,
    *,
    entries: Entries,
) -> Located[SpecT] | None:
    loc: Loc = (key,) if index is None else (key, index)
    return _validate(
        model, raw, source, label=entry_label(key, index, raw), loc=loc, entries=entries
    )


def _kind_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _read_list(source: Source, key: str, value: object, entries: Entries) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        entries.problems.append(
            Problem(
                source.label,
                key,
                None,
                f'expected a list of entries (lines starting with "- "), got {_kind_name(value)}',
                source.line_of((key,)),
            )
        )
        return []
    return value


def _read_tags(source: Source, value: object, entries: Entries) -> None:
    if not isinstance(value, Mapping):
        entries.problems.append(
            Problem(
                source.label,
                "tags",
                None,
                f"expected a mapping of tag id → {{zh, en}}, got {_kind_name(value)}",
                source.line_of(("tags",)),
            )
        )
        return
    for tag_id, raw in value.items():
        label = f"tags.{tag_id}"
        if not isinstance(tag_id, str) or not SLUG_PATTERN.fullmatch(tag_id):
            entries.problems.append(
                Problem(
                    source.label,
                    label,
                    None,
                    'is not a valid tag id: use 2-48 characters of a-z, 0-9 and "-"',
                    source.line_of(("tags", str(tag_id))),
                )
            )
            continue
        located = _validate(Text, raw, source, label=label, loc=("tags", tag_id), entries=entries)
        if located is None:
            entries.broken.setdefault("tags", set()).add(tag_id)
            continue
        entries.tags.append(TagEntry(tag_id, located.spec, located.origin))


def _file_zone_id(data: Mapping[str, Any]) -> str | None:
    # Only a file's single `zone:` is a default; taken raw so that a broken
    # zone still gives its booths a zone (they would otherwise all be reported).
    zone = data.get("zone")
    if isinstance(zone, Mapping) and isinstance(zone.get("id"), str):
        return str(zone["id"])
    return None


def _read_booth(
    source: Source, index: int, raw: object, zone_id: str | None, entries: Entries
) -> None:
    located = _validate_at(BoothSpec, raw, source, "booths", index, entries=entries)
    if located is None:
        entries.mark_broken("booths", raw)
        return
    if located.spec.zone is None:
        if zone_id is None:
            entries.problems.append(
                located.origin.problem(
                    "zone", "field required (this file declares no single `zone:` to default to)"
                )
            )
            return
        located = Located(located.spec.model_copy(update={"zone": zone_id}), located.origin)
    entries.booths.append(located)


def _read_file(source: Source, entries: Entries) -> None:
    data = source.data
    if not isinstance(data, Mapping):
        shape = "is empty" if data is None else f"holds {_kind_name(data)} at the top level"
        entries.problems.append(
            Problem(
                source.label,
                None,
                None,
                f"{shape}; expected a mapping with some of the keys {', '.join(TOP_LEVEL_KEYS)}",
                source.line_of(()),
            )
        )
        return
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
            hint = (
                f'did you mean "{close[0]}"?'
                if close
                else f"known keys: {', '.join(TOP_LEVEL_KEYS)}"
            )
            entries.problems.append(
                Problem(
                    source.label,
                    str(key),
                    None,
                    f"unknown top-level key; {hint}",
                    source.line_of((str(key),)),
                )
            )
    zone_id = _file_zone_id(data)
    for key, value in data.items():
        if key == "expo":
            if (expo := _validate_at(Expo, value, source, key, None, entries=entries)) is not None:
                entries.expo.append(expo)
        elif key == "plaza":
            if (
                plaza := _validate_at(Plaza, value, source, key, None, entries=entries)
            ) is not None:
                entries.plaza.append(plaza)
        elif key == "zone":
            if (zone := _validate_at(Zone, value, source, key, None, entries=entries)) is not None:
                entries.zones.append(zone)
            else:
                entries.mark_broken("zones", value)
        elif key == "tags":
            _read_tags(source, value, entries)
        elif key == "booths":
            for index, raw in enumerate(_read_list(source, key, value, entries)):
                _read_booth(source, index, raw, zone_id, entries)
        elif key in ("halls", "zones", "forum_halls", "forum_sessions"):
            for index, raw in enumerate(_read_list(source, key, value, entries)):
                _read_listed(source, key, index, raw, entries)


def _read_listed(source: Source, key: str, index: int, raw: object, entries: Entries) -> None:
    # One branch per kind keeps each list's element type precise for mypy.
    if key == "halls":
        if (hall := _validate_at(HallSpec, raw, source, key, index, entries=entries)) is not None:
            entries.halls.append(hall)
            return
    elif key == "zones":
        if (zone := _validate_at(Zone, raw, source, key, index, entries=entries)) is not None:
            entries.zones.append(zone)
            return
    elif key == "forum_sessions":
        if (
            session := _validate_at(ForumSessionSpec, raw, source, key, index, entries=entries)
        ) is not None:
            entries.forum_sessions.append(session)
            return
    elif (
        forum := _validate_at(ForumHallSpec, raw, source, key, index, entries=entries)
    ) is not None:
        entries.forum_halls.append(forum)
        return
    entries.mark_broken(key, raw)


def read_entries(sources: list[Source]) -> Entries:
    """Validate every entry of every file; problems are collected, never raised."""
    entries = Entries()
    for source in sources:
        _read_file(source, entries)
    return entries
