"""The booth templates: fixed footprints and heights every booth of a kind shares.

A booth names its template instead of its size so that the hall keeps a
regular rhythm of aisles and the scene builder can reuse one model per
template. Footprints are the model's own width (local x) and depth (local z,
front to back) before the booth is turned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TemplateName = Literal["kiosk", "showcase", "island", "lounge", "pavilion"]


@dataclass(frozen=True, slots=True)
class BoothTemplate:
    """One template: its footprint in metres and its height."""

    name: TemplateName
    width: float
    depth: float
    height: float

    @property
    def footprint(self) -> tuple[float, float]:
        """(width, depth) in the booth's own frame."""
        return (self.width, self.depth)


TEMPLATES: dict[TemplateName, BoothTemplate] = {
    "kiosk": BoothTemplate("kiosk", width=4.0, depth=4.0, height=4.0),
    "showcase": BoothTemplate("showcase", width=4.0, depth=4.0, height=4.0),
    "island": BoothTemplate("island", width=8.0, depth=8.0, height=6.0),
    "lounge": BoothTemplate("lounge", width=8.0, depth=8.0, height=6.0),
    "pavilion": BoothTemplate("pavilion", width=12.0, depth=12.0, height=9.0),
}
