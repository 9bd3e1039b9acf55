"""The catalog as the rest of the code sees it: halls, booths and forum halls with derived geometry.

Editors write positions and template names; code needs bounds, footprints,
the point in front of a booth and every seat. These models hold both, are
immutable, and dump to JSON as they are for the client.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from metaexpo.scenes.fields import Text
from metaexpo.scenes.geometry import Rect, model_front, turned_size
from metaexpo.scenes.schema import (
    BoothSpec,
    Exhibitor,
    ForumHallSpec,
    HallSpec,
    Scenario,
    SeatingBlock,
)
from metaexpo.scenes.seating import block_seats
from metaexpo.scenes.templates import TEMPLATES, TemplateName

#: How far in front of a booth's footprint visitors gather (its point of interest), in metres.
FRONT_DISTANCE = 2.0
#: How far a booth's voice zone reaches in front of its footprint: past where visitors gather.
VOICE_ZONE_FRONT = FRONT_DISTANCE + 1.0


class Resolved(BaseModel):
    """Base of the derived models: immutable, built by the loader only."""

    model_config = ConfigDict(frozen=True)


class Hall(Resolved):
    """A hall: a box centred on the origin; avatar heads stay within its bounds (x, y, z)."""

    id: str
    title: Text
    size: tuple[float, float]
    height: float
    bounds_min: tuple[float, float, float]
    bounds_max: tuple[float, float, float]
    spawn: tuple[float, float, float]
    spawn_yaw_deg: float

    @property
    def floor(self) -> Rect:
        """The hall's floor as a rectangle."""
        return Rect(
            x=(self.bounds_min[0], self.bounds_max[0]), z=(self.bounds_min[2], self.bounds_max[2])
        )


class Booth(Resolved):
    """A booth on the floor with its exhibitor; ``front`` is where visitors stand to look at it."""

    id: str
    hall: str
    zone: str
    template: TemplateName
    position: tuple[float, float]
    rotation_deg: int
    footprint: tuple[float, float]
    height: float
    rect: Rect
    facing: tuple[float, float]
    front: tuple[float, float]
    exhibitor: Exhibitor
    scenarios: list[Scenario]
    voice_zone: bool = False

    @property
    def voice_area(self) -> tuple[float, float, float, float]:
        """(x0, x1, z0, z1) of the booth's voice zone: its footprint and the strip in front."""
        (x0, x1), (z0, z1) = self.rect.x, self.rect.z
        fx, fz = self.facing
        reach = VOICE_ZONE_FRONT
        return (
            x0 - reach * (fx < 0),
            x1 + reach * (fx > 0),
            z0 - reach * (fz < 0),
            z1 + reach * (fz > 0),
        )


class ForumHall(Resolved):
    """A forum hall: an area of a hall with a stage and computed seats (x, z, yaw_deg)."""

    id: str
    hall: str
    title: Text
    description: Text
    area: Rect
    stage: Rect
    stage_height: float
    capacity: int
    seating: list[SeatingBlock]
    seats: list[tuple[float, float, float]]


def build_hall(spec: HallSpec) -> Hall:
    """The hall ``spec`` describes, with its bounds and spawn worked out."""
    half_x, half_z = spec.size[0] / 2.0, spec.size[1] / 2.0
    return Hall(
        id=spec.id,
        title=spec.title,
        size=spec.size,
        height=spec.height,
        bounds_min=(-half_x, 0.0, -half_z),
        bounds_max=(half_x, spec.height, half_z),
        spawn=(spec.spawn.position[0], 0.0, spec.spawn.position[1]),
        spawn_yaw_deg=spec.spawn.yaw_deg,
    )


def booth_rect(spec: BoothSpec) -> Rect:
    """The floor a booth of ``spec`` covers, after its rotation."""
    template = TEMPLATES[spec.template]
    return Rect.around(spec.position, turned_size(template.footprint, spec.rotation_deg))


def build_booth(spec: BoothSpec, zone: str, hall: str) -> Booth:
    """The booth ``spec`` describes, placed in ``zone`` of ``hall``."""
    template = TEMPLATES[spec.template]
    facing = model_front(spec.rotation_deg)
    rect = booth_rect(spec)
    # The footprint's half extent along the facing axis: turning swaps width and depth.
    reach = (rect.width if facing[0] else rect.depth) / 2.0 + FRONT_DISTANCE
    front = (spec.position[0] + facing[0] * reach, spec.position[1] + facing[1] * reach)
    return Booth(
        id=spec.id,
        hall=hall,
        zone=zone,
        template=spec.template,
        position=spec.position,
        rotation_deg=spec.rotation_deg,
        footprint=template.footprint,
        height=template.height,
        rect=rect,
        facing=facing,
        front=front,
        exhibitor=spec.exhibitor,
        scenarios=spec.scenarios,
        voice_zone=spec.voice_zone,
    )


def build_forum_hall(spec: ForumHallSpec) -> ForumHall:
    """The forum hall ``spec`` describes, with every seat computed (blocks must be valid)."""
    seats = [
        seat.as_tuple() for block in spec.seating for seat in block_seats(block, spec.stage.centre)
    ]
    return ForumHall(
        id=spec.id,
        hall=spec.hall,
        title=spec.title,
        description=spec.description,
        area=spec.area,
        stage=spec.stage,
        stage_height=spec.stage_height,
        capacity=spec.capacity,
        seating=spec.seating,
        seats=seats,
    )
