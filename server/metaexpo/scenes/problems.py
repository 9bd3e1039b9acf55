"""What is wrong with the catalog, located precisely enough for a person to fix it.

A problem names the file, the entry (``booths[3] (id "retail-04")``), the
field (``exhibitor.name.en``) and, when known, the line; pydantic's
validation errors are translated into problems here so that every message a
content editor reads has the same shape.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

#: A path into a YAML document: mapping keys and list indices.
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the catalog; ``str()`` gives the line shown to people."""

    file: str
    entry: str | None
    field: str | None
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.entry:
            parts.append(self.entry)
        if self.field:
            parts.append(self.field)
        text = ": ".join([*parts, self.message])
        if self.line is None:
            return text
        column = f", column {self.column}" if self.column is not None else ""
        return f"{text} (line {self.line}{column})"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a validated entry came from, so that later cross-checks can point back at it.

    ``loc`` is the entry's path in its file and ``line_of`` the file's line
    lookup, so a problem about one field can name that field's own line.
    """

    file: str
    entry: str
    loc: Loc
    line_of: Callable[[Loc], int | None]

    @property
    def line(self) -> int | None:
        """The line the entry starts on."""
        return self.line_of(self.loc)

    def problem(self, field: str | None, message: str) -> Problem:
        """A problem about ``field`` (a path such as ``seating[2]``) of this entry."""
        loc = (*self.loc, *parse_field_path(field)) if field else self.loc
        return Problem(self.file, self.entry, field, message, self.line_of(loc))


def parse_field_path(field: str) -> Loc:
    """``scenarios[0].title.en`` → ``('scenarios', 0, 'title', 'en')``; undoes field_path."""
    loc: list[str | int] = []
    for part in field.split("."):
        name, *indices = part.split("[")
        if name:
            loc.append(name)
        loc.extend(int(index.rstrip("]")) for index in indices if index.rstrip("]").isdigit())
    return tuple(loc)


def entry_label(key: str, index: int | None, raw: object) -> str:
    """How an entry is named in messages: ``booths[3] (id "retail-04")`` or ``plaza``."""
    label = key if index is None else f"{key}[{index}]"
    if isinstance(raw, Mapping):
        entry_id = raw.get("id")
        if isinstance(entry_id, str) and entry_id:
            label += f' (id "{entry_id}")'
    return label


def field_path(loc: Sequence[str | int]) -> str:
    """``('scenarios', 0, 'title', 'en')`` → ``scenarios[0].title.en``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    # Follow the model's fields along loc to the mapping that holds the unknown key.
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        current = None if field is None else _inner_model(field.annotation)
    return list(current.model_fields) if current is not None else []


def _inner_model(annotation: object) -> type[BaseModel] | None:
    if get_origin(annotation) is None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        return None
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe_input(value: object) -> str:
    if isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'"{shown}"'
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _message(error: ErrorDetails, model: type[BaseModel], loc: Sequence[str | int]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        known = f" (known keys: {', '.join(allowed)})" if allowed and not close else ""
        return f"unknown key{hint}{known}"
    if kind == "value_error":
        # Our validators word their messages fully, input included.
        return str(error["msg"]).removeprefix("Value error, ")
    text = str(error["msg"])
    text = text[:1].lower() + text[1:]
    return f"{text}, got {_describe_input(error['input'])}"


def validation_problems(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    file: str,
    entry: str,
    entry_loc: Loc,
    line_of: Callable[[Loc], int | None],
) -> list[Problem]:
    """One problem per pydantic error of validating an entry found at ``entry_loc`` of ``file``.

    ``line_of`` maps a location in the file to its line number (or None).
    """
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        problems.append(
            Problem(
                file=file,
                entry=entry,
                field=field_path(loc) or None,
                message=_message(error, model, loc),
                line=line_of((*entry_loc, *loc)),
            )
        )
    return problems
