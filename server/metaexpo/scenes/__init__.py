"""The expo's content: halls, zones, booths, the plaza and forum halls, read from ``scenes/``.

Import from here: ``load_catalog(scenes_dir)`` returns a checked, immutable
:class:`Catalog` or raises :class:`CatalogError` listing every problem.
"""

from __future__ import annotations

from metaexpo.scenes.catalog import Catalog, CatalogError, load_catalog
from metaexpo.scenes.fields import Text
from metaexpo.scenes.model import FRONT_DISTANCE, Booth, ForumHall, Hall
from metaexpo.scenes.schema import (
    Exhibitor,
    ForumSessionSpec,
    ForumSpeakerSpec,
    InfoWall,
    Plaza,
    Scenario,
    SeatingBlock,
    Target,
    TargetItem,
    Zone,
)
from metaexpo.scenes.templates import TEMPLATES, BoothTemplate, TemplateName

__all__ = [
    "FRONT_DISTANCE",
    "TEMPLATES",
    "Booth",
    "BoothTemplate",
    "Catalog",
    "CatalogError",
    "Exhibitor",
    "ForumHall",
    "ForumSessionSpec",
    "ForumSpeakerSpec",
    "Hall",
    "InfoWall",
    "Plaza",
    "Scenario",
    "SeatingBlock",
    "Target",
    "TargetItem",
    "TemplateName",
    "Text",
    "Zone",
    "load_catalog",
]
