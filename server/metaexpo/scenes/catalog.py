"""The expo catalog: load the YAML files of ``scenes/``, check them, and look things up.

``load_catalog`` is the one entry point. It reads every ``*.yaml`` file under
the scenes folder, validates each entry, cross-checks references and the
hall's layout, and either returns an immutable :class:`Catalog` or raises one
:class:`CatalogError` listing every problem, one per line, each naming the
file, the entry and the field. The format is described for content editors
in ``scenes/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from metaexpo.errors import ConfigError
from metaexpo.scenes.checks import cross_check
from metaexpo.scenes.entries import Entries, read_entries
from metaexpo.scenes.fields import Text
from metaexpo.scenes.model import Booth, ForumHall, Hall, build_booth, build_forum_hall, build_hall
from metaexpo.scenes.problems import Problem
from metaexpo.scenes.schema import ForumSessionSpec, Plaza, Zone
from metaexpo.scenes.sources import Source, find_source_paths, fingerprint, parse_source

__all__ = ["Catalog", "CatalogError", "load_catalog"]

_T = TypeVar("_T")


class CatalogError(ConfigError):
    """The catalog cannot be loaded; ``problems`` holds one line per thing to fix."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems if problems is not None else [message]
        super().__init__(message)


class Catalog(BaseModel):
    """The whole expo: halls, zones, booths, the plaza and the forum halls, validated and immutable.

    Dumps to JSON as it is (``model_dump(mode="json")``) for the client.
    ``fingerprint`` changes whenever any source file does, so whatever is
    built from the catalog (scenes, caches) can tell when to rebuild.
    """

    model_config = ConfigDict(frozen=True)

    title: Text
    subtitle: Text
    notice: Text
    tags: dict[str, Text]
    halls: list[Hall]
    zones: list[Zone]
    booths: list[Booth]
    plaza: Plaza
    forum_halls: list[ForumHall]
    #: The agenda as the catalog seeds it; the database holds the agenda after that.
    forum_sessions: list[ForumSessionSpec]
    #: The expo's time zone (IANA name): forum session times are local times of it.
    time_zone: str
    sources: list[str]
    fingerprint: str

    _halls: dict[str, Hall] = PrivateAttr(default_factory=dict)
    _zones: dict[str, Zone] = PrivateAttr(default_factory=dict)
    _booths: dict[str, Booth] = PrivateAttr(default_factory=dict)
    _forum_halls: dict[str, ForumHall] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        """Index every kind by id for the lookups."""
        self._halls = {hall.id: hall for hall in self.halls}
        self._zones = {zone.id: zone for zone in self.zones}
        self._booths = {booth.id: booth for booth in self.booths}
        self._forum_halls = {forum.id: forum for forum in self.forum_halls}

    def hall(self, hall_id: str) -> Hall:
        """The hall with ``hall_id``; CatalogError if there is none."""
        return _lookup(self._halls, "hall", hall_id)

    def zone(self, zone_id: str) -> Zone:
        """The zone with ``zone_id``; CatalogError if there is none."""
        return _lookup(self._zones, "zone", zone_id)

    def booth(self, booth_id: str) -> Booth:
        """The booth with ``booth_id``; CatalogError if there is none."""
        return _lookup(self._booths, "booth", booth_id)

    def forum_hall(self, forum_id: str) -> ForumHall:
        """The forum hall with ``forum_id``; CatalogError if there is none."""
        return _lookup(self._forum_halls, "forum hall", forum_id)

    def booths_in_zone(self, zone_id: str) -> list[Booth]:
        """The booths of zone ``zone_id`` in catalog order; CatalogError if the zone is unknown."""
        self.zone(zone_id)
        return [booth for booth in self.booths if booth.zone == zone_id]

    def points_of_interest(self, hall_id: str) -> list[tuple[float, float]]:
        """(x, z) just in front of each booth of hall ``hall_id``: where visitors gather."""
        self.hall(hall_id)
        return [booth.front for booth in self.booths if booth.hall == hall_id]


def _lookup(index: dict[str, _T], kind: str, item_id: str) -> _T:
    found = index.get(item_id)
    if found is None:
        known = ", ".join(f'"{name}"' for name in sorted(index)[:12])
        more = ", …" if len(index) > 12 else ""
        raise CatalogError(f'the catalog has no {kind} "{item_id}" (known: {known}{more})')
    return found


def _fail(scenes_dir: Path, problems: list[Problem]) -> CatalogError:
    ordered = sorted(problems, key=lambda p: (p.file, p.line if p.line is not None else 0))
    lines = [str(problem) for problem in ordered]
    count = f"{len(lines)} problem" + ("" if len(lines) == 1 else "s")
    header = f"the expo catalog in {scenes_dir} cannot be loaded ({count}):"
    return CatalogError("\n".join([header, *lines]), lines)


def _build(entries: Entries, sources: list[str], digest: str) -> Catalog:
    expo = entries.expo[0].spec
    zones = [zone.spec for zone in entries.zones]
    zone_halls = {zone.id: zone.hall for zone in zones}
    booths = []
    for booth in entries.booths:
        # Cross-checks passed, so every booth names a known zone.
        zone_id = booth.spec.zone or ""
        booths.append(build_booth(booth.spec, zone_id, zone_halls[zone_id]))
    return Catalog(
        title=expo.title,
        subtitle=expo.subtitle,
        notice=expo.notice,
        tags={tag.id: tag.label for tag in entries.tags},
        halls=[build_hall(hall.spec) for hall in entries.halls],
        zones=zones,
        booths=booths,
        plaza=entries.plaza[0].spec,
        forum_halls=[build_forum_hall(forum.spec) for forum in entries.forum_halls],
        forum_sessions=[session.spec for session in entries.forum_sessions],
        time_zone=expo.time_zone,
        sources=sources,
        fingerprint=digest,
    )


def load_catalog(scenes_dir: Path) -> Catalog:
    """Load and check the catalog under ``scenes_dir``; CatalogError lists every problem found."""
    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise CatalogError(f"the scenes folder {scenes_dir} does not exist or is not a folder")
    root = scenes_dir.resolve().name or str(scenes_dir)
    paths = find_source_paths(scenes_dir)
    if not paths:
        raise CatalogError(
            f"the scenes folder {scenes_dir} holds no .yaml files; "
            "expected expo.yaml and zones/*.yaml (see scenes/README.md)"
        )
    problems: list[Problem] = []
    parsed: list[Source] = []
    contents: list[tuple[str, bytes]] = []
    for path in paths:
        relative = path.relative_to(scenes_dir).as_posix()
        label = f"{root}/{relative}"
        try:
            content = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(label, None, None, f"cannot be read: {exc.strerror}"))
            continue
        contents.append((relative, content))
        result = parse_source(label, content)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            parsed.append(result)
    entries = read_entries(parsed)
    problems += entries.problems
    problems += cross_check(entries, f"{root}/")
    if problems:
        raise _fail(scenes_dir, problems)
    return _build(entries, [name for name, _ in contents], fingerprint(contents))
