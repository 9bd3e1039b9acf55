"""The shape of the catalog's YAML files: one pydantic model per kind of entry.

These models are exactly what an editor writes; unknown keys are refused so
that a typo (``colour`` spelt ``color``) is reported instead of ignored.
Derived values (footprints, seats, bounds) are not written by hand and live
in :mod:`metaexpo.scenes.model`. ``Text``, ``Zone``, ``Exhibitor``,
``Scenario``, ``Plaza`` and their parts are used as they are by the rest of
the code.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from metaexpo.scenes.fields import (
    Colour,
    Degrees,
    HttpLink,
    Point2,
    RightAngle,
    Slug,
    SpecModel,
    Text,
    TimeOfDay,
    TimeZoneName,
)
from metaexpo.scenes.geometry import Rect, turned_size
from metaexpo.scenes.templates import TemplateName

#: Thickness of the plaza's info wall, for keeping visitors from spawning inside it.
INFO_WALL_THICKNESS = 0.6

Metres = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]


class Expo(SpecModel):
    """The expo as a whole: its name, a subtitle and the notice shown to every visitor."""

    title: Text
    subtitle: Text
    notice: Text
    #: Where the expo's clocks are: forum session times are local times of this zone.
    time_zone: TimeZoneName = "Asia/Shanghai"


class Spawn(SpecModel):
    """Where visitors enter a hall: feet position (x, z) and the camera yaw they start with."""

    position: Point2
    yaw_deg: Degrees = 0.0


class HallSpec(SpecModel):
    """A hall as written: a box centred on the origin, ``size`` (x, z) wide and ``height`` tall."""

    id: Slug
    title: Text
    size: tuple[Metres, Metres]
    height: Annotated[float, Field(ge=3.0, le=200.0, allow_inf_nan=False)]
    spawn: Spawn


class Zone(SpecModel):
    """An application area of the action plan: a coloured rectangle of the hall holding booths."""

    id: Slug
    hall: Slug
    title: Text
    description: Text
    colour: Colour
    area: Rect


class Scenario(SpecModel):
    """A demonstration scenario a booth shows: a title and one sentence saying what happens."""

    title: Text
    description: Text


class Exhibitor(SpecModel):
    """Who shows at a booth (fictional demo organisations in the built-in catalog)."""

    name: Text
    tagline: Text
    description: Text
    tags: Annotated[list[Slug], Field(min_length=1, max_length=8)]
    contact: HttpLink

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[Slug]) -> list[Slug]:
        seen: set[str] = set()
        for tag in tags:
            if tag in seen:
                raise ValueError(f'"{tag}" is listed twice')
            seen.add(tag)
        return tags


class BoothSpec(SpecModel):
    """A booth as written; ``zone`` may be left out in a file that declares a single ``zone``."""

    id: Slug
    zone: Slug | None = None
    template: TemplateName
    position: Point2
    rotation_deg: RightAngle = 0
    exhibitor: Exhibitor
    scenarios: Annotated[list[Scenario], Field(min_length=1, max_length=8)]
    #: People inside the booth (and just in front of it) hear each other, not the aisle.
    voice_zone: bool = False


class TargetItem(SpecModel):
    """One number of a target, e.g. 10 leading enterprises."""

    count: Annotated[int, Field(ge=1)]
    label: Text


class Target(SpecModel):
    """One of the plan's "1050" targets: a heading and its numbers."""

    title: Text
    items: Annotated[list[TargetItem], Field(min_length=1)]


class InfoWall(SpecModel):
    """The plaza's wall of headline goals; its front (the readable side) faces the model's +z."""

    position: Point2
    rotation_deg: RightAngle = 0
    width: Metres
    height: Metres
    headline: Text
    goals: list[Text]
    targets: list[Target]
    key_tasks: list[Text] = Field(default_factory=list)
    key_projects: list[Text] = Field(default_factory=list)

    def rect(self) -> Rect:
        """The wall's footprint on the floor."""
        size = turned_size((self.width, INFO_WALL_THICKNESS), self.rotation_deg)
        return Rect.around(self.position, size)


class Plaza(SpecModel):
    """The central plaza: an open area with the info wall, where visitors arrive."""

    hall: Slug
    title: Text
    area: Rect
    info_wall: InfoWall


class SeatingBlock(SpecModel):
    """A block of straight rows facing the stage; the loader computes every seat from it.

    Rows run across the line from ``front_row_centre`` to the stage centre;
    the first row is the one nearest the stage, the others follow behind it
    every ``row_spacing``. After every ``aisle_every`` seats of a row, the gap
    to the next seat widens to ``aisle_width`` (centre to centre).
    """

    front_row_centre: Point2
    rows: Annotated[int, Field(ge=1, le=200)]
    seats_per_row: Annotated[int, Field(ge=1, le=200)]
    seat_spacing: Annotated[float, Field(ge=0.5, le=5.0, allow_inf_nan=False)]
    row_spacing: Annotated[float, Field(ge=0.7, le=5.0, allow_inf_nan=False)]
    aisle_every: Annotated[int, Field(ge=1)] | None = None
    aisle_width: Annotated[float, Field(ge=0.5, le=20.0, allow_inf_nan=False)] = 1.5


class ForumHallSpec(SpecModel):
    """A forum hall as written: an area of a hall with a stage and seating blocks."""

    id: Slug
    hall: Slug
    title: Text
    description: Text
    area: Rect
    stage: Rect
    stage_height: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 1.0
    capacity: Annotated[int, Field(ge=1)]
    seating: Annotated[list[SeatingBlock], Field(min_length=1)]


#: Most days an expo's agenda may span.
MAX_EXPO_DAYS = 60


class ForumSpeakerSpec(SpecModel):
    """A speaker named on the agenda: a bilingual name and what they are (role, organisation)."""

    name: Text
    title: Text


class ForumSessionSpec(SpecModel):
    """A forum session of the agenda as written: which forum hall, which day, from when to when.

    ``day`` counts from the expo's opening day (1); times are local times of the
    expo's ``time_zone``. The opening date is a setting (``--expo-opens``), so the
    demo agenda lies ahead whenever the expo is started (docs/forums.md).
    """

    id: Slug
    forum_hall: Slug
    day: Annotated[int, Field(ge=1, le=MAX_EXPO_DAYS)]
    start: TimeOfDay
    end: TimeOfDay
    title: Text
    abstract: Text
    speakers: Annotated[list[ForumSpeakerSpec], Field(max_length=12)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> ForumSessionSpec:
        if self.end <= self.start:
            raise ValueError(
                f"the session ends ({self.end:%H:%M}) before it starts ({self.start:%H:%M}); "
                "a session lies within one day"
            )
        return self
