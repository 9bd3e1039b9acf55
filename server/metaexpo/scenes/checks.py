"""Cross-checks: what no single entry can know — references, unique ids and the hall's layout.

These run on the entries that passed validation and add problems; they
never raise. Layout rules keep the hall walkable: everything inside its
hall, zones apart from the plaza, the forum halls and each other, booths
inside their zone with aisles between them and a clear spot in front.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metaexpo.protocol.quantise import MAX_EXTENT
from metaexpo.scenes.entries import Entries, Located
from metaexpo.scenes.geometry import Rect
from metaexpo.scenes.model import Booth, build_booth
from metaexpo.scenes.problems import Origin, Problem
from metaexpo.scenes.schema import (
    BoothSpec,
    ForumHallSpec,
    ForumSessionSpec,
    HallSpec,
    Plaza,
    Zone,
)
from metaexpo.scenes.seating import Seat, block_seats

#: The narrowest aisle left between two booths, in metres.
BOOTH_CLEARANCE = 2.0
#: Seats of different seating blocks must be at least this far apart, in metres.
SEAT_CLEARANCE = 0.5


@dataclass(frozen=True, slots=True)
class _Area:
    """A named rectangle of a hall's floor that others must keep off."""

    hall: str
    rect: Rect
    name: str


@dataclass(frozen=True, slots=True)
class _Placed:
    """A booth whose zone and hall are known, with its derived geometry."""

    entry: Located[BoothSpec]
    booth: Booth


def _where(origin: Origin) -> str:
    line = f", line {origin.line}" if origin.line is not None else ""
    return f"{origin.file}{line}"


def hall_floor(spec: HallSpec) -> Rect:
    """The floor of a hall centred on the origin."""
    return Rect.around((0.0, 0.0), spec.size)


class _Checker:
    """One run of the cross-checks over a set of entries; collects problems in ``problems``."""

    def __init__(self, entries: Entries, root: str) -> None:
        self.entries = entries
        self.root = root
        self.problems: list[Problem] = []
        self.halls: dict[str, HallSpec] = {}
        self.zones: dict[str, Zone] = {}
        for hall in entries.halls:
            self.halls.setdefault(hall.spec.id, hall.spec)
        for zone in entries.zones:
            self.zones.setdefault(zone.spec.id, zone.spec)
        self.tags = entries.tag_ids()
        self.plaza: Plaza | None = entries.plaza[0].spec if entries.plaza else None
        # Open areas that zones and booths keep off, and solid things booth fronts and
        # spawn points must not fall on.
        self.open_areas: list[_Area] = []
        self.solids: list[_Area] = []
        if self.plaza is not None:
            self.open_areas.append(_Area(self.plaza.hall, self.plaza.area, "the plaza"))
            wall = self.plaza.info_wall.rect()
            self.solids.append(_Area(self.plaza.hall, wall, "the plaza's info wall"))
        for forum in entries.forum_halls:
            spec = forum.spec
            self.open_areas.append(_Area(spec.hall, spec.area, f'forum hall "{spec.id}"'))
            self.solids.append(_Area(spec.hall, spec.stage, f'the stage of forum hall "{spec.id}"'))

    # -- reporting helpers ---------------------------------------------------------------------

    def floor_of(self, hall_id: str, origin: Origin) -> Rect | None:
        """The floor of hall ``hall_id``, or None (reported unless the hall is broken)."""
        hall = self.halls.get(hall_id)
        if hall is not None:
            return hall_floor(hall)
        if not self.entries.is_broken("halls", hall_id):
            known = ", ".join(f'"{name}"' for name in sorted(self.halls)) or "none"
            self.problems.append(
                origin.problem("hall", f'unknown hall "{hall_id}"; known halls: {known}')
            )
        return None

    def inside(
        self, outer: Rect, inner: Rect, origin: Origin, *, field: str, what: str, of: str
    ) -> bool:
        """Report ``what`` (at ``inner``) lying outside ``outer`` (named ``of``); True if inside."""
        if outer.contains(inner):
            return True
        self.problems.append(
            origin.problem(field, f"{what} {inner.describe()} is outside {of} ({outer.describe()})")
        )
        return False

    def apart(
        self, first: Rect, second: Rect, origin: Origin, *, field: str, what: str, other: str
    ) -> None:
        """Report ``first`` (``what``) sharing floor with ``second`` (``other``)."""
        if first.overlaps(second):
            self.problems.append(
                origin.problem(
                    field, f"{what} {first.describe()} overlaps {other} ({second.describe()})"
                )
            )

    def keep_off_open_areas(
        self, rect: Rect, hall: str, origin: Origin, *, field: str, what: str, skip: str = ""
    ) -> None:
        """Report ``rect`` overlapping the plaza or a forum hall of ``hall`` (except ``skip``)."""
        for area in self.open_areas:
            if area.hall == hall and area.name != skip:
                self.apart(rect, area.rect, origin, field=field, what=what, other=area.name)

    # -- the checks ----------------------------------------------------------------------------

    def singletons(self) -> None:
        """Exactly one expo and one plaza, at least one hall."""
        self._single("expo", [item.origin for item in self.entries.expo])
        self._single("plaza", [item.origin for item in self.entries.plaza])
        if not self.entries.halls and not self.entries.broken.get("halls"):
            self.problems.append(
                Problem(
                    self.root,
                    None,
                    None,
                    "no file declares `halls:`; the catalog needs at least one hall",
                )
            )

    def _single(self, kind: str, origins: Sequence[Origin]) -> None:
        if not origins and not self.entries.broken.get(kind):
            self.problems.append(
                Problem(
                    self.root,
                    None,
                    None,
                    f"no file declares `{kind}:`; the catalog needs exactly one",
                )
            )
        for extra in origins[1:]:
            self.problems.append(
                extra.problem(
                    None, f"`{kind}` is already declared in {_where(origins[0])}; declare it once"
                )
            )

    def unique_ids(self) -> None:
        """No two entries of a kind share an id."""
        self._unique("hall", ((h.spec.id, h.origin) for h in self.entries.halls))
        self._unique("zone", ((z.spec.id, z.origin) for z in self.entries.zones))
        self._unique("booth", ((b.spec.id, b.origin) for b in self.entries.booths))
        self._unique("forum hall", ((f.spec.id, f.origin) for f in self.entries.forum_halls))
        self._unique("forum session", ((f.spec.id, f.origin) for f in self.entries.forum_sessions))
        self._unique("tag", ((t.id, t.origin) for t in self.entries.tags))

    def _unique(self, kind: str, items: Iterable[tuple[str, Origin]]) -> None:
        first: dict[str, Origin] = {}
        for item_id, origin in items:
            if item_id not in first:
                first[item_id] = origin
                continue
            earlier = first[item_id]
            self.problems.append(
                origin.problem(
                    "id",
                    f'"{item_id}" is already the id of {kind} {earlier.entry} in {_where(earlier)}',
                )
            )

    def hall(self, hall: Located[HallSpec]) -> None:
        """A hall fits the wire format's coordinates; its spawn is free and on its plaza."""
        spec, origin = hall.spec, hall.origin
        for axis, extent in zip("xz", spec.size, strict=True):
            if extent > MAX_EXTENT:
                self.problems.append(
                    origin.problem(
                        "size",
                        f"{extent:g} m along {axis} is more than the {MAX_EXTENT:.2f} m "
                        "that positions on the wire can span",
                    )
                )
        point = spec.spawn.position
        where = f"({point[0]:g}, {point[1]:g})"
        if not hall_floor(spec).contains_point(point):
            self.problems.append(origin.problem("spawn.position", f"{where} is outside the hall"))
            return
        plaza = self.plaza
        if plaza is not None and plaza.hall == spec.id and not plaza.area.contains_point(point):
            self.problems.append(
                origin.problem(
                    "spawn.position", f"{where} is not on the plaza ({plaza.area.describe()})"
                )
            )
        for solid in self.solids:
            if solid.hall == spec.id and solid.rect.contains_point(point):
                self.problems.append(
                    origin.problem("spawn.position", f"{where} is on {solid.name}")
                )

    def plaza_layout(self, plaza: Located[Plaza]) -> None:
        """The plaza lies in its hall and holds its info wall."""
        spec, origin = plaza.spec, plaza.origin
        floor = self.floor_of(spec.hall, origin)
        if floor is None:
            return
        self.inside(
            floor, spec.area, origin, field="area", what="the plaza", of=f'hall "{spec.hall}"'
        )
        self.inside(
            spec.area,
            spec.info_wall.rect(),
            origin,
            field="info_wall.position",
            what="the info wall",
            of="the plaza",
        )

    def forum_hall(self, forum: Located[ForumHallSpec], index: int) -> None:
        """A forum hall lies in its hall apart from the other open areas, with enough seats."""
        spec, origin = forum.spec, forum.origin
        floor = self.floor_of(spec.hall, origin)
        if floor is None:
            return
        self.inside(
            floor, spec.area, origin, field="area", what="the forum hall", of=f'hall "{spec.hall}"'
        )
        self.inside(
            spec.area,
            spec.stage,
            origin,
            field="stage",
            what="the stage",
            of="the forum hall's area",
        )
        # Each pair of forum halls is reported once, by the later of the two.
        later = {f'forum hall "{other.spec.id}"' for other in self.entries.forum_halls[index:]}
        for area in self.open_areas:
            if area.hall == spec.hall and area.name not in later:
                self.apart(
                    spec.area,
                    area.rect,
                    origin,
                    field="area",
                    what="the forum hall",
                    other=area.name,
                )
        self._seats(spec, origin)

    def _seats(self, spec: ForumHallSpec, origin: Origin) -> None:
        total = 0
        blocks: list[Rect] = []
        for index, block in enumerate(spec.seating):
            field = f"seating[{index}]"
            try:
                seats = block_seats(block, spec.stage.centre)
            except ValueError as exc:
                self.problems.append(origin.problem(field, str(exc)))
                continue
            total += len(seats)
            self._seats_in_place(seats, spec, origin, field)
            half = SEAT_CLEARANCE / 2
            rect = Rect(
                x=(min(s.x for s in seats) - half, max(s.x for s in seats) + half),
                z=(min(s.z for s in seats) - half, max(s.z for s in seats) + half),
            )
            for earlier_index, earlier in enumerate(blocks):
                self.apart(
                    rect,
                    earlier,
                    origin,
                    field=field,
                    what="the seating block",
                    other=f"seating[{earlier_index}]",
                )
            blocks.append(rect)
        if total < spec.capacity:
            self.problems.append(
                origin.problem(
                    "capacity",
                    f"the seating blocks give {total} seats, "
                    f"too few for the capacity of {spec.capacity}",
                )
            )

    def _seats_in_place(
        self, seats: list[Seat], spec: ForumHallSpec, origin: Origin, field: str
    ) -> None:
        # The first misplaced seat is enough to find the block's mistake.
        for seat in seats:
            where = f"row {seat.row + 1}, seat {seat.place + 1} at ({seat.x:g}, {seat.z:g})"
            if not spec.area.contains_point((seat.x, seat.z)):
                self.problems.append(
                    origin.problem(field, f"{where} is outside the forum hall's area")
                )
                return
            if spec.stage.contains_point((seat.x, seat.z)):
                self.problems.append(origin.problem(field, f"{where} is on the stage"))
                return

    def zone(self, zone: Located[Zone], index: int) -> None:
        """A zone lies in its hall, apart from the plaza, the forum halls and earlier zones."""
        spec, origin = zone.spec, zone.origin
        floor = self.floor_of(spec.hall, origin)
        if floor is None:
            return
        self.inside(
            floor, spec.area, origin, field="area", what="the zone", of=f'hall "{spec.hall}"'
        )
        self.keep_off_open_areas(spec.area, spec.hall, origin, field="area", what="the zone")
        for other in self.entries.zones[:index]:
            if other.spec.hall == spec.hall and other.spec.id != spec.id:
                self.apart(
                    spec.area,
                    other.spec.area,
                    origin,
                    field="area",
                    what="the zone",
                    other=f'zone "{other.spec.id}"',
                )

    def booths(self) -> None:
        """Booths: known zone and tags, inside their zone, apart, each with a clear front."""
        placed: list[_Placed] = []
        for entry in self.entries.booths:
            self._tags(entry)
            booth = self._place(entry)
            if booth is None:
                continue
            for other in placed:
                if other.booth.hall == booth.hall:
                    self._gap(entry, booth, other)
            placed.append(_Placed(entry, booth))
        for item in placed:
            self._front(item, placed)

    def _tags(self, entry: Located[BoothSpec]) -> None:
        for index, tag in enumerate(entry.spec.exhibitor.tags):
            if tag in self.tags or self.entries.is_broken("tags", tag):
                continue
            close = difflib.get_close_matches(tag, sorted(self.tags), n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            self.problems.append(
                entry.origin.problem(
                    f"exhibitor.tags[{index}]",
                    f'unknown tag "{tag}"; {hint}tags must be declared under `tags:`',
                )
            )

    def _place(self, entry: Located[BoothSpec]) -> Booth | None:
        zone_id = entry.spec.zone or ""
        zone = self.zones.get(zone_id)
        if zone is None:
            if not self.entries.is_broken("zones", zone_id):
                known = ", ".join(f'"{name}"' for name in sorted(self.zones)) or "none"
                self.problems.append(
                    entry.origin.problem("zone", f'unknown zone "{zone_id}"; known zones: {known}')
                )
            return None
        hall = self.halls.get(zone.hall)
        if hall is None:
            # The zone's own check has reported its unknown hall.
            return None
        booth = build_booth(entry.spec, zone.id, hall.id)
        origin, what = entry.origin, "the booth's footprint"
        if self.inside(
            hall_floor(hall),
            booth.rect,
            origin,
            field="position",
            what=what,
            of=f'hall "{hall.id}"',
        ):
            self.inside(
                zone.area,
                booth.rect,
                origin,
                field="position",
                what=what,
                of=f'its zone "{zone.id}"',
            )
        self.keep_off_open_areas(booth.rect, hall.id, origin, field="position", what=what)
        return booth

    def _gap(self, entry: Located[BoothSpec], booth: Booth, other: _Placed) -> None:
        gap = booth.rect.clearance(other.booth.rect)
        if gap >= BOOTH_CLEARANCE - 1e-6:
            return
        name = f'booth "{other.booth.id}" ({_where(other.entry.origin)})'
        if gap < -1e-6:
            message = f"the booth's footprint {booth.rect.describe()} overlaps {name}"
        else:
            message = (
                f"the booth is only {gap:g} m from {name}; "
                f"leave at least {BOOTH_CLEARANCE:g} m for an aisle"
            )
        self.problems.append(entry.origin.problem("position", message))

    def _front(self, item: _Placed, placed: list[_Placed]) -> None:
        booth = item.booth
        front = booth.front
        blocker = ""
        if not hall_floor(self.halls[booth.hall]).contains_point(front):
            blocker = "is outside the hall"
        else:
            names = [
                f'booth "{other.booth.id}"'
                for other in placed
                if other is not item
                and other.booth.hall == booth.hall
                and other.booth.rect.contains_point(front)
            ]
            names += [
                s.name for s in self.solids if s.hall == booth.hall and s.rect.contains_point(front)
            ]
            blocker = f"falls on {names[0]}" if names else ""
        if blocker:
            self.problems.append(
                item.entry.origin.problem(
                    "rotation_deg",
                    f"the spot in front of the booth ({front[0]:g}, {front[1]:g}) {blocker}; "
                    "turn the booth to face an aisle",
                )
            )

    def forum_sessions(self) -> None:
        """Each session names a known forum hall and does not overlap another one in it."""
        halls = {forum.spec.id for forum in self.entries.forum_halls}
        placed: list[Located[ForumSessionSpec]] = []
        for entry in self.entries.forum_sessions:
            spec, origin = entry.spec, entry.origin
            if spec.forum_hall not in halls:
                if not self.entries.is_broken("forum_halls", spec.forum_hall):
                    known = ", ".join(f'"{name}"' for name in sorted(halls)) or "none"
                    self.problems.append(
                        origin.problem(
                            "forum_hall",
                            f'unknown forum hall "{spec.forum_hall}"; known forum halls: {known}',
                        )
                    )
                continue
            for other in placed:
                o = other.spec
                if (
                    o.forum_hall == spec.forum_hall
                    and o.day == spec.day
                    and spec.start < o.end
                    and o.start < spec.end
                ):
                    self.problems.append(
                        origin.problem(
                            "start",
                            f"day {spec.day} {spec.start:%H:%M}-{spec.end:%H:%M} overlaps "
                            f'session "{o.id}" ({o.start:%H:%M}-{o.end:%H:%M}) in '
                            f"{_where(other.origin)}; one forum hall holds one session at a time",
                        )
                    )
            placed.append(entry)

    def run(self) -> list[Problem]:
        """Every check; all problems found, in no particular order."""
        self.singletons()
        self.unique_ids()
        for hall in self.entries.halls:
            self.hall(hall)
        for plaza in self.entries.plaza[:1]:
            self.plaza_layout(plaza)
        for index, forum in enumerate(self.entries.forum_halls):
            self.forum_hall(forum, index)
        for index, zone in enumerate(self.entries.zones):
            self.zone(zone, index)
        self.booths()
        self.forum_sessions()
        return self.problems


def cross_check(entries: Entries, root: str) -> list[Problem]:
    """All cross-entry problems of ``entries``; ``root`` names the scenes folder in messages."""
    return _Checker(entries, root).run()
